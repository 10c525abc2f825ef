#!/usr/bin/env bash
# Run the acceptance suite against every supported CLI, one after the other:
#
#   terraform        the Terraform on PATH (1.11.x here); noted and left out
#                    when PATH has none
#   terraform-1.5.7  Terraform 1.5.7, the oldest supported (built into the
#                    cache outside the clone by scripts/terraform-cli.sh)
#   tofu             OpenTofu 1.12.6 (found or built the same way)
#
# Usage: scripts/testacc-matrix.sh [CLI...]      (default: all three)
#
# For each CLI it prints the version, the passed / failed / skipped counts of
# the top-level tests, every skipped test with its skip message (a feature a
# CLI lacks must skip with a message naming the version it needs), and the
# failed tests with the end of their output. The last line is
#   matrix: N passed, N failed, N skipped
# summed over the CLIs. The exit status is non-zero if any CLI could not be
# found or built, or its run failed (a failed test, a build error, a panic).
#
# Settings (environment):
#   TESTACC_PACKAGES  packages to test (default ./internal/provider/...)
#   TESTACC_FLAGS     go test flags (default -count=1 -timeout 30m)
#   MATRIX_OUT        directory for the raw go test -json logs (default: a
#                     new temporary directory, kept and printed)
#
# What each CLI needs, set here so a plain `go test` stays as it is:
#   - TF_ACC_TERRAFORM_PATH points terraform-plugin-testing at the CLI.
#   - OpenTofu resolves a provider without a source to
#     registry.opentofu.org/hashicorp/<name>, while terraform-plugin-testing
#     registers the in-process provider for reattach under
#     registry.terraform.io unless TF_ACC_PROVIDER_HOST says otherwise: for
#     tofu it is set to registry.opentofu.org (for Terraform to
#     registry.terraform.io, whatever the caller exported).
#   - A TF_CLI_CONFIG_FILE that names a missing file makes OpenTofu print a
#     warning on stdout before `tofu version`'s answer, which
#     terraform-plugin-testing cannot then parse; such a setting is replaced
#     by an empty CLI configuration for the run.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI_SCRIPT="$REPO_ROOT/scripts/terraform-cli.sh"
PACKAGES="${TESTACC_PACKAGES:-./internal/provider/...}"
read -r -a TEST_FLAGS <<<"${TESTACC_FLAGS:--count=1 -timeout 30m}"
read -r -a PACKAGE_ARGS <<<"$PACKAGES"

log() { printf 'testacc-matrix: %s\n' "$*" >&2; }

usage() {
	sed -n '2,/^set -euo pipefail$/{/^#/!d;s/^# \{0,1\}//;p}' "$0" >&2
}

CLIS=("$@")
if [[ ${#CLIS[@]} -eq 0 ]]; then
	CLIS=(terraform terraform-1.5.7 tofu)
fi
for c in "${CLIS[@]}"; do
	case "$c" in
	terraform | terraform-1.5.7 | tofu) ;;
	-h | --help | help)
		usage
		exit 0
		;;
	*)
		log "unknown CLI: $c"
		usage
		exit 2
		;;
	esac
done

OUT="${MATRIX_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/testacc-matrix.XXXXXX")}"
mkdir -p "$OUT"
SUMMARY_DIR="$(mktemp -d "${TMPDIR:-/tmp}/testacc-matrix-summary.XXXXXX")"
trap 'rm -rf "$SUMMARY_DIR"' EXIT

# The summary of a `go test -json` stream, in Go so it needs nothing but the
# toolchain. It prints the report and, last, a line "COUNTS <pass> <fail>
# <skip> <package failures>" for this script.
cat >"$SUMMARY_DIR/summary.go" <<'GO'
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type result struct {
	pkg, name, action string
	output            []string
}

func main() {
	results := map[string]*result{}
	var order []string
	pkgFailed := map[string][]string{}
	pkgOutput := map[string][]string{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// not an event (e.g. a build error printed as text)
			pkgOutput["(build)"] = append(pkgOutput["(build)"], string(line))
			continue
		}
		if e.Action == "build-output" {
			pkgOutput["(build)"] = append(pkgOutput["(build)"], strings.TrimRight(e.Output, "\n"))
			continue
		}
		if e.Test == "" {
			switch e.Action {
			case "output":
				pkgOutput[e.Package] = append(pkgOutput[e.Package], strings.TrimRight(e.Output, "\n"))
			case "fail":
				pkgFailed[e.Package] = pkgOutput[e.Package]
			}
			continue
		}
		key := e.Package + " " + e.Test
		r := results[key]
		if r == nil {
			r = &result{pkg: e.Package, name: e.Test}
			results[key] = r
			order = append(order, key)
		}
		switch e.Action {
		case "output":
			r.output = append(r.output, strings.TrimRight(e.Output, "\n"))
		case "pass", "fail", "skip":
			r.action = e.Action
		}
	}

	var pass, fail, skip int
	var skipped, failed []*result
	for _, k := range order {
		r := results[k]
		top := !strings.Contains(r.name, "/")
		switch r.action {
		case "pass":
			if top {
				pass++
			}
		case "skip":
			if top {
				skip++
			}
			skipped = append(skipped, r)
		case "fail", "":
			// "" is a test that never finished: a panic or a timeout
			if top {
				fail++
			}
			failed = append(failed, r)
		}
	}
	fmt.Printf("  tests: %d passed, %d failed, %d skipped\n", pass, fail, skip)
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].name < skipped[j].name })
	for _, r := range skipped {
		fmt.Printf("  SKIP %s: %s\n", r.name, skipMessage(r.output))
	}
	for _, r := range failed {
		state := "FAIL"
		if r.action == "" {
			state = "FAIL (did not finish)"
		}
		fmt.Printf("  %s %s\n", state, r.name)
		out := r.output
		if len(out) > 40 {
			out = append([]string{"      ..."}, out[len(out)-40:]...)
		}
		for _, l := range out {
			fmt.Printf("      | %s\n", l)
		}
	}
	var pkgs []string
	for p := range pkgFailed {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		fmt.Printf("  FAIL package %s\n", p)
		// a package that failed outside any test (a panic, a timeout)
		if out := pkgFailed[p]; len(out) > 0 && len(failed) == 0 {
			if len(out) > 40 {
				out = out[len(out)-40:]
			}
			for _, l := range out {
				fmt.Printf("      | %s\n", l)
			}
		}
	}
	if b := pkgOutput["(build)"]; len(b) > 0 {
		fmt.Printf("  build output:\n")
		for _, l := range b {
			fmt.Printf("      | %s\n", l)
		}
	}
	fmt.Printf("COUNTS %d %d %d %d\n", pass, fail, skip, len(pkgFailed))
}

