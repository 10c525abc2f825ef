#!/usr/bin/env bash
# The release check (make release-check): `goreleaser check` on
# .goreleaser.yml, then a snapshot release of linux_amd64 only, cut from a
# fresh clone of HEAD in a directory named "main", whose remote also ends in
# "main" (so that names taken from either would show), and the file names the
# Terraform registry expects:
#   terraform-provider-motherduck_<ver>_linux_amd64.zip
#     holding the binary terraform-provider-motherduck_v<ver>
#   terraform-provider-motherduck_<ver>_SHA256SUMS
#     listing the zip and terraform-provider-motherduck_<ver>_manifest.json
# Signing and publishing are skipped (a release signs with GPG in CI:
# .github/workflows/release.yml). Only committed changes are checked.
#
# GORELEASER overrides the goreleaser command (default: go run of the
# pinned version).
set -euo pipefail

readonly GORELEASER_VERSION=v2.15.1
readonly PROJECT=terraform-provider-motherduck
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
read -r -a GORELEASER_CMD <<<"${GORELEASER:-go run github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION}"

fail() {
	printf 'release-check: %s\n' "$*" >&2
	exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/release-check.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
clone="$work/main"
git clone --quiet --no-hardlinks "$REPO_ROOT" "$clone"
# goreleaser's default project name comes from the remote's last path
# element (else the directory): make both "main".
git -C "$clone" remote set-url origin "$clone"
git -C "$REPO_ROOT" diff --quiet HEAD -- || echo "release-check: uncommitted changes are not part of the check (it clones HEAD)"

# goreleaser runs `go run` in the clone's directory as well, so the module
# cache and the pinned version resolve there exactly as in the repository.
cd "$clone"
"${GORELEASER_CMD[@]}" check

# The same configuration, with its build limited to one target.
grep -q "^  - id: $PROJECT\$" .goreleaser.yml ||
	fail ".goreleaser.yml has no build with id $PROJECT, to which the one-target snapshot adds its targets"
sed "/^  - id: $PROJECT\$/a\\    targets: [linux_amd64_v1]" .goreleaser.yml >"$work/goreleaser-one-target.yml"
"${GORELEASER_CMD[@]}" release --snapshot --clean --skip=sign,publish \
	--config "$work/goreleaser-one-target.yml"

version="$(jq -r '.version // empty' dist/metadata.json)"
[[ -n "$version" ]] || fail "dist/metadata.json names no version"
zip="dist/${PROJECT}_${version}_linux_amd64.zip"
binary="${PROJECT}_v${version}"
sums="dist/${PROJECT}_${version}_SHA256SUMS"
manifest="${PROJECT}_${version}_manifest.json"
echo "release-check: dist/ holds:"
ls -1 dist | sed 's/^/    /'
[[ -f "$zip" ]] || fail "no $zip"
zipinfo -1 "$zip" | grep -qx "$binary" || fail "$zip does not hold $binary (it holds: $(zipinfo -1 "$zip" | tr '\n' ' '))"
[[ -f "$sums" ]] || fail "no $sums"
grep -q "  ${zip#dist/}\$" "$sums" || fail "$sums does not list ${zip#dist/}"
grep -q "  $manifest\$" "$sums" || fail "$sums does not list $manifest"
# Nothing named after the directory or the remote ("main").
if ls dist | grep -q '^main_'; then
	fail "dist/ holds files named after the clone's directory: $(ls dist | grep '^main_' | tr '\n' ' ')"
fi
echo "release-check: ok: ${zip#dist/} holds $binary; ${sums#dist/} lists it and $manifest"
