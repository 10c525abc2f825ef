#!/usr/bin/env bash
# Fails when a GitHub workflow uses an action, or a reusable workflow, that
# is not pinned by full commit SHA (part of `make lint`):
#
#   uses: actions/checkout@<40 hex digits> # v7.0.1      ok
#   uses: ./.github/actions/local                        ok (in this repository)
#   uses: docker://alpine@sha256:<64 hex digits>         ok (image digest)
#   uses: actions/checkout@v7                            refused: a tag can move
#   uses: actions/checkout@<sha>                         refused: no "# <tag>" comment
#
# A tag or branch can be moved to other code after review; a commit SHA
# cannot. The comment names the tag the SHA was read from, so a reader (and
# Dependabot, which updates both) knows the version.
#
# Usage: scripts/check-pinned-actions.sh [FILE...]
# Without FILEs it checks .github/workflows/*.yml and *.yaml and any
# action.yml/action.yaml under .github/actions.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

files=("$@")
if ((${#files[@]} == 0)); then
	shopt -s nullglob globstar
	files=(.github/workflows/*.yml .github/workflows/*.yaml .github/actions/**/action.yml .github/actions/**/action.yaml)
	shopt -u nullglob globstar
	((${#files[@]} > 0)) || {
		echo "check-pinned-actions: no workflow files found under .github/workflows" >&2
		exit 1
	}
fi

# Every `uses:` key, in block style (`uses: x`, `- uses: x`) or inside a
# flow mapping (`- {uses: x, with: ...}`), quoted or not. Prints
# FILE, LINE, VALUE and COMMENT, separated by \037 (never in YAML text), for each: VALUE unquoted,
# COMMENT the text after " #" (empty when there is none).
list_uses() {
	awk '
	{
		line = $0
		# A whole-line comment is not a key.
		if (line ~ /^[[:space:]]*#/) next
		comment = ""
		if (match(line, /[[:space:]]#/)) {
			comment = substr(line, RSTART + 2)
			sub(/^[[:space:]]+/, "", comment)
			line = substr(line, 1, RSTART - 1)
		}
		rest = line
		while (match(rest, /(^[[:space:]]*(-[[:space:]]+)?|[{,][[:space:]]*)["'"'"']?uses["'"'"']?[[:space:]]*:/)) {
			rest = substr(rest, RSTART + RLENGTH)
			value = rest
			sub(/^[[:space:]]+/, "", value)
			# In a flow mapping the value ends at the next , or }.
			if (line ~ /\{/) sub(/[,}].*$/, "", value)
			sub(/[[:space:]]+$/, "", value)
			gsub(/^["'"'"']|["'"'"']$/, "", value)
			printf "%s\037%d\037%s\037%s\n", FILENAME, FNR, value, comment
		}
	}' "$@"
}

sha_ref='^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$'
docker_digest='^docker://[^@[:space:]]+@sha256:[0-9a-f]{64}$'

bad=0
checked=0
while IFS=$'\037' read -r file line value comment; do
	checked=$((checked + 1))
	reason=""
	case "$value" in
	./*) ;;
	docker://*)
		[[ "$value" =~ $docker_digest ]] || reason="a docker image must be pinned by digest (docker://image@sha256:<64 hex digits>)"
		;;
	"" | "|"* | ">"*)
		reason="write the action on the same line as uses: so that it can be checked"
		;;
	*)
		if ! [[ "$value" =~ $sha_ref ]]; then
			reason="not pinned by full commit SHA: write owner/repo@<40-hex commit SHA> # <tag>, the SHA read from the action's repository"
		elif [[ -z "$comment" ]]; then
			reason="pinned by SHA but no \"# <tag>\" comment says which version it is"
		fi
		;;
	esac
	if [[ -n "$reason" ]]; then
		printf '%s:%s: uses: %s: %s\n' "$file" "$line" "$value" "$reason" >&2
		bad=$((bad + 1))
	fi
done < <(list_uses "${files[@]}")

if ((bad > 0)); then
	echo "check-pinned-actions: $bad of $checked uses: lines are not pinned" >&2
	exit 1
fi
echo "check-pinned-actions: ok: $checked uses: lines in ${#files[@]} files, each pinned by commit SHA, local, or a docker digest"
