package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Binary names Terraform looks for in a dev_overrides directory.
const (
	realBinary = "terraform-provider-motherduck"
	noopBinary = "terraform-provider-mdnoop"
)

// Options configure a benchmark.
type Options struct {
	Terraform   string          // Terraform CLI binary
	RealDir     string          // directory holding terraform-provider-motherduck
	NoopDir     string          // directory holding terraform-provider-mdnoop
	Peer        string          // an external provider binary to compare with ("" for none)
	PeerNs      []int           // the Ns at which the peer runs, with the real provider and terraform_data
	WorkDir     string          // run directories and the CLI config go here
	Ns          []int           // resource counts
	Reps        int             // repetitions of each (variant, N, latency)
	Latencies   []time.Duration // emulated API latencies
	Users       int             // service accounts the tokens are spread over
	Parallelism int             // terraform -parallelism
	Poll        time.Duration   // /proc polling interval for peak memory
	Warmup      bool            // one unrecorded run of each variant first
	Startups    int             // process starts of each provider binary to time (0: none)
	Keep        bool            // keep run directories (logs, state)
	Progress    io.Writer       // one line per run; nil for none
}

// PhaseResult is the measure of one Terraform command.
type PhaseResult struct {
	Wall time.Duration
	// Requests counts the emulator's requests by op (mint, list, revoke,
	// ...); nil for the baselines, which make none.
	Requests map[string]int
	// Failed counts requests answered with a status >= 400 or dropped.
	Failed int
	// PeakKiB is the largest VmHWM of any provider process of the command
	// (0 for terraform_data, which runs inside Terraform); Procs is how many
	// provider processes were seen.
	PeakKiB int64
	Procs   int
	// CPU is the user + system time of Terraform and every process it
	// waited for (the providers), from the kernel's accounting.
	CPU time.Duration
	// ProviderCPU is the provider processes' share of it, as last seen by
	// the /proc poller (at most one polling interval short per process).
	ProviderCPU time.Duration
}

// RunResult is one apply, plan, destroy sequence.
type RunResult struct {
	Variant Variant
	N       int
	Latency time.Duration
	Rep     int
	Phases  map[Phase]PhaseResult
}

// Results are everything a benchmark measured.
type Results struct {
	Opts             Options
	Machine          Machine
	Started, Stopped time.Time
	LoadBefore       string // /proc/loadavg at the start
	LoadAfter        string // and at the end
	Startups         []Startup
	Runs             []RunResult
}

// Run performs the benchmark: for each latency, each N and each repetition,
// one run of each variant in an order that rotates with the repetition.
func Run(ctx context.Context, opts Options) (*Results, error) {
	r, err := newRunner(opts)
	if err != nil {
		return nil, err
	}
	res := &Results{Opts: r.opts, Machine: ReadMachine(ctx, opts.Terraform), Started: time.Now(), LoadBefore: loadAvg()}
	if opts.Warmup {
		for _, v := range r.variants(-1) {
			if _, err := r.runOne(ctx, v, min(opts.Ns[0], 10), 0, -1); err != nil {
				return nil, fmt.Errorf("warm-up: %w", err)
			}
		}
	}
	if opts.Startups > 0 {
		if res.Startups, err = r.measureStartups(ctx, opts.Startups); err != nil {
			return nil, fmt.Errorf("timing process starts: %w", err)
		}
	}
	for _, lat := range opts.Latencies {
		for _, n := range r.allNs() {
			for rep := range opts.Reps {
				for _, v := range Rotate(r.variants(n), rep) {
					rr, err := r.runOne(ctx, v, n, lat, rep)
					if err != nil {
						return res, err
					}
					res.Runs = append(res.Runs, rr)
				}
			}
		}
	}
	res.Stopped = time.Now()
	res.LoadAfter = loadAvg()
	return res, nil
}

type runner struct {
	opts    Options
	users   []string
	cliConf string
	realExe string
	noopExe string
	peerExe string
}

