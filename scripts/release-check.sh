#!/usr/bin/env bash
# The release check (make release-check), on a fresh clone of HEAD (only
# committed changes are checked):
#   1. scripts/release-verify-test.sh: the verification below refuses a
#      tampered release (a few seconds, no build);
#   2. `go mod tidy -diff`: go.mod and go.sum are tidy, so the release, which
#      builds them exactly as tagged (-mod=readonly, no tidy hook), ships
#      what the tag holds;
#   3. `goreleaser check` on .goreleaser.yml;
#   4. a snapshot release of linux_amd64 only, signed as a release is signed
#      (the signs section of .goreleaser.yml) but with a throwaway GPG key
#      made here: RSA, no passphrase, in a temporary GnuPG home removed at
#      the end;
#   5. the file names the Terraform registry expects:
#        terraform-provider-motherduck_<ver>_linux_amd64.zip
#          holding the binary terraform-provider-motherduck_v<ver>
#        terraform-provider-motherduck_<ver>_SHA256SUMS
#          listing the zip and terraform-provider-motherduck_<ver>_manifest.json
#        terraform-provider-motherduck_<ver>_SHA256SUMS.sig
#   6. scripts/release-verify.sh: the signature verifies with only the public
#      key in a fresh keyring, as the registry verifies it, and every checksum
#      matches; then a copy of the SHA256SUMS file with one byte added must
#      fail to verify.
# The clone sits in a directory named "main" whose remote also ends in
# "main", so that names taken from either would show. Nothing is published.
#
# Needs git, Go, and gpg, jq and zipinfo: the last three are installed with
# apt-get when missing and the check runs as root on Debian or Ubuntu.
# GORELEASER overrides the goreleaser command (default: go run of the
# pinned version).
set -euo pipefail

# v2.15.0 and v2.15.1 add the signature's own checksum to the SHA256SUMS
# file after signing it, so the signature never verifies (goreleaser issues
# 6508 and 6514); step 6 catches that. v2.17.0 is the newest that builds
# with the Go in go.mod. The release workflow runs the same version.
readonly GORELEASER_VERSION=v2.17.0
readonly PROJECT=terraform-provider-motherduck
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
read -r -a GORELEASER_CMD <<<"${GORELEASER:-go run github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION}"

fail() {
	printf 'release-check: %s\n' "$*" >&2
	exit 1
}

need_tool gpg gnupg
need_tool jq jq
need_tool zipinfo unzip

work="$(mktemp -d "${TMPDIR:-/tmp}/release-check.XXXXXX")"
trap 'stop_gpg_home "$work/gnupg"; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
clone="$work/main"
git clone --quiet --no-hardlinks "$REPO_ROOT" "$clone"
# goreleaser's default project name comes from the remote's last path
# element (else the directory): make both "main".
git -C "$clone" remote set-url origin "$clone"
git -C "$REPO_ROOT" diff --quiet HEAD -- || echo "release-check: uncommitted changes are not part of the check (it clones HEAD)"

# The verification used at the end refuses tampered releases.
"$clone/scripts/release-verify-test.sh"

# goreleaser runs `go run` in the clone's directory as well, so the module
# cache and the pinned version resolve there exactly as in the repository.
cd "$clone"
grep -q "^ *version: $GORELEASER_VERSION\$" .github/workflows/release.yml ||
	fail ".github/workflows/release.yml does not run goreleaser $GORELEASER_VERSION, the version checked here: make them the same"
if ! go mod tidy -diff >"$work/tidy.diff" 2>&1; then
	cat "$work/tidy.diff" >&2
	fail "go mod tidy would change go.mod or go.sum (above): run go mod tidy and commit the result; a release builds them as tagged"
fi
"${GORELEASER_CMD[@]}" check

# The same configuration, with its build limited to one target.
grep -q "^  - id: $PROJECT\$" .goreleaser.yml ||
	fail ".goreleaser.yml has no build with id $PROJECT, to which the one-target snapshot adds its targets"
sed "/^  - id: $PROJECT\$/a\\    targets: [linux_amd64_v1]" .goreleaser.yml >"$work/goreleaser-one-target.yml"

# A throwaway signing key, used through GPG_FINGERPRINT exactly as the
# release workflow passes the real one to goreleaser.
new_gpg_home "$work/gnupg"
GPG_FINGERPRINT="$(throwaway_gpg_key "$PROJECT release-check")"
[[ -n "$GPG_FINGERPRINT" ]] || fail "no fingerprint for the throwaway key"
export GPG_FINGERPRINT
gpg --batch --armor --export "$GPG_FINGERPRINT" >"$work/public.asc"
echo "release-check: signing with the throwaway key $GPG_FINGERPRINT"

"${GORELEASER_CMD[@]}" release --snapshot --clean --skip=publish \
	--config "$work/goreleaser-one-target.yml"

version="$(jq -r '.version // empty' dist/metadata.json)"
[[ -n "$version" ]] || fail "dist/metadata.json names no version"
zip="dist/${PROJECT}_${version}_linux_amd64.zip"
binary="${PROJECT}_v${version}"
sums="dist/${PROJECT}_${version}_SHA256SUMS"
sig="$sums.sig"
manifest="${PROJECT}_${version}_manifest.json"
echo "release-check: dist/ holds:"
ls -1 dist | sed 's/^/    /'
[[ -f "$zip" ]] || fail "no $zip"
zipinfo -1 "$zip" | grep -qx "$binary" || fail "$zip does not hold $binary (it holds: $(zipinfo -1 "$zip" | tr '\n' ' '))"
[[ -f "$sums" ]] || fail "no $sums"
grep -q "  ${zip#dist/}\$" "$sums" || fail "$sums does not list ${zip#dist/}"
grep -q "  $manifest\$" "$sums" || fail "$sums does not list $manifest"
[[ -f "$sig" ]] || fail "no $sig: goreleaser did not sign ${sums#dist/}"
# Nothing named after the directory or the remote ("main").
if ls dist | grep -q '^main_'; then
	fail "dist/ holds files named after the clone's directory: $(ls dist | grep '^main_' | tr '\n' ' ')"
fi
# What the registry checks: the signature, with the public key only, and the
# checksums. The manifest is uploaded beside the zips, under its release name.
mkdir "$work/extra"
cp terraform-registry-manifest.json "$work/extra/$manifest"
"$clone/scripts/release-verify.sh" dist "$work/public.asc" "$work/extra"

# The same check on a tampered copy of these files must fail.
mkdir "$work/tampered"
cp "$zip" "$sums" "$sig" "$work/tampered/"
printf ' ' >>"$work/tampered/${sums#dist/}"
if "$clone/scripts/release-verify.sh" "$work/tampered" "$work/public.asc" "$work/extra" >"$work/tampered.log" 2>&1; then
	cat "$work/tampered.log" >&2
	fail "a SHA256SUMS file changed after signing verified"
fi
grep -q 'does not verify' "$work/tampered.log" || {
	cat "$work/tampered.log" >&2
	fail "the tampered SHA256SUMS file failed for another reason than its signature"
}
echo "release-check: a copy of ${sums#dist/} with one byte added is refused: $(head -1 "$work/tampered.log")"
echo "release-check: ok: ${zip#dist/} holds $binary; ${sums#dist/} lists it and $manifest; ${sig#dist/} verifies with the public key alone"
