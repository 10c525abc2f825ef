package bench

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Targets of issue 12, as ratios of the real provider's median wall time
// (and CPU time) to the do-nothing floor's at the largest N, at every
// latency; the peer must be slower than the real provider in every phase.
const (
	TargetPlan       = 0.65 // plan / floor, wall and CPU
	TargetApply      = 0.90 // apply / floor
	TargetDestroy    = 0.90 // destroy / floor
	TargetPlanTFData = 3.0  // plan / terraform_data
	TargetPeer       = 1.0  // every phase / peer, at the peer's Ns
)

type cellKey struct {
	v   Variant
	n   int
	lat time.Duration
	ph  Phase
}

// summary groups the phase results of every repetition.
type summary struct {
	cells map[cellKey][]PhaseResult
	reps  map[cellKey][]repResult
}

type repResult struct {
	rep int
	PhaseResult
}

func summarize(runs []RunResult) summary {
	s := summary{cells: map[cellKey][]PhaseResult{}, reps: map[cellKey][]repResult{}}
	for _, r := range runs {
		for ph, pr := range r.Phases {
			k := cellKey{r.Variant, r.N, r.Latency, ph}
			s.cells[k] = append(s.cells[k], pr)
			s.reps[k] = append(s.reps[k], repResult{r.Rep, pr})
		}
	}
	return s
}

func (s summary) walls(k cellKey) []time.Duration {
	var out []time.Duration
	for _, pr := range s.cells[k] {
		out = append(out, pr.Wall)
	}
	return out
}

// medianOf is the median of one duration picked from each repetition.
func (s summary) medianOf(k cellKey, pick func(PhaseResult) time.Duration) time.Duration {
	var ds []time.Duration
	for _, pr := range s.cells[k] {
		ds = append(ds, pick(pr))
	}
	return Median(ds)
}

// pairedRatio is the median over repetitions of the ratio between a's and
// b's wall times in the same repetition. Runs of one repetition follow each
// other closely, so a burst of load on the machine tends to hit both, which
// makes this steadier than the ratio of the medians.
func (s summary) pairedRatio(a, b Variant, n int, lat time.Duration, ph Phase) float64 {
	byRep := map[int]time.Duration{}
	for _, pr := range s.reps[cellKey{b, n, lat, ph}] {
		byRep[pr.rep] = pr.Wall
	}
	var rs []float64
	for _, pr := range s.reps[cellKey{a, n, lat, ph}] {
		if w, ok := byRep[pr.rep]; ok && w > 0 {
			rs = append(rs, float64(pr.Wall)/float64(w))
		}
	}
	return MedianFloat(rs)
}

func cpuOf(pr PhaseResult) time.Duration         { return pr.CPU }
func providerCPUOf(pr PhaseResult) time.Duration { return pr.ProviderCPU }

func (s summary) median(v Variant, n int, lat time.Duration, ph Phase) time.Duration {
	return Median(s.walls(cellKey{v, n, lat, ph}))
}

func (s summary) counts(k cellKey, op string) []int {
	var out []int
	for _, pr := range s.cells[k] {
		out = append(out, pr.Requests[op])
	}
	return out
}

func (s summary) others(k cellKey) []int {
	var out []int
	for _, pr := range s.cells[k] {
		n := 0
		for op, c := range pr.Requests {
			if op != emulator.OpMint && op != emulator.OpList && op != emulator.OpRevoke {
				n += c
			}
		}
		out = append(out, n)
	}
	return out
}

func (s summary) failed(k cellKey) []int {
	var out []int
	for _, pr := range s.cells[k] {
		out = append(out, pr.Failed)
	}
	return out
}

func (s summary) peak(k cellKey) int64 {
	var p int64
	for _, pr := range s.cells[k] {
		p = max(p, pr.PeakKiB)
	}
	return p
}

// requestCell renders mint/list/revoke counts, ranges when repetitions
// disagree, with other requests and failures appended when there are any.
func (s summary) requestCell(k cellKey) string {
	c := FormatRange(s.counts(k, emulator.OpMint)) + "/" + FormatRange(s.counts(k, emulator.OpList)) + "/" + FormatRange(s.counts(k, emulator.OpRevoke))
	if o := s.others(k); slices.Max(o) > 0 {
		c += " +" + FormatRange(o) + " other"
	}
	if f := s.failed(k); slices.Max(f) > 0 {
		c += " (" + FormatRange(f) + " failed)"
	}
	return c
}