// allNs are the Ns to run, in order: -n and the peer's.
func (r *runner) allNs() []int {
	ns := slices.Clone(r.opts.Ns)
	if r.peerExe != "" {
		ns = append(ns, r.opts.PeerNs...)
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// variants are the variants measured at n: all three at -n; the peer at its
// Ns, where the real provider and terraform_data run too but not the noop
// floor (the slowest of all, and not needed for the comparison). n < 0 asks
// for every variant (the warm-up).
func (r *runner) variants(n int) []Variant {
	vs := Variants
	if n >= 0 && !slices.Contains(r.opts.Ns, n) {
		vs = slices.DeleteFunc(slices.Clone(Variants), func(v Variant) bool { return v == Noop })
	}
	if r.peerExe == "" || (n >= 0 && !slices.Contains(r.opts.PeerNs, n)) {
		return vs
	}
	return append(slices.Clone(vs), Peer)
}

func newRunner(opts Options) (*runner, error) {
	if opts.Reps < 1 || len(opts.Ns) == 0 || len(opts.Latencies) == 0 || opts.Users < 1 || opts.Parallelism < 1 {
		return nil, errors.New("bench: need at least one N, one latency, one repetition, one user and parallelism >= 1")
	}
	if opts.Poll <= 0 {
		opts.Poll = 20 * time.Millisecond
	}
	r := &runner{opts: opts, users: Usernames(opts.Users)}
	var err error
	for _, p := range []*string{&r.opts.WorkDir, &r.opts.RealDir, &r.opts.NoopDir} {
		if *p, err = filepath.Abs(*p); err != nil {
			return nil, err
		}
	}
	if r.realExe, err = providerExe(r.opts.RealDir, realBinary); err != nil {
		return nil, err
	}
	if r.noopExe, err = providerExe(r.opts.NoopDir, noopBinary); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.opts.WorkDir, 0o755); err != nil {
		return nil, err
	}
	peerDir := ""
	if opts.Peer != "" {
		// dev_overrides wants terraform-provider-<type> in a directory.
		if r.peerExe, err = filepath.EvalSymlinks(opts.Peer); err != nil {
			return nil, fmt.Errorf("bench: -peer: %w", err)
		}
		peerDir = filepath.Join(r.opts.WorkDir, "bin", "peer")
		link := filepath.Join(peerDir, "terraform-provider-motherduck")
		if err := os.MkdirAll(peerDir, 0o755); err != nil {
			return nil, err
		}
		if err := os.Remove(link); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		if err := os.Symlink(r.peerExe, link); err != nil {
			return nil, err
		}
	}
	r.cliConf = filepath.Join(r.opts.WorkDir, "terraformrc")
	if err := os.WriteFile(r.cliConf, []byte(CLIConfig(r.opts.RealDir, r.opts.NoopDir, peerDir)), 0o644); err != nil {
		return nil, err
	}
	return r, nil
}

// providerExe is the resolved path of a provider binary, as /proc/<pid>/exe
// shows it.
func providerExe(dir, name string) (string, error) {
	p, err := filepath.EvalSymlinks(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("bench: provider binary %s not found in %s (scripts/bench.sh builds it): %w", name, dir, err)
	}
	return p, nil
}

// env is the environment of every Terraform command: the caller's, without
// anything that would change Terraform's or the provider's behaviour.
func (r *runner) env() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(strings.ToUpper(k), "MOTHERDUCK_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+r.cliConf)
}

func latencyName(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.String()
}

// runOne runs apply, plan and destroy of n resources of variant v in a fresh
// directory (and, for the real provider, against a fresh emulator). rep < 0
// is a warm-up.
func (r *runner) runOne(ctx context.Context, v Variant, n int, lat time.Duration, rep int) (RunResult, error) {
	rr := RunResult{Variant: v, N: n, Latency: lat, Rep: rep, Phases: map[Phase]PhaseResult{}}
	name := fmt.Sprintf("%s-n%d-lat%s-rep%d", v, n, latencyName(lat), rep)
	if rep < 0 {
		name = fmt.Sprintf("warmup-%s", v)
	}
	dir := filepath.Join(r.opts.WorkDir, "runs", name)
	if err := os.RemoveAll(dir); err != nil {
		return rr, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rr, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(ConfigFor(v, n, r.users)), 0o644); err != nil {
		return rr, err
	}

	env := r.env()
	var em *emulator.Server
	exe := ""
	switch v {
	case Real, Peer:
		em = emulator.New()
		em.SetRealTimeClock(true)
		for _, u := range r.users {
			em.AddServiceAccount(u)
		}
		em.SetLatency(lat)
		url := em.Start()
		defer em.Close()
		exe = r.realExe
		env = append(env, "MOTHERDUCK_API_URL="+url, "MOTHERDUCK_TOKEN="+em.AdminToken())
		if v == Peer {
			// The community provider's variables.
			exe = r.peerExe
			env = append(env, "MOTHERDUCK_API_BASE_URL="+url, "MOTHERDUCK_API_TOKEN="+em.AdminToken())
		}
	case Noop:
		exe = r.noopExe
	}

	p := "-parallelism=" + strconv.Itoa(r.opts.Parallelism)
	for _, ph := range Phases {
		var args []string
		switch ph {
		case Apply:
			args = []string{"apply", "-auto-approve", "-input=false", "-no-color", p}
		case Plan:
			args = []string{"plan", "-refresh=true", "-detailed-exitcode", "-input=false", "-no-color", p}
		case Destroy:
			args = []string{"destroy", "-auto-approve", "-input=false", "-no-color", p}
		}
		if em != nil {
			em.ResetRequests()
		}
		logPath := filepath.Join(dir, string(ph)+".log")
		pr, out, err := r.runPhase(ctx, dir, env, exe, logPath, args)
		if err != nil {
			return rr, fmt.Errorf("%s: terraform %s: %w\n%s", name, ph, err, tail(out, 30))
		}
		if err := checkOutput(ph, n, out); err != nil {
			return rr, fmt.Errorf("%s: terraform %s: %w (log %s)\n%s", name, ph, err, logPath, tail(out, 30))
		}
		if em != nil {
			pr.Requests = map[string]int{}
			for _, q := range em.Requests() {
				pr.Requests[q.Op]++
				if q.Status == 0 || q.Status >= 400 {
					pr.Failed++
				}
			}
			if err := r.checkLive(em, ph, n); err != nil {
				return rr, fmt.Errorf("%s: after terraform %s: %w", name, ph, err)
			}
		}
		rr.Phases[ph] = pr
	}
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, "%-40s apply %6ss  plan %6ss  destroy %6ss\n", name,
			FormatSeconds(rr.Phases[Apply].Wall), FormatSeconds(rr.Phases[Plan].Wall), FormatSeconds(rr.Phases[Destroy].Wall))
	}
	if !r.opts.Keep {
		if err := os.RemoveAll(dir); err != nil {
			return rr, err
		}
	}
	return rr, nil
}

