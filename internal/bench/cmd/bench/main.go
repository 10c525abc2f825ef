// Command bench measures the MotherDuck provider through the real Terraform
// CLI against an in-process API emulator, next to two baselines
// (terraform_data and a do-nothing framework provider), and prints Markdown
// tables of the results. scripts/bench.sh (make bench) builds the provider
// binaries and runs it; see BENCHMARKS.md.
//
// Usage:
//
//	bench -real-dir DIR -noop-dir DIR [-terraform PATH] [-n 1,10,50,500] [-reps 3] [-latency 0,50ms] [-peer BINARY -peer-n 200] ...
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tf := fs.String("terraform", "terraform", "Terraform CLI binary")
	realDir := fs.String("real-dir", "", "directory holding terraform-provider-motherduck (required)")
	noopDir := fs.String("noop-dir", "", "directory holding terraform-provider-mdnoop (required)")
	workDir := fs.String("workdir", ".bench", "directory for run directories, the CLI config and results")
	ns := fs.String("n", "1,10,50,500", "comma-separated resource counts")
	peer := fs.String("peer", "", "an external provider binary to measure side by side (a motherduck_token resource configured by MOTHERDUCK_API_TOKEN and MOTHERDUCK_API_BASE_URL: the community provider); never committed")
	peerNs := fs.String("peer-n", "200", "comma-separated resource counts at which the peer runs, side by side with the real provider and terraform_data")
	reps := fs.Int("reps", 3, "repetitions of each variant, N and latency (the median is reported)")
	lats := fs.String("latency", "0,50ms", "comma-separated emulated API latencies")
	users := fs.Int("users", 4, "service accounts the tokens are spread over")
	par := fs.Int("parallelism", 10, "terraform -parallelism")
	poll := fs.Duration("poll", 20*time.Millisecond, "/proc polling interval for the provider's peak memory")
	startups := fs.Int("startups", 20, "process starts of each provider binary to time, interleaved, before the runs (0: none)")
	warmup := fs.Bool("warmup", true, "one unrecorded small run of each variant first")
	keep := fs.Bool("keep", false, "keep run directories (state, logs) after a successful run")
	out := fs.String("out", "", "also write the Markdown report to this file")
	label := fs.String("command", "", "the command line to print in the report (default: this program's arguments)")
	fromCSV := fs.String("from-csv", "", "render the report again from a runs.csv an earlier run wrote, without running anything")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	nList, err := bench.ParseInts(*ns)
	if err != nil {
		fmt.Fprintf(stderr, "bench: -n: %v\n", err)
		return 2
	}
	peerNList, err := bench.ParseInts(*peerNs)
	if err != nil {
		fmt.Fprintf(stderr, "bench: -peer-n: %v\n", err)
		return 2
	}
	if *peer == "" {
		peerNList = nil
	}
	latList, err := bench.ParseDurations(*lats)
	if err != nil {
		fmt.Fprintf(stderr, "bench: -latency: %v\n", err)
		return 2
	}
	if *fromCSV != "" {
		return rerender(*fromCSV, bench.Options{Users: *users, Parallelism: *par, Poll: *poll}, stdout, stderr)
	}
	if *realDir == "" || *noopDir == "" {
		fmt.Fprintln(stderr, "bench: -real-dir and -noop-dir are required (scripts/bench.sh sets them)")
		return 2
	}
	opts := bench.Options{
		Terraform: *tf, RealDir: *realDir, NoopDir: *noopDir, WorkDir: *workDir, Peer: *peer, PeerNs: peerNList,
		Ns: nList, Reps: *reps, Latencies: latList, Users: *users, Parallelism: *par,
		Poll: *poll, Warmup: *warmup, Startups: *startups, Keep: *keep, Progress: stderr,
	}
	res, err := bench.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	cmdLine := *label
	if cmdLine == "" {
		cmdLine = "bench " + strings.Join(args, " ")
	}
	report := bench.Report(res, cmdLine)
	fmt.Fprint(stdout, report)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
	}
	csvPath := filepath.Join(*workDir, "runs.csv")
	f, err := os.Create(csvPath)
	if err == nil {
		err = bench.WriteCSV(f, res.Runs)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench: writing %s: %v\n", csvPath, err)
		return 1
	}
	fmt.Fprintf(stderr, "bench: every run's figures are in %s\n", csvPath)
	return 0
}

// rerender prints the report of the runs in a CSV file (without the machine
// description, which the CSV does not hold).
func rerender(path string, opts bench.Options, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	defer func() { _ = f.Close() }()
	runs, err := bench.ReadCSV(f)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %s: %v\n", path, err)
		return 1
	}
	res := &bench.Results{Opts: bench.OptionsFromRuns(runs, opts), Runs: runs}
	fmt.Fprint(stdout, bench.Report(res, ""))
	return 0
}