// Report renders the results as Markdown: the machine, the command, one
// table per latency, the growth in N and the targets.
func Report(res *Results, command string) string {
	var b strings.Builder
	s := summarize(res.Runs)
	o := res.Opts
	m := res.Machine

	if m.CPUs > 0 {
		fmt.Fprintf(&b, "Measured %s UTC, %s in all.\n\n", res.Started.UTC().Format("2006-01-02 15:04"), res.Stopped.Sub(res.Started).Round(time.Second))
		fmt.Fprintf(&b, "- Machine: %d CPUs, %s, %s RAM, Linux %s\n", m.CPUs, m.CPUModel, m.MemTotal, m.Kernel)
		fmt.Fprintf(&b, "- Go %s, Terraform %s\n", strings.TrimPrefix(m.GoVersion, "go"), m.Terraform)
		fmt.Fprintf(&b, "- Load average (1/5/15 min) before: %s; after: %s\n", res.LoadBefore, res.LoadAfter)
	}
	fmt.Fprintf(&b, "- %d repetitions per cell, variants interleaved in rotating order; -parallelism=%d; TF_IN_AUTOMATION=1; "+
		"%d service accounts; /proc polled every %s\n", o.Reps, o.Parallelism, o.Users, o.Poll)
	if command != "" {
		fmt.Fprintf(&b, "- Command: `%s`\n", command)
	}
	peerFlags := ""
	if len(o.PeerNs) > 0 {
		peerFlags = " -peer-n " + joinInts(o.PeerNs)
	}
	fmt.Fprintf(&b, "- Settings: `-n %s -reps %d -latency %s -users %d -parallelism %d -poll %s%s`\n",
		joinInts(o.Ns), o.Reps, strings.Join(latFlags(o.Latencies), ","), o.Users, o.Parallelism, o.Poll, peerFlags)

	if len(res.Startups) > 0 {
		fmt.Fprintf(&b, "\n### Process start\n\nFrom exec to the go-plugin handshake line (the provider ready for its first call), with no log "+
			"setting, median of %d starts per binary, interleaved. Terraform starts 3 to 5 provider processes per command.\n\n", res.Startups[0].Samples)
		t := Table{Header: []string{"variant", ">wall, ms", ">CPU, ms"}}
		for _, st := range res.Startups {
			t.AddRow(string(st.Variant), strconv.FormatFloat(float64(st.Wall)/float64(time.Millisecond), 'f', 1, 64),
				strconv.FormatFloat(float64(st.CPU)/float64(time.Millisecond), 'f', 1, 64))
		}
		b.WriteString(t.Markdown())
	}
	for _, lat := range o.Latencies {
		fmt.Fprintf(&b, "\n### Emulated API latency %s\n\n", latencyLabel(lat))
		fmt.Fprintf(&b, "Wall time, seconds, median of %d runs. \"vs\" = ratio of the medians; \"paired\" = median of the ratios "+
			"within each repetition (the runs of a repetition follow each other, so it is less hurt by bursts of load). "+
			"API = requests the emulator saw in the phase, mint/list/revoke (a range when runs differ). "+
			"Spread = (max-min)/median of the motherduck and the noop runs.\n\n", o.Reps)
		t := Table{Header: []string{">N", "phase", ">motherduck", ">noop floor", ">terraform_data", ">vs floor", ">paired", ">vs terraform_data", ">paired", ">API (m/l/r)", ">spread md / noop"}}
		for _, n := range o.Ns {
			for _, ph := range Phases {
				md, noop, tfd := s.median(Real, n, lat, ph), s.median(Noop, n, lat, ph), s.median(TFData, n, lat, ph)
				kr, kn := cellKey{Real, n, lat, ph}, cellKey{Noop, n, lat, ph}
				t.AddRow(strconv.Itoa(n), string(ph), FormatSeconds(md), FormatSeconds(noop), FormatSeconds(tfd),
					FormatRatio(Ratio(md, noop)), FormatRatio(s.pairedRatio(Real, Noop, n, lat, ph)),
					FormatRatio(Ratio(md, tfd)), FormatRatio(s.pairedRatio(Real, TFData, n, lat, ph)), s.requestCell(kr),
					percent(Spread(s.walls(kr)))+" / "+percent(Spread(s.walls(kn))))
			}
		}
		b.WriteString(t.Markdown())
		fmt.Fprintf(&b, "\nCPU time (user + system), seconds, median of %d runs: Terraform and every provider process it ran, and "+
			"the provider processes' part of it (polled from /proc). CPU time is much less sensitive than wall time to "+
			"other load on the machine. Peak = largest VmHWM of a provider process in any run, MiB.\n\n", o.Reps)
		c := Table{Header: []string{">N", "phase", ">motherduck", ">(provider)", ">noop floor", ">(provider)", ">terraform_data", ">CPU vs floor", ">peak motherduck", ">peak noop"}}
		for _, n := range o.Ns {
			for _, ph := range Phases {
				kr, kn, kt := cellKey{Real, n, lat, ph}, cellKey{Noop, n, lat, ph}, cellKey{TFData, n, lat, ph}
				md, noop := s.medianOf(kr, cpuOf), s.medianOf(kn, cpuOf)
				c.AddRow(strconv.Itoa(n), string(ph), FormatSeconds(md), FormatSeconds(s.medianOf(kr, providerCPUOf)),
					FormatSeconds(noop), FormatSeconds(s.medianOf(kn, providerCPUOf)), FormatSeconds(s.medianOf(kt, cpuOf)),
					FormatRatio(Ratio(md, noop)), FormatMiB(s.peak(kr)), FormatMiB(s.peak(kn)))
			}
		}
		b.WriteString(c.Markdown())
		if pt := peerTable(s, o, lat); pt != nil {
			peer := o.Peer
			if peer == "" {
				peer = "an external provider"
			}
			fmt.Fprintf(&b, "\nSide by side with the peer (%s), same run, same emulator: wall and CPU time, seconds, median of %d runs; "+
				"\"paired\" as above.\n\n", peer, o.Reps)
			b.WriteString(pt.Markdown())
		}
		if len(o.Ns) > 1 {
			b.WriteString("\n" + growthTable(s, o.Ns, lat).Markdown())
		}
	}
	b.WriteString("\n### Targets\n\n")
	b.WriteString(targetsTable(s, o).Markdown())
	return b.String()
}