// runPhase runs one Terraform command, timing it and watching the provider's
// memory. A non-zero exit is an error (the plan runs with
// -detailed-exitcode, so a plan that is not empty is one too).
func (r *runner) runPhase(ctx context.Context, dir string, env []string, exe, logPath string, args []string) (PhaseResult, []byte, error) {
	var pr PhaseResult
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, r.opts.Terraform, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return pr, nil, err
	}
	// The baselines are watched too (terraform_data has no provider
	// process), so every variant pays the same polling cost.
	w := WatchPeak(cmd.Process.Pid, exe, r.opts.Poll)
	err := cmd.Wait()
	pr.Wall = time.Since(start)
	pr.PeakKiB, pr.Procs, pr.ProviderCPU = w.Stop()
	if ps := cmd.ProcessState; ps != nil {
		pr.CPU = ps.UserTime() + ps.SystemTime()
	}
	if werr := os.WriteFile(logPath, out.Bytes(), 0o644); werr != nil && err == nil {
		err = werr
	}
	return pr, out.Bytes(), err
}

// checkOutput makes sure the command did what the benchmark claims to time.
func checkOutput(ph Phase, n int, out []byte) error {
	var want string
	switch ph {
	case Apply:
		want = fmt.Sprintf("Resources: %d added, 0 changed, 0 destroyed.", n)
	case Plan:
		want = "No changes."
	case Destroy:
		want = fmt.Sprintf("Resources: %d destroyed.", n)
	}
	if !bytes.Contains(out, []byte(want)) {
		return fmt.Errorf("output lacks %q", want)
	}
	return nil
}

// checkLive compares the emulator's live tokens of the bench users with what
// the phase should have left.
func (r *runner) checkLive(em *emulator.Server, ph Phase, n int) error {
	live := 0
	for _, u := range r.users {
		live += len(em.LiveTokens(u))
	}
	want := n
	if ph == Destroy {
		want = 0
	}
	if live != want {
		return fmt.Errorf("the emulator holds %d live tokens of the bench users, want %d", live, want)
	}
	return nil
}

func tail(b []byte, lines int) string {
	s := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(s) > lines {
		s = s[len(s)-lines:]
	}
	return strings.Join(s, "\n")
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
