#!/usr/bin/env bash
# Regenerate docs/ with tfplugindocs from the provider's schema, examples and
# templates. The schema comes straight from the provider server
# (internal/cmd/provider-schema), so the result does not depend on which
# Terraform CLI is installed. With --check, fail when docs/ differs.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
check=false
[ "${1:-}" = "--check" ] && check=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$REPO_ROOT" && go run ./internal/cmd/provider-schema >"$work/schema.json")

out="$REPO_ROOT"
if $check; then
	out="$work/tree"
	mkdir -p "$out"
	cp -R "$REPO_ROOT/examples" "$REPO_ROOT/docs" "$out/"
	if [ -d "$REPO_ROOT/templates" ]; then cp -R "$REPO_ROOT/templates" "$out/"; fi
fi
(cd "$REPO_ROOT" && go tool tfplugindocs generate --provider-dir "$out" --provider-name motherduck \
	--rendered-provider-name MotherDuck --providers-schema "$work/schema.json") >"$work/gen.log" 2>&1 || {
	cat "$work/gen.log" >&2
	exit 1
}
if $check; then
	if ! diff -ru "$REPO_ROOT/docs" "$out/docs"; then
		echo "docs/ is out of date: run 'make generate' and commit the result" >&2
		exit 1
	fi
	echo "docs/: up to date"
else
	echo "docs/: regenerated"
fi