// skipMessage is what the test logged before it skipped, without the
// harness's own lines and the file:line prefix.
func skipMessage(output []string) string {
	var msgs []string
	for _, l := range output {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		if i := strings.Index(t, ".go:"); i > 0 {
			if j := strings.Index(t[i+4:], ": "); j >= 0 {
				t = t[i+4+j+2:]
			}
		}
		msgs = append(msgs, t)
	}
	if len(msgs) == 0 {
		return "(no message)"
	}
	return strings.Join(msgs, " / ")
}
GO
(cd "$SUMMARY_DIR" && GOWORK=off GOFLAGS= go build -o summary summary.go) || {
	log "could not build the test summary helper"
	exit 1
}

# cli_line BIN: the "Terraform vX" / "OpenTofu vX" line of `BIN version`
# (OpenTofu may print configuration warnings before it).
cli_line() {
	CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | grep -m1 -E '^(Terraform|OpenTofu) v' || true
}

# An empty CLI configuration for callers whose TF_CLI_CONFIG_FILE is missing.
CLI_CONFIG="${TF_CLI_CONFIG_FILE:-}"
if [[ -n "$CLI_CONFIG" && ! -f "$CLI_CONFIG" ]]; then
	log "TF_CLI_CONFIG_FILE=$CLI_CONFIG does not exist; using an empty CLI configuration instead"
	CLI_CONFIG="$SUMMARY_DIR/empty.tfrc"
	: >"$CLI_CONFIG"
fi

total_pass=0 total_fail=0 total_skip=0
status=0
declare -a REPORT=()
seen_bins=" "

for cli in "${CLIS[@]}"; do
	echo "==> $cli"
	bin=""
	case "$cli" in
	terraform)
		bin="$("$CLI_SCRIPT" terraform-path-or-none)"
		if [[ -z "$bin" ]]; then
			echo "  no usable terraform on PATH: left out (Terraform 1.5.7 still runs)"
			REPORT+=("$cli: not on PATH, left out")
			continue
		fi
		;;
	terraform-1.5.7 | tofu)
		if ! bin="$("$CLI_SCRIPT" "$cli")"; then
			echo "  could not find or build $cli"
			REPORT+=("$cli: could not find or build it: FAILED")
			status=1
			continue
		fi
		;;
	esac
	version="$(cli_line "$bin")"
	if [[ -z "$version" ]]; then
		echo "  $bin does not report a version"
		REPORT+=("$cli: $bin does not run: FAILED")
		status=1
		continue
	fi
	if [[ "$seen_bins" == *" $bin "* ]]; then
		echo "  $version ($bin) already ran above: left out"
		REPORT+=("$cli: same binary as above, left out")
		continue
	fi
	seen_bins+="$bin "
	host=registry.terraform.io
	[[ "$version" == OpenTofu* ]] && host=registry.opentofu.org
	echo "  $version ($bin); provider host $host"

	json="$OUT/$cli.json"
	start=$SECONDS
	rc=0
	(
		cd "$REPO_ROOT"
		export TF_ACC_TERRAFORM_PATH="$bin" TF_ACC_PROVIDER_HOST="$host" CHECKPOINT_DISABLE=1
		if [[ -n "$CLI_CONFIG" ]]; then
			export TF_CLI_CONFIG_FILE="$CLI_CONFIG"
		fi
		go test -json "${TEST_FLAGS[@]}" "${PACKAGE_ARGS[@]}"
	) >"$json" 2>"$OUT/$cli.stderr" || rc=$?
	elapsed=$((SECONDS - start))

	summary="$("$SUMMARY_DIR/summary" <"$json")"
	grep -v '^COUNTS ' <<<"$summary" || true
	if [[ -s "$OUT/$cli.stderr" ]]; then
		echo "  go test stderr ($OUT/$cli.stderr):"
		sed 's/^/      | /' "$OUT/$cli.stderr" | tail -n 20
	fi
	read -r _ pass fail skip pkgfail < <(grep '^COUNTS ' <<<"$summary")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	verdict=ok
	if [[ $rc -ne 0 || $fail -ne 0 || $pkgfail -ne 0 ]]; then
		verdict="FAILED (go test exit $rc)"
		status=1
	fi
	echo "  $verdict in ${elapsed}s; log $json"
	REPORT+=("$cli: $version: $pass passed, $fail failed, $skip skipped: $verdict")
done

echo
echo "==> summary (logs in $OUT)"
for line in "${REPORT[@]}"; do
	echo "  $line"
done
echo "matrix: $total_pass passed, $total_fail failed, $total_skip skipped"
exit "$status"
