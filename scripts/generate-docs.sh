#!/usr/bin/env bash
# Regenerate docs/ with tfplugindocs from the provider's schema, examples
# and templates. With --check, fail when docs/ differs from what it generates.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
check=false
[ "${1:-}" = "--check" ] && check=true

tf="$("$REPO_ROOT/scripts/terraform-cli.sh" terraform)"
if ! "$tf" version -json | grep -Eq '"terraform_version": *"1\.(1[0-9]|[2-9][0-9])\.'; then
	echo "generate-docs: $("$tf" version | head -1) cannot show ephemeral resource schemas (needs 1.10+); docs not checked" >&2
	$check && exit 0
	exit 1
fi
build_provider
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
use_dev_override "$work"
mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    motherduck = { source = "duckops/motherduck" }
  }
}
TF
(cd "$work/schema" && "$tf" providers schema -json >"$work/schema.json" 2>"$work/schema.err") || { cat "$work/schema.err" >&2; exit 1; }

out="$REPO_ROOT"
if $check; then
	out="$work/tree"
	mkdir -p "$out"
	cp -R "$REPO_ROOT/examples" "$REPO_ROOT/docs" "$out/"
	[ -d "$REPO_ROOT/templates" ] && cp -R "$REPO_ROOT/templates" "$out/"
fi
(cd "$REPO_ROOT" && go tool tfplugindocs generate --provider-dir "$out" --provider-name motherduck \
	--rendered-provider-name MotherDuck --providers-schema "$work/schema.json") >"$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; exit 1; }
if $check; then
	if ! diff -ru "$REPO_ROOT/docs" "$out/docs"; then
		echo "docs/ is out of date: run 'make generate' and commit the result" >&2
		exit 1
	fi
	echo "docs/: up to date"
else
	echo "docs/: regenerated"
fi
