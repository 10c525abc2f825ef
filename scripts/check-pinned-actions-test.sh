#!/usr/bin/env bash
# Test of scripts/check-pinned-actions.sh (part of `make lint`): each
# workflow fixture below holds one `uses:` line; the accepted ones must pass,
# and each refused one must fail naming its file and line. Takes well under a
# second; needs only bash and awk.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=scripts/check-pinned-actions.sh
work="$(mktemp -d "${TMPDIR:-/tmp}/check-pinned-actions-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

sha=3d3c42e5aac5ba805825da76410c181273ba90b1
digest=sha256:0000000000000000000000000000000000000000000000000000000000000000
failures=0
n=0

# fixture LINES: a workflow whose 8th line onwards is LINES (steps of job x,
# or a job of its own when LINES start with "  call:"): prints its path.
fixture() {
	n=$((n + 1))
	local f="$work/case$n.yml"
	if [[ "$1" == "  call:"* ]]; then
		printf '%s\n' "name: t" "on: push" "permissions: {}" "jobs:" "  # uses: a comment, not a key" \
			"  x: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}" "  # uses: actions/checkout@v7" "$1" >"$f"
	else
		printf '%s\n' "name: t" "on: push" "permissions: {}" "jobs:" "  x:" "    runs-on: ubuntu-latest" "    steps:" "$1" >"$f"
	fi
	printf '%s' "$f"
}

accepts() {
	local f out
	f="$(fixture "$1")"
	if ! out="$("$check" "$f" 2>&1)"; then
		printf 'FAIL: refused a pinned line: %s\n%s\n' "$1" "$out" >&2
		failures=$((failures + 1))
	elif ! grep -q 'ok: 1 uses: lines' <<<"$out"; then
		printf 'FAIL: did not check exactly one uses: line in: %s\n%s\n' "$1" "$out" >&2
		failures=$((failures + 1))
	fi
}

# refuses LINES [LINE_NUMBER]: the check fails and names the file and line
# (default 8).
refuses() {
	local f out at="${2:-8}"
	f="$(fixture "$1")"
	if out="$("$check" "$f" 2>&1)"; then
		printf 'FAIL: accepted an unpinned line: %s\n%s\n' "$1" "$out" >&2
		failures=$((failures + 1))
	elif ! grep -qF "$f:$at: uses:" <<<"$out"; then
		printf 'FAIL: refused, but did not name %s:%s for: %s\n%s\n' "$f" "$at" "$1" "$out" >&2
		failures=$((failures + 1))
	fi
}

# Pinned by commit SHA with the tag in a comment, in every way YAML allows.
accepts "      - uses: actions/checkout@$sha # v7.0.1"
accepts "      - uses: 'actions/checkout@$sha' # v7.0.1"
accepts "      - \"uses\": \"actions/checkout@$sha\" # v7.0.1"
accepts "      - {uses: actions/checkout@$sha, with: {fetch-depth: 0}} # v7.0.1"
accepts "      - uses: github/codeql-action/init@$sha # v3.29.0"
accepts "      - uses: ./.github/actions/local"
accepts "      - uses: docker://alpine@$digest"
accepts "  call: {uses: octo/repo/.github/workflows/ci.yml@$sha} # v1.0.0"

# A tag, a branch, a short SHA, a SHA without its tag comment, a docker tag.
refuses "      - uses: actions/checkout@v7"
refuses "      - uses: actions/checkout@v7.0.1 # v7.0.1"
refuses "      - uses: 'actions/checkout@main'"
refuses "      - uses: actions/checkout@3d3c42e"
refuses "      - uses: actions/checkout@$sha"
refuses "      - uses: actions/checkout"
refuses "      - uses: actions/checkout@${sha^^} # v7.0.1"
refuses "      - {uses: actions/checkout@v7, with: {fetch-depth: 0}}"
refuses "      - name: x"$'\n'"        uses: actions/checkout@v7" 9
refuses "      - uses: docker://alpine:3.20"
refuses "      - uses: >-"
refuses "  call: {uses: octo/repo/.github/workflows/ci.yml@main}"

# One refused line among pinned ones fails the whole run and is the only
# one reported.
mixed="$work/mixed.yml"
printf '%s\n' "name: t" "on: push" "permissions: {}" "jobs:" "  x:" "    runs-on: ubuntu-latest" "    steps:" \
	"      - uses: actions/checkout@$sha # v7.0.1" \
	"      - uses: actions/setup-go@v7" \
	"      - uses: ./local" >"$mixed"
if out="$("$check" "$mixed" 2>&1)"; then
	printf 'FAIL: accepted a workflow with one unpinned line\n%s\n' "$out" >&2
	failures=$((failures + 1))
elif [[ "$(grep -c ': uses: ' <<<"$out")" != 1 ]] || ! grep -qF "$mixed:9: uses: actions/setup-go@v7" <<<"$out"; then
	printf 'FAIL: expected exactly %s:9 reported\n%s\n' "$mixed" "$out" >&2
	failures=$((failures + 1))
fi

# The repository's own workflows pass.
"$check" >/dev/null || {
	echo "FAIL: the repository's workflows are not all pinned (run $check)" >&2
	failures=$((failures + 1))
}

if ((failures > 0)); then
	echo "check-pinned-actions-test: $failures failures" >&2
	exit 1
fi
echo "check-pinned-actions-test: ok: 8 pinned forms accepted, 12 unpinned forms refused with their line, one bad line among good ones caught"
