#!/usr/bin/env bash
# Verifies a release directory the way the Terraform registry and
# `terraform init` do, and fails on any mismatch:
#   1. the detached signature <name>_SHA256SUMS.sig is a good signature of
#      <name>_SHA256SUMS by the given public key, checked with gpg in a fresh
#      keyring holding that public key only (no secret key, no other key);
#   2. every file the SHA256SUMS file lists has that SHA-256 (looked up in
#      DIST, then in EXTRA_DIR: the registry manifest is uploaded beside the
#      zips, not built into dist/), and every zip in DIST is listed.
#
# Usage: scripts/release-verify.sh DIST PUBLIC_KEY_FILE [EXTRA_DIR]
#   DIST             a goreleaser dist/ directory, or the files of a release
#   PUBLIC_KEY_FILE  the signing key's public half (armoured or binary), the
#                    one the registry holds
# make release-check runs it on a snapshot it signs with a throwaway key;
# scripts/release-verify-test.sh shows it failing on tampered files.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail() {
	printf 'release-verify: %s\n' "$*" >&2
	exit 1
}

(($# == 2 || $# == 3)) || fail "usage: $0 DIST PUBLIC_KEY_FILE [EXTRA_DIR]"
dist="$1"
public_key="$2"
extra="${3:-}"
[[ -d "$dist" ]] || fail "$dist is not a directory"
[[ -f "$public_key" ]] || fail "no public key file $public_key"
need_tool gpg gnupg
need_tool sha256sum coreutils

shopt -s nullglob
sums_files=("$dist"/*_SHA256SUMS)
shopt -u nullglob
((${#sums_files[@]} == 1)) || fail "expected one *_SHA256SUMS file in $dist, found ${#sums_files[@]}"
sums="${sums_files[0]}"
sig="$sums.sig"
[[ -f "$sig" ]] || fail "no signature ${sig##*/} beside ${sums##*/}: the registry refuses an unsigned release"

# 1. The signature, in a keyring that holds the public key and nothing else.
keyring="$(mktemp -d "${TMPDIR:-/tmp}/release-verify.XXXXXX")"
trap 'stop_gpg_home "$keyring"; rm -rf "$keyring"' EXIT
(
	new_gpg_home "$keyring"
	gpg --batch --quiet --import "$public_key" 2>"$keyring/import.log" ||
		fail "gpg could not import $public_key: $(cat "$keyring/import.log")"
	if gpg --batch --list-secret-keys --with-colons 2>/dev/null | grep -q '^sec'; then
		fail "the verifying keyring holds a secret key; it must hold the public key only"
	fi
	# --status-fd gives the machine-readable verdict: exit status 0 and a
	# VALIDSIG line, or no verification.
	if ! gpg --batch --status-fd 3 --verify "$sig" "$sums" 3>"$keyring/status" 2>"$keyring/verify.log"; then
		fail "the signature ${sig##*/} does not verify ${sums##*/} with the key in ${public_key##*/}:
$(sed 's/^/    /' "$keyring/verify.log")"
	fi
	grep -q '^\[GNUPG:\] VALIDSIG ' "$keyring/status" ||
		fail "gpg did not report a valid signature of ${sums##*/}: $(cat "$keyring/status")"
	echo "release-verify: ${sig##*/}: good signature of ${sums##*/} by $(awk '$2 == "VALIDSIG" { print $3; exit }' "$keyring/status")"
)

# 2. The checksums.
listed=0
while read -r want name rest; do
	[[ -n "$want" ]] || continue
	[[ -z "$rest" && "$want" =~ ^[0-9a-f]{64}$ && -n "$name" && "$name" != */* ]] ||
		fail "${sums##*/} holds a line that is not '<sha256>  <file name>': $want $name $rest"
	name="${name#\*}"
	file="$dist/$name"
	if [[ ! -f "$file" && -n "$extra" ]]; then
		file="$extra/$name"
	fi
	[[ -f "$file" ]] || fail "${sums##*/} lists $name, which is not in $dist${extra:+ or $extra}"
	got="$(sha256sum "$file" | awk '{ print $1 }')"
	[[ "$got" == "$want" ]] ||
		fail "checksum mismatch: ${sums##*/} gives $name the SHA-256 $want, the file has $got"
	listed=$((listed + 1))
done <"$sums"
((listed > 0)) || fail "${sums##*/} lists no file"

shopt -s nullglob
for zip in "$dist"/*.zip; do
	awk -v n="${zip##*/}" '{ f = $2; sub(/^\*/, "", f) } f == n { found = 1 } END { exit !found }' "$sums" ||
		fail "${zip##*/} is in $dist but not in ${sums##*/}: nothing vouches for it"
done
shopt -u nullglob
echo "release-verify: ok: $listed files match ${sums##*/}"
