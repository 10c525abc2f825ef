#!/usr/bin/env bash
# terraform validate (and fmt -check) every example against the local build.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
tf="$("$REPO_ROOT/scripts/terraform-cli.sh" terraform)"
build_provider
minor="$("$tf" version -json | sed -n 's/.*"terraform_version": *"1\.\([0-9]*\)\..*/\1/p')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
use_dev_override "$work"
"$tf" fmt -check -recursive "$REPO_ROOT/examples"
n=0
while IFS= read -r dir; do
	copy="$work/$n"
	mkdir -p "$copy"
	cp "$dir"/*.tf "$copy/"
	# Examples other than the provider's rely on its required_providers block.
	[ -f "$copy/provider.tf" ] || cp "$REPO_ROOT/examples/provider/provider.tf" "$copy/provider.tf"
	# Import by identity needs Terraform 1.12+, ephemeral resources 1.10+.
	if [ "$minor" -lt 12 ]; then rm -f "$copy/import-by-identity.tf"; fi
	if [ "$minor" -lt 10 ] && grep -q '^ephemeral ' "$copy"/*.tf; then
		echo "examples: ${dir#"$REPO_ROOT"/}: skipped, ephemeral resources need Terraform 1.10+ ($("$tf" version | head -1))"
		n=$((n + 1))
		continue
	fi
	if ! out="$(cd "$copy" && "$tf" validate -no-color 2>&1)"; then
		echo "examples: ${dir#"$REPO_ROOT"/} does not validate:" >&2
		echo "$out" >&2
		exit 1
	fi
	echo "examples: ${dir#"$REPO_ROOT"/}: valid"
	n=$((n + 1))
done < <(find "$REPO_ROOT/examples" -name '*.tf' -exec dirname {} \; | sort -u)
