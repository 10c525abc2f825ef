package bench

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms(7), 7 * time.Millisecond},
		{ms(9, 1, 5), 5 * time.Millisecond},
		{ms(4, 1, 3, 2), 2500 * time.Microsecond},
	} {
		in := slices.Clone(tc.in)
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("Median modified its argument: %v", tc.in)
		}
	}
	if got := Spread(ms(90, 100, 110)); got < 0.199 || got > 0.201 {
		t.Errorf("Spread = %v, want 0.2", got)
	}
}

func TestFormatting(t *testing.T) {
	for got, want := range map[string]string{
		FormatSeconds(1234 * time.Millisecond):           "1.23",
		FormatRatio(Ratio(3*time.Second, 2*time.Second)): "1.50x",
		FormatRatio(Ratio(time.Second, 0)):               "-",
		FormatRange([]int{4, 4, 4}):                      "4",
		FormatRange([]int{5, 4, 8}):                      "4-8",
		FormatRange(nil):                                 "-",
		FormatMiB(28 * 1024):                             "28.0",
		FormatMiB(0):                                     "-",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestParse(t *testing.T) {
	ns, err := ParseInts(" 50, 200,500")
	if err != nil || !slices.Equal(ns, []int{50, 200, 500}) {
		t.Errorf("ParseInts = %v, %v", ns, err)
	}
	if _, err := ParseInts("50,x"); err == nil {
		t.Error("ParseInts accepted x")
	}
	if _, err := ParseInts("0"); err == nil {
		t.Error("ParseInts accepted 0")
	}
	ls, err := ParseDurations("0,50ms")
	if err != nil || !slices.Equal(ls, []time.Duration{0, 50 * time.Millisecond}) {
		t.Errorf("ParseDurations = %v, %v", ls, err)
	}
	if _, err := ParseDurations("-1s"); err == nil {
		t.Error("ParseDurations accepted a negative duration")
	}
}

func TestRotate(t *testing.T) {
	v := []string{"a", "b", "c"}
	for k, want := range []string{"abc", "bca", "cab", "abc"} {
		if got := strings.Join(Rotate(v, k), ""); got != want {
			t.Errorf("Rotate(%d) = %s, want %s", k, got, want)
		}
	}
}

func TestTableMarkdown(t *testing.T) {
	tb := Table{Header: []string{"name", ">secs"}}
	tb.AddRow("apply", "1.50")
	tb.AddRow("plan→x", "12.00")
	want := "" +
		"| name   |  secs |\n" +
		"| ------ | ----: |\n" +
		"| apply  |  1.50 |\n" +
		"| plan→x | 12.00 |\n"
	if got := tb.Markdown(); got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseProcStatus(t *testing.T) {
	st, ok := parseProcStatus("Name:\tterraform-provi\nPPid:\t4242\nVmPeak:\t 1000 kB\nVmHWM:\t   28988 kB\nVmRSS:\t 20000 kB\n")
	if !ok || st.PPid != 4242 || st.HWMKiB != 28988 {
		t.Errorf("parseProcStatus = %+v, %v", st, ok)
	}
	if _, ok := parseProcStatus("Name:\tx\n"); ok {
		t.Error("parseProcStatus accepted a status without PPid")
	}
}

func TestConfigFor(t *testing.T) {
	users := Usernames(2)
	for v, want := range map[Variant]string{
		Real:   `resource "motherduck_user_token" "t" {`,
		Noop:   `resource "mdnoop_user_token" "t" {`,
		TFData: `resource "terraform_data" "t" {`,
		Peer:   `resource "motherduck_token" "t" {`,
	} {
		c := ConfigFor(v, 7, users)
		if !strings.Contains(c, want) || !strings.Contains(c, "count") || !strings.Contains(c, `"svc_bench_1"`) {
			t.Errorf("ConfigFor(%s):\n%s", v, c)
		}
	}
	if !strings.Contains(CLIConfig("/a", "/b", ""), `"registry.terraform.io/duckops/mdnoop" = "/b"`) {
		t.Error("CLIConfig does not serve the noop provider")
	}
	if c := CLIConfig("/a", "/b", "/c"); !strings.Contains(c, `"registry.terraform.io/bench-peer/motherduck" = "/c"`) {
		t.Errorf("CLIConfig does not serve the peer:\n%s", c)
	}
	if !strings.Contains(ConfigFor(Peer, 7, users), `source = "bench-peer/motherduck"`) {
		t.Error("ConfigFor(Peer) does not use the peer's address")
	}
}

func TestParseProcStatCPU(t *testing.T) {
	// Fields 14 and 15 (utime, stime) are 250 and 50 ticks; the name holds
	// a space and a parenthesis.
	stat := "4242 (terraform-p) x) S 4000 4242 4000 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 1000000 5000"
	if got, ok := parseProcStatCPU(stat); !ok || got != 3*time.Second {
		t.Errorf("parseProcStatCPU = %v, %v; want 3s", got, ok)
	}
	if _, ok := parseProcStatCPU("garbage"); ok {
		t.Error("parseProcStatCPU accepted garbage")
	}
}

func TestMedianFloat(t *testing.T) {
	if got := MedianFloat([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Errorf("MedianFloat = %v, want 2.5", got)
	}
	if got := MedianFloat(nil); got != 0 {
		t.Errorf("MedianFloat(nil) = %v", got)
	}
}

func TestVariantsPerN(t *testing.T) {
	r := &runner{opts: Options{Ns: []int{1, 10}, PeerNs: []int{10, 200}}, peerExe: "/peer"}
	if got := fmt.Sprint(r.allNs()); got != "[1 10 200]" {
		t.Errorf("allNs = %s", got)
	}
	for n, want := range map[int]string{
		1:   "[motherduck terraform_data noop]",
		10:  "[motherduck terraform_data noop peer]",
		200: "[motherduck terraform_data peer]", // the floor only at -n
		-1:  "[motherduck terraform_data noop peer]",
	} {
		if got := fmt.Sprint(r.variants(n)); got != want {
			t.Errorf("variants(%d) = %s, want %s", n, got, want)
		}
	}
	r.peerExe = ""
	if got := fmt.Sprint(r.allNs(), r.variants(10)); got != "[1 10] [motherduck terraform_data noop]" {
		t.Errorf("without a peer: %s", got)
	}
}