func percent(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

func latencyLabel(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	return d.String()
}

// growthTable shows how each median grows with N: the time for the smallest
// and largest N, their ratio next to the ratio of the Ns, and the marginal
// cost per resource between consecutive Ns (flat when growth is linear).
func growthTable(s summary, ns []int, lat time.Duration) *Table {
	lo, hi := ns[0], ns[len(ns)-1]
	head := []string{"variant", "phase", fmt.Sprintf(">N=%d", lo), fmt.Sprintf(">N=%d", hi), fmt.Sprintf(">growth (N x%s)", trimFloat(float64(hi)/float64(lo)))}
	for i := 1; i < len(ns); i++ {
		head = append(head, fmt.Sprintf(">ms/resource %d→%d", ns[i-1], ns[i]))
	}
	t := &Table{Header: head}
	for _, v := range []Variant{Real, Noop, TFData} {
		for _, ph := range Phases {
			a, z := s.median(v, lo, lat, ph), s.median(v, hi, lat, ph)
			row := []string{string(v), string(ph), FormatSeconds(a), FormatSeconds(z), FormatRatio(Ratio(z, a))}
			for i := 1; i < len(ns); i++ {
				d := s.median(v, ns[i], lat, ph) - s.median(v, ns[i-1], lat, ph)
				per := float64(d) / float64(time.Millisecond) / float64(ns[i]-ns[i-1])
				row = append(row, strconv.FormatFloat(per, 'f', 1, 64))
			}
			t.AddRow(row...)
		}
	}
	return t
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// targetsTable checks the targets at the largest N, and the request
// counts at every N.
func targetsTable(s summary, o Options) *Table {
	t := &Table{Header: []string{"target", "wall: ratio of medians", "paired", "CPU", "vs terraform_data", "limit", "result"}}
	n := slices.Max(o.Ns)
	for _, lat := range o.Latencies {
		for _, tg := range []struct {
			ph    Phase
			limit float64
		}{{Plan, TargetPlan}, {Apply, TargetApply}, {Destroy, TargetDestroy}} {
			md, noop, tfd := s.median(Real, n, lat, tg.ph), s.median(Noop, n, lat, tg.ph), s.median(TFData, n, lat, tg.ph)
			r, p := Ratio(md, noop), s.pairedRatio(Real, Noop, n, lat, tg.ph)
			cpu := Ratio(s.medianOf(cellKey{Real, n, lat, tg.ph}, cpuOf), s.medianOf(cellKey{Noop, n, lat, tg.ph}, cpuOf))
			v := wallVerdict(r, p, tg.limit)
			if tg.ph == Plan && v == "met" && !(cpu > 0 && cpu <= tg.limit) {
				v = "**MISSED** (CPU)"
			}
			t.AddRow(fmt.Sprintf("%s N=%d, latency %s: motherduck / noop floor", tg.ph, n, latencyLabel(lat)),
				fmt.Sprintf("%s (%ss / %ss)", FormatRatio(r), FormatSeconds(md), FormatSeconds(noop)), FormatRatio(p),
				FormatRatio(cpu), FormatRatio(Ratio(md, tfd)), "<= "+FormatRatio(tg.limit), v)
		}
		md, tfd := s.median(Real, n, lat, Plan), s.median(TFData, n, lat, Plan)
		r, p := Ratio(md, tfd), s.pairedRatio(Real, TFData, n, lat, Plan)
		t.AddRow(fmt.Sprintf("plan N=%d, latency %s: motherduck / terraform_data", n, latencyLabel(lat)),
			fmt.Sprintf("%s (%ss / %ss)", FormatRatio(r), FormatSeconds(md), FormatSeconds(tfd)), FormatRatio(p),
			"", FormatRatio(r), "<= "+FormatRatio(TargetPlanTFData), wallVerdict(r, p, TargetPlanTFData))
		for _, pn := range o.PeerNs {
			for _, ph := range Phases {
				kp := cellKey{Peer, pn, lat, ph}
				if len(s.cells[kp]) == 0 {
					continue
				}
				md, peer := s.median(Real, pn, lat, ph), s.median(Peer, pn, lat, ph)
				r, p := Ratio(md, peer), s.pairedRatio(Real, Peer, pn, lat, ph)
				cpu := Ratio(s.medianOf(cellKey{Real, pn, lat, ph}, cpuOf), s.medianOf(kp, cpuOf))
				t.AddRow(fmt.Sprintf("%s N=%d, latency %s: motherduck / peer", ph, pn, latencyLabel(lat)),
					fmt.Sprintf("%s (%ss / %ss)", FormatRatio(r), FormatSeconds(md), FormatSeconds(peer)), FormatRatio(p),
					FormatRatio(cpu), "", "< "+FormatRatio(TargetPeer), peerVerdict(r, p))
			}
		}
	}

	// Request counts, at every N and latency.
	users := o.Users
	planOK, applyOK, destroyOK := true, true, true
	var planLists, applyLists, destroyLists []string
	for _, lat := range o.Latencies {
		for _, n := range o.Ns {
			pk, ak, dk := cellKey{Real, n, lat, Plan}, cellKey{Real, n, lat, Apply}, cellKey{Real, n, lat, Destroy}
			pl, al, dl := s.counts(pk, emulator.OpList), s.counts(ak, emulator.OpList), s.counts(dk, emulator.OpList)
			planOK = planOK && allEqual(pl, min(users, n)) && allEqual(s.counts(pk, emulator.OpMint), 0) && allEqual(s.counts(pk, emulator.OpRevoke), 0)
			applyOK = applyOK && allEqual(s.counts(ak, emulator.OpMint), n) && slices.Max(al) <= users
			destroyOK = destroyOK && allEqual(s.counts(dk, emulator.OpRevoke), n) && slices.Max(dl) <= users
			planLists = append(planLists, FormatRange(pl))
			applyLists = append(applyLists, FormatRange(al))
			destroyLists = append(destroyLists, FormatRange(dl))
		}
	}
	where := "N=" + joinInts(o.Ns) + " x latency " + latList(o.Latencies)
	t.AddRow("plan: exactly one list per user (of the min(N, users) used), flat in N, nothing else", "lists "+strings.Join(planLists, ", ")+" ("+where+")", "", "", "", fmt.Sprintf("min(N, %d)", users), verdict(planOK))
	t.AddRow("apply: N mints + at most one baseline list per user", "lists "+strings.Join(applyLists, ", "), "", "", "", fmt.Sprintf("N / <= %d", users), verdict(applyOK))
	t.AddRow("destroy: N revokes (+ the refresh's lists)", "lists "+strings.Join(destroyLists, ", "), "", "", "", fmt.Sprintf("N / <= %d", users), verdict(destroyOK))
	return t
}

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ",")
}

