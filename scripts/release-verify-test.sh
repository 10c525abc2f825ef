#!/usr/bin/env bash
# Test of scripts/release-verify.sh: a small release (two zips, the registry
# manifest, a SHA256SUMS file signed with a throwaway key, as goreleaser
# signs it) must verify, and each way of tampering with it must fail with
# its own message. Needs gpg (installed when missing, see need_tool in
# scripts/lib.sh) and takes a few seconds; make release-check runs it first.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
verify="$REPO_ROOT/scripts/release-verify.sh"
need_tool gpg gnupg

work="$(mktemp -d "${TMPDIR:-/tmp}/release-verify-test.XXXXXX")"
trap 'stop_gpg_home "$work/signer"; stop_gpg_home "$work/other"; rm -rf "$work"' EXIT
failures=0
cases=0

# The signer's key, its public half exported as the registry would hold it,
# and a second key that is not the registry's.
new_gpg_home "$work/other"
other_fpr="$(throwaway_gpg_key "someone else")"
new_gpg_home "$work/signer"
fpr="$(throwaway_gpg_key "release-verify-test")"
gpg --batch --armor --export "$fpr" >"$work/public.asc"

# sign DIR [FINGERPRINT [GNUPGHOME]]: sign DIR's SHA256SUMS file with the
# arguments of the signs section of .goreleaser.yml.
sign() {
	local sums="$1/terraform-provider-motherduck_1.2.3_SHA256SUMS"
	GNUPGHOME="${3:-$work/signer}" gpg --batch --local-user "${2:-$fpr}" --output "$sums.sig" --detach-sign "$sums"
}

# release NAME: a good, signed release in $work/NAME/dist, the manifest in
# $work/NAME/extra; prints $work/NAME.
release() {
	local dir="$work/$1"
	mkdir -p "$dir/dist" "$dir/extra"
	printf 'linux binary\n' >"$dir/dist/terraform-provider-motherduck_1.2.3_linux_amd64.zip"
	printf 'darwin binary\n' >"$dir/dist/terraform-provider-motherduck_1.2.3_darwin_arm64.zip"
	cp "$REPO_ROOT/terraform-registry-manifest.json" "$dir/extra/terraform-provider-motherduck_1.2.3_manifest.json"
	(cd "$dir/dist" && sha256sum -- *.zip && cd ../extra && sha256sum -- *.json) \
		>"$dir/dist/terraform-provider-motherduck_1.2.3_SHA256SUMS"
	sign "$dir/dist"
	printf '%s' "$dir"
}

# expect NAME WANT [KEY]: release-verify.sh on release NAME exits 0 when
# WANT is "ok", else fails with WANT in its output.
expect() {
	local dir="$work/$1" want="$2" key="${3:-$work/public.asc}" out status=0
	cases=$((cases + 1))
	out="$("$verify" "$dir/dist" "$key" "$dir/extra" 2>&1)" || status=$?
	if [[ "$want" == ok ]]; then
		if ((status != 0)) || ! grep -q 'release-verify: ok: 3 files match' <<<"$out"; then
			printf 'FAIL: %s: a good release did not verify (exit %s):\n%s\n' "$1" "$status" "$out" >&2
			failures=$((failures + 1))
		fi
	elif ((status == 0)); then
		printf 'FAIL: %s: verified, want a failure naming "%s":\n%s\n' "$1" "$want" "$out" >&2
		failures=$((failures + 1))
	elif ! grep -qF -- "$want" <<<"$out"; then
		printf 'FAIL: %s: failed, but without "%s":\n%s\n' "$1" "$want" "$out" >&2
		failures=$((failures + 1))
	fi
}

zip=terraform-provider-motherduck_1.2.3_linux_amd64.zip
sums=terraform-provider-motherduck_1.2.3_SHA256SUMS

release good >/dev/null
expect good ok

# A zip replaced and its line in SHA256SUMS changed to match: only the
# signature catches it.
d="$(release sums-edited)"
printf 'another binary\n' >"$d/dist/$zip"
sed -i "s/^[0-9a-f]\{64\}  $zip\$/$(sha256sum "$d/dist/$zip" | cut -d' ' -f1)  $zip/" "$d/dist/$sums"
expect sums-edited "does not verify"

# One byte of SHA256SUMS changed (a line appended).
d="$(release sums-appended)"
echo >>"$d/dist/$sums"
expect sums-appended "does not verify"

# A zip replaced, SHA256SUMS left alone.
d="$(release zip-replaced)"
printf 'another binary\n' >"$d/dist/$zip"
expect zip-replaced "checksum mismatch: $sums gives $zip the SHA-256"

# The manifest changed after signing.
d="$(release manifest-changed)"
echo ' ' >>"$d/extra/terraform-provider-motherduck_1.2.3_manifest.json"
expect manifest-changed "checksum mismatch: $sums gives terraform-provider-motherduck_1.2.3_manifest.json"

# Signed by a key that is not the registry's.
d="$(release other-key)"
rm "$d/dist/$sums.sig"
sign "$d/dist" "$other_fpr" "$work/other"
expect other-key "does not verify"

# No signature.
d="$(release unsigned)"
rm "$d/dist/$sums.sig"
expect unsigned "no signature $sums.sig"

# A zip nothing vouches for.
d="$(release unlisted-zip)"
printf 'windows binary\n' >"$d/dist/terraform-provider-motherduck_1.2.3_windows_amd64.zip"
expect unlisted-zip "terraform-provider-motherduck_1.2.3_windows_amd64.zip is in"

# A listed file missing.
d="$(release zip-missing)"
rm "$d/dist/$zip"
expect zip-missing "lists $zip, which is not in"

# The key given holds a secret key: verifying must use the public key only.
release secret-key >/dev/null
gpg --batch --pinentry-mode loopback --passphrase '' --armor --export-secret-keys "$fpr" >"$work/secret.asc"
expect secret-key "holds a secret key" "$work/secret.asc"

if ((failures > 0)); then
	echo "release-verify-test: $failures of $cases cases failed" >&2
	exit 1
fi
echo "release-verify-test: ok: a signed release verifies; $((cases - 1)) tampered ones fail, each with its reason"
