#!/usr/bin/env bash
# Run the acceptance suite against every supported CLI, one after the other:
#
#   terraform         the Terraform on PATH (1.11.x here); noted and left out
#                     when PATH has none
#   terraform-1.5.7   Terraform 1.5.7, the oldest supported
#   terraform-1.13.3  Terraform 1.13.3, a test build without remote-state
#                     backends (see scripts/terraform-cli.sh)
#   tofu              OpenTofu 1.12.6
# The last three are found or built into a cache outside the clone by
# scripts/terraform-cli.sh.
#
# Usage: scripts/testacc-matrix.sh [CLI...]      (default: all four)
#
# Each run goes through gotestsum (pinned below), which prints every test as
# it ends, then the skipped tests with their skip messages and the failed
# tests with their output. Per CLI the script then prints
#   <cli>: <version>: N passed, N failed, N skipped: ok | FAILED
# (gotestsum's counts: subtests count as tests; a skip is never a pass), and
# last the line
#   matrix: N passed, N failed, N skipped
# summed over the CLIs. The exit status is non-zero if any CLI could not be
# found or built, or any test, package or build failed.
#
# Settings (environment):
#   TESTACC_PACKAGES  packages to test (default ./internal/provider/...)
#   TESTACC_FLAGS     go test flags (default -count=1 -timeout 30m)
#   MATRIX_OUT        directory for the go test -json logs (default: a new
#                     temporary directory, kept and printed)
#   GOTESTSUM         the gotestsum command (default: go run of the pinned
#                     version); GOTESTSUM_FORMAT picks its output format
#                     (default here: testname)
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

# gotestsum's --post-run-command calls this script back with the counts.
if [[ "${1:-}" == --record-counts ]]; then
	printf '%s %s %s %s\n' "$TESTS_TOTAL" "$TESTS_FAILED" "$TESTS_SKIPPED" "$TESTS_ERRORS" >"$2"
	exit 0
fi

readonly GOTESTSUM_VERSION=v1.13.0
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI_SCRIPT="$REPO_ROOT/scripts/terraform-cli.sh"
PACKAGES="${TESTACC_PACKAGES:-./internal/provider/...}"
read -r -a TEST_FLAGS <<<"${TESTACC_FLAGS:--count=1 -timeout 30m}"
read -r -a PACKAGE_ARGS <<<"$PACKAGES"
read -r -a GOTESTSUM_CMD <<<"${GOTESTSUM:-go run gotest.tools/gotestsum@$GOTESTSUM_VERSION}"
export GOTESTSUM_FORMAT="${GOTESTSUM_FORMAT:-testname}"

log() { printf 'testacc-matrix: %s\n' "$*" >&2; }

usage() {
	sed -n '2,/^set -euo pipefail$/{/^#/!d;s/^# \{0,1\}//;p}' "$0" >&2
}

CLIS=("$@")
if [[ ${#CLIS[@]} -eq 0 ]]; then
	CLIS=(terraform terraform-1.5.7 terraform-1.13.3 tofu)
fi
for c in "${CLIS[@]}"; do
	case "$c" in
	terraform | terraform-1.5.7 | terraform-1.13.3 | tofu) ;;
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

# cli_line BIN: the "Terraform vX" / "OpenTofu vX" line of `BIN version`
# (OpenTofu may print configuration warnings before it).
cli_line() {
	CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | grep -m1 -E '^(Terraform|OpenTofu) v' || true
}

# An empty CLI configuration for callers whose TF_CLI_CONFIG_FILE is missing.
CLI_CONFIG="${TF_CLI_CONFIG_FILE:-}"
if [[ -n "$CLI_CONFIG" && ! -f "$CLI_CONFIG" ]]; then
	log "TF_CLI_CONFIG_FILE=$CLI_CONFIG does not exist; using an empty CLI configuration instead"
	CLI_CONFIG="$OUT/empty.tfrc"
	: >"$CLI_CONFIG"
fi

total_pass=0 total_fail=0 total_skip=0
status=0
declare -a REPORT=()
seen_bins=" "

for cli in "${CLIS[@]}"; do
	echo "==> $cli"
	bin="" label=""
	case "$cli" in
	terraform)
		bin="$("$CLI_SCRIPT" terraform-path-or-none)"
		if [[ -z "$bin" ]]; then
			echo "  no usable terraform on PATH: left out (the other CLIs still run)"
			REPORT+=("$cli: not on PATH, left out")
			continue
		fi
		;;
	terraform-1.13.3) label=" (test build without remote-state backends)" ;;
	esac
	if [[ -z "$bin" ]] && ! bin="$("$CLI_SCRIPT" "$cli")"; then
		echo "  could not find or build $cli"
		REPORT+=("$cli: could not find or build it: FAILED")
		status=1
		continue
	fi
	version="$(cli_line "$bin")$label"
	if [[ -z "$(cli_line "$bin")" ]]; then
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

	counts="$OUT/$cli.counts"
	rm -f "$counts"
	start=$SECONDS
	rc=0
	(
		cd "$REPO_ROOT"
		export TF_ACC_TERRAFORM_PATH="$bin" TF_ACC_PROVIDER_HOST="$host" CHECKPOINT_DISABLE=1
		if [[ -n "$CLI_CONFIG" ]]; then
			export TF_CLI_CONFIG_FILE="$CLI_CONFIG"
		fi
		"${GOTESTSUM_CMD[@]}" --jsonfile "$OUT/$cli.json" \
			--post-run-command "$(printf '%q --record-counts %q' "$REPO_ROOT/scripts/testacc-matrix.sh" "$counts")" \
			-- "${TEST_FLAGS[@]}" "${PACKAGE_ARGS[@]}"
	) || rc=$?
	elapsed=$((SECONDS - start))

	if [[ ! -s "$counts" ]]; then
		echo "  gotestsum reported no counts (exit $rc)"
		REPORT+=("$cli: $version: no test run: FAILED")
		status=1
		continue
	fi
	read -r total fail skip errors <"$counts"
	pass=$((total - fail - skip))
	((pass >= 0)) || pass=0
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	verdict=ok
	if [[ $rc -ne 0 || $fail -ne 0 || $errors -ne 0 ]]; then
		verdict="FAILED (exit $rc, $errors errors)"
		status=1
	fi
	echo "  $verdict in ${elapsed}s; log $OUT/$cli.json"
	REPORT+=("$cli: $version: $pass passed, $fail failed, $skip skipped: $verdict")
done

echo
echo "==> summary (logs in $OUT)"
for line in "${REPORT[@]}"; do
	echo "  $line"
done
echo "matrix: $total_pass passed, $total_fail failed, $total_skip skipped"
exit "$status"
