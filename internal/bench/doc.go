// Package bench measures what the MotherDuck provider costs Terraform: it
// runs the real Terraform CLI (apply, plan with refresh, destroy) over N
// motherduck_user_token resources spread over a few service accounts of an
// in-process API emulator, and the same shape with two baselines run
// interleaved with it: N terraform_data resources (Terraform's own cost) and
// N resources of a do-nothing framework provider with the same schema
// (package noopprovider, the protocol floor). It reports median wall times,
// ratios to both baselines, the API requests of each phase by kind (from the
// emulator's request log) and the provider's peak memory (VmHWM, polled from
// /proc).
//
// The command is internal/bench/cmd/bench; scripts/bench.sh (make bench)
// builds the binaries and runs it. Results live in BENCHMARKS.md.
package bench
