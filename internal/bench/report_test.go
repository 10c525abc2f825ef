package bench

import (
	"strings"
	"testing"
	"time"
)

func TestReportTargets(t *testing.T) {
	// Synthetic runs: the real provider is 0.6x the floor in plan (met, by
	// wall and CPU), 1.5x in apply (missed), 0.5x in destroy (met); it makes
	// one list per user; the peer is slower in apply, faster in plan.
	phase := func(secs float64, mint, list, revoke int) PhaseResult {
		d := time.Duration(secs * float64(time.Second))
		return PhaseResult{Wall: d, CPU: d, Requests: map[string]int{"mint": mint, "list": list, "revoke": revoke}}
	}
	var runs []RunResult
	for rep := range 3 {
		runs = append(runs,
			RunResult{Variant: Real, N: 10, Rep: rep, Phases: map[Phase]PhaseResult{
				Apply: phase(1.5, 10, 2, 0), Plan: phase(0.6, 0, 2, 0), Destroy: phase(0.5, 0, 2, 10)}},
			RunResult{Variant: Noop, N: 10, Rep: rep, Phases: map[Phase]PhaseResult{
				Apply: phase(1, 0, 0, 0), Plan: phase(1, 0, 0, 0), Destroy: phase(1, 0, 0, 0)}},
			RunResult{Variant: TFData, N: 10, Rep: rep, Phases: map[Phase]PhaseResult{
				Apply: phase(0.5, 0, 0, 0), Plan: phase(0.5, 0, 0, 0), Destroy: phase(0.5, 0, 0, 0)}},
			RunResult{Variant: Peer, N: 10, Rep: rep, Phases: map[Phase]PhaseResult{
				Apply: phase(2, 10, 0, 0), Plan: phase(0.3, 0, 10, 0), Destroy: phase(1, 0, 10, 10)}},
		)
	}
	res := &Results{Opts: Options{Ns: []int{10}, PeerNs: []int{10}, Peer: "/x/peer", Reps: 3, Latencies: []time.Duration{0}, Users: 2, Parallelism: 10}, Runs: runs}
	out := Report(res, "bench -n 10")
	for _, want := range []string{"10/2/0", "Command: `bench -n 10`", "Side by side with the peer (/x/peer)", "0/10/0"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Each target line: its start, what it must hold.
	for start, want := range map[string][]string{
		"| plan N=10, latency none: motherduck / noop":           {"0.60x (0.60s / 1.00s)", "1.20x", "<= 0.65x", "| met"},
		"| apply N=10, latency none: motherduck / noop":          {"1.50x (1.50s / 1.00s)", "3.00x", "<= 0.90x", "**MISSED**"},
		"| plan N=10, latency none: motherduck / terraform_data": {"1.20x", "<= 3.00x", "| met"},
		"| apply N=10, latency none: motherduck / peer":          {"0.75x (1.50s / 2.00s)", "| met"},
		"| plan N=10, latency none: motherduck / peer":           {"2.00x", "**MISSED**"},
		"| plan: exactly one list":                               {"lists 2 ", "| met"},
		"| destroy: N revokes":                                   {"| met"},
	} {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, start) {
				line = l
			}
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("target line %q lacks %q:\n%s", start, w, out)
			}
		}
	}
}

func TestPairedRatioAndCSVRoundTrip(t *testing.T) {
	// Repetition 1 runs under a burst of load that slows both variants: the
	// ratio of the medians (3s / 1s) suffers, the paired ratio does not.
	wall := func(secs float64, reqs map[string]int) map[Phase]PhaseResult {
		d := time.Duration(secs * float64(time.Second))
		return map[Phase]PhaseResult{Apply: {Wall: d, CPU: d, Requests: reqs}}
	}
	mint := map[string]int{"mint": 1}
	runs := []RunResult{
		{Variant: Real, N: 1, Rep: 0, Phases: wall(1.1, mint)},
		{Variant: Noop, N: 1, Rep: 0, Phases: wall(1.0, nil)},
		{Variant: Real, N: 1, Rep: 1, Phases: wall(3.3, mint)},
		{Variant: Noop, N: 1, Rep: 1, Phases: wall(1.0, nil)}, // ran before the burst
		{Variant: Real, N: 1, Rep: 2, Phases: wall(3.0, mint)},
		{Variant: Noop, N: 1, Rep: 2, Phases: wall(2.5, nil)},
		{Variant: Peer, N: 1, Rep: 0, Phases: wall(1.5, mint)},
	}
	s := summarize(runs)
	if got := Ratio(s.median(Real, 1, 0, Apply), s.median(Noop, 1, 0, Apply)); got < 2.99 || got > 3.01 {
		t.Errorf("ratio of medians = %v, want 3", got)
	}
	if got := s.pairedRatio(Real, Noop, 1, 0, Apply); got < 1.199 || got > 1.201 {
		t.Errorf("paired ratio = %v, want 1.2", got)
	}
	if got := wallVerdict(3, 1.2, 1.3); got != "**MISSED** (ratio of medians only)" {
		t.Errorf("wallVerdict = %q", got)
	}

	var buf strings.Builder
	if err := WriteCSV(&buf, runs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	var again strings.Builder
	if err := WriteCSV(&again, back); err != nil {
		t.Fatal(err)
	}
	if again.String() != buf.String() {
		t.Errorf("CSV round trip differs:\n%s\nvs\n%s", buf.String(), again.String())
	}
	o := OptionsFromRuns(back, Options{})
	if o.Reps != 3 || len(o.Ns) != 1 || len(o.Latencies) != 1 || len(o.PeerNs) != 1 {
		t.Errorf("OptionsFromRuns = %+v", o)
	}
	if _, err := ReadCSV(strings.NewReader("a,b\n")); err == nil {
		t.Error("ReadCSV accepted a foreign CSV")
	}
}
