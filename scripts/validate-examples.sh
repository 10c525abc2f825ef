#!/usr/bin/env bash
# terraform validate (and fmt -check) every example against the local build.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
tf="$("$REPO_ROOT/scripts/terraform-cli.sh" terraform)"
build_provider
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
use_dev_override "$work"
"$tf" fmt -check -recursive "$REPO_ROOT/examples"
n=0
while IFS= read -r dir; do
	copy="$work/$n"
	mkdir -p "$copy"
	cp "$dir"/*.tf "$copy/"
	if ! out="$(cd "$copy" && "$tf" validate -no-color 2>&1)"; then
		echo "examples: ${dir#"$REPO_ROOT"/} does not validate:" >&2
		echo "$out" >&2
		exit 1
	fi
	echo "examples: ${dir#"$REPO_ROOT"/}: valid"
	n=$((n + 1))
done < <(find "$REPO_ROOT/examples" -name '*.tf' -exec dirname {} \; | sort -u)
