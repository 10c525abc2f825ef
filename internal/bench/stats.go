package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Median returns the median of ds (the mean of the two middle values for an
// even count), or 0 for no values. ds is not modified.
func Median(ds []time.Duration) time.Duration { return median(ds) }

// MedianFloat returns the median of fs like Median, or 0 for no values.
func MedianFloat(fs []float64) float64 { return median(fs) }

func median[T time.Duration | float64](vs []T) T {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Spread returns (max-min)/median of ds as a fraction, or 0 when it cannot
// be computed.
func Spread(ds []time.Duration) float64 {
	med := Median(ds)
	if med <= 0 {
		return 0
	}
	return float64(slices.Max(ds)-slices.Min(ds)) / float64(med)
}

// Ratio returns a/b, or 0 when b is not positive.
func Ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// FormatSeconds renders d in seconds with two decimals ("1.23").
func FormatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
}

// FormatRatio renders r as "1.07x", or "-" for 0.
func FormatRatio(r float64) string {
	if r == 0 {
		return "-"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "x"
}

// FormatRange renders the smallest and largest of vs: "4" when they agree,
// "4-5" when they do not, "-" for none.
func FormatRange(vs []int) string {
	if len(vs) == 0 {
		return "-"
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// FormatMiB renders a size in KiB as MiB with one decimal, or "-" for 0.
func FormatMiB(kib int64) string {
	if kib <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(kib)/1024, 'f', 1, 64)
}

// ParseInts parses a comma-separated list of positive integers ("50,200,500").
func ParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no value in %q", s)
	}
	return out, nil
}

// ParseDurations parses a comma-separated list of durations ("0,50ms"); a
// bare 0 is accepted.
func ParseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q is not a non-negative duration such as 50ms", f)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no value in %q", s)
	}
	return out, nil
}

// Rotate returns a copy of xs rotated left by k (k may exceed len(xs)).
func Rotate[T any](xs []T, k int) []T {
	if len(xs) == 0 {
		return nil
	}
	k %= len(xs)
	return append(slices.Clone(xs[k:]), xs[:k]...)
}