func latFlags(ls []time.Duration) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = latencyName(l)
	}
	return out
}

func latList(ls []time.Duration) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = latencyLabel(l)
	}
	return strings.Join(out, ",")
}

func allEqual(vs []int, want int) bool {
	if len(vs) == 0 {
		return false
	}
	for _, v := range vs {
		if v != want {
			return false
		}
	}
	return true
}

// wallVerdict judges a wall-time target on both estimates: met or missed
// when they agree, and says which one missed when they do not.
func wallVerdict(ofMedians, paired, limit float64) string {
	a, b := ofMedians > 0 && ofMedians <= limit, paired > 0 && paired <= limit
	switch {
	case a && b:
		return "met"
	case !a && !b:
		return "**MISSED**"
	case a:
		return "**MISSED** (paired only)"
	default:
		return "**MISSED** (ratio of medians only)"
	}
}

// peerVerdict: faster than the peer means both wall estimates below 1.
func peerVerdict(ofMedians, paired float64) string {
	if ofMedians > 0 && ofMedians < TargetPeer && paired > 0 && paired < TargetPeer {
		return "met"
	}
	return "**MISSED**"
}

// peerTable compares the real provider with the peer at the Ns where the
// peer ran; nil when it did not.
func peerTable(s summary, o Options, lat time.Duration) *Table {
	t := &Table{Header: []string{">N", "phase", ">motherduck", ">peer", ">terraform_data", ">md / peer", ">paired", ">CPU motherduck", ">(provider)", ">CPU peer", ">(provider)", ">API peer (m/l/r)", ">peak md", ">peak peer"}}
	for _, n := range o.PeerNs {
		for _, ph := range Phases {
			kr, kp := cellKey{Real, n, lat, ph}, cellKey{Peer, n, lat, ph}
			if len(s.cells[kp]) == 0 {
				continue
			}
			md, peer := s.median(Real, n, lat, ph), s.median(Peer, n, lat, ph)
			t.AddRow(strconv.Itoa(n), string(ph), FormatSeconds(md), FormatSeconds(peer), FormatSeconds(s.median(TFData, n, lat, ph)),
				FormatRatio(Ratio(md, peer)), FormatRatio(s.pairedRatio(Real, Peer, n, lat, ph)),
				FormatSeconds(s.medianOf(kr, cpuOf)), FormatSeconds(s.medianOf(kr, providerCPUOf)),
				FormatSeconds(s.medianOf(kp, cpuOf)), FormatSeconds(s.medianOf(kp, providerCPUOf)), s.requestCell(kp),
				FormatMiB(s.peak(kr)), FormatMiB(s.peak(kp)))
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**MISSED**"
}

// csvHeader names the columns WriteCSV writes and ReadCSV reads.
var csvHeader = []string{"variant", "n", "latency_ms", "rep", "phase", "wall_s", "mint", "list", "revoke", "other", "failed", "peak_kib", "provider_procs", "cpu_s", "provider_cpu_s"}

// ReadCSV reads what WriteCSV wrote, so a report can be rendered again
// (bench -from-csv). Requests other than mint, list and revoke come back
// under the op "other".
func ReadCSV(r io.Reader) ([]RunResult, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		return nil, fmt.Errorf("not a bench CSV: the header must be %s", strings.Join(csvHeader, ","))
	}
	type runKey struct {
		v   Variant
		n   int
		lat time.Duration
		rep int
	}
	var out []RunResult
	index := map[runKey]int{}
	for i, row := range rows[1:] {
		var num [14]float64
		for j := 1; j < len(csvHeader); j++ {
			if j == 4 {
				continue
			}
			f, err := strconv.ParseFloat(row[j], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d, %s: %w", i+2, csvHeader[j], err)
			}
			num[j-1] = f
		}
		secs := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
		k := runKey{Variant(row[0]), int(num[0]), time.Duration(num[1]) * time.Millisecond, int(num[2])}
		at, ok := index[k]
		if !ok {
			at = len(out)
			index[k] = at
			out = append(out, RunResult{Variant: k.v, N: k.n, Latency: k.lat, Rep: k.rep, Phases: map[Phase]PhaseResult{}})
		}
		pr := PhaseResult{Wall: secs(num[4]), Failed: int(num[9]), PeakKiB: int64(num[10]), Procs: int(num[11]), CPU: secs(num[12]), ProviderCPU: secs(num[13])}
		if k.v == Real || k.v == Peer {
			pr.Requests = map[string]int{emulator.OpMint: int(num[5]), emulator.OpList: int(num[6]), emulator.OpRevoke: int(num[7])}
			if num[8] > 0 {
				pr.Requests["other"] = int(num[8])
			}
		}
		out[at].Phases[Phase(row[4])] = pr
	}
	return out, nil
}

// OptionsFromRuns returns the Ns, latencies and repetitions runs cover,
// sorted, in o.
func OptionsFromRuns(runs []RunResult, o Options) Options {
	o.Ns, o.Latencies, o.Reps, o.PeerNs = nil, nil, 0, nil
	for _, r := range runs {
		if r.Variant == Peer && !slices.Contains(o.PeerNs, r.N) {
			o.PeerNs = append(o.PeerNs, r.N)
		}
		// -n are the Ns where the floor ran; the peer's Ns may be others.
		if r.Variant == Noop && !slices.Contains(o.Ns, r.N) {
			o.Ns = append(o.Ns, r.N)
		}
		if !slices.Contains(o.Latencies, r.Latency) {
			o.Latencies = append(o.Latencies, r.Latency)
		}
		o.Reps = max(o.Reps, r.Rep+1)
	}
	slices.Sort(o.Ns)
	slices.Sort(o.PeerNs)
	slices.Sort(o.Latencies)
	return o
}

// WriteCSV writes one line per phase of every run, for further analysis.
func WriteCSV(w io.Writer, runs []RunResult) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	for _, r := range runs {
		for _, ph := range Phases {
			pr, ok := r.Phases[ph]
			if !ok {
				continue
			}
			other := 0
			for op, c := range pr.Requests {
				if op != emulator.OpMint && op != emulator.OpList && op != emulator.OpRevoke {
					other += c
				}
			}
			_ = cw.Write([]string{string(r.Variant), strconv.Itoa(r.N), strconv.FormatInt(r.Latency.Milliseconds(), 10), strconv.Itoa(r.Rep),
				string(ph), strconv.FormatFloat(pr.Wall.Seconds(), 'f', 3, 64), strconv.Itoa(pr.Requests[emulator.OpMint]),
				strconv.Itoa(pr.Requests[emulator.OpList]), strconv.Itoa(pr.Requests[emulator.OpRevoke]), strconv.Itoa(other),
				strconv.Itoa(pr.Failed), strconv.FormatInt(pr.PeakKiB, 10), strconv.Itoa(pr.Procs),
				strconv.FormatFloat(pr.CPU.Seconds(), 'f', 3, 64), strconv.FormatFloat(pr.ProviderCPU.Seconds(), 'f', 3, 64)})
		}
	}
	cw.Flush()
	return cw.Error()
}
