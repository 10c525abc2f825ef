#!/usr/bin/env bash
# The benchmark (make bench): apply, plan (with refresh) and destroy of N
# motherduck_user_token resources through the real Terraform CLI against an
# in-process API emulator, next to two baselines run interleaved with it
# (terraform_data, and a do-nothing provider with the same schema). Prints
# Markdown tables; see BENCHMARKS.md.
#
# Usage: scripts/bench.sh [flags of internal/bench/cmd/bench]
#   e.g. scripts/bench.sh                      (-n 1,10,50,500 -reps 3 -latency 0,50ms)
#        scripts/bench.sh -n 10 -reps 1 -latency 0      (a quick check)
# BENCH_DIR (default .bench) holds the binaries, run directories and results.
# BENCH_PEER, when set, is an external provider binary measured side by side
# (bench -peer) at -peer-n (default 200), next to the real provider and
# terraform_data. It is never built by this script.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tf="$("$REPO_ROOT/scripts/terraform-cli.sh" terraform)"
work="${BENCH_DIR:-$REPO_ROOT/.bench}"
mkdir -p "$work/bin/motherduck" "$work/bin/noop"
# Build into the bench directory, so another build of bin/ cannot swap the
# provider under a running benchmark. -trimpath as in releases.
(
	cd "$REPO_ROOT"
	go build -trimpath -o "$work/bin/motherduck/terraform-provider-motherduck" .
	go build -trimpath -o "$work/bin/noop/terraform-provider-mdnoop" ./internal/bench/cmd/noop-provider
	go build -trimpath -o "$work/bin/bench" ./internal/bench/cmd/bench
)
echo "==> $("$tf" version 2>/dev/null | head -1); provider built from $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- . 2>/dev/null || echo ' (plus uncommitted changes)')" >&2
peer=()
if [[ -n "${BENCH_PEER:-}" ]]; then
	peer=(-peer "$BENCH_PEER")
fi
exec "$work/bin/bench" -terraform "$tf" "${peer[@]}" \
	-real-dir "$work/bin/motherduck" -noop-dir "$work/bin/noop" \
	-workdir "$work" -out "$work/report.md" \
	-command "scripts/bench.sh${*:+ $*}" "$@"
