#!/usr/bin/env bash
# Print the absolute path of a working Terraform or OpenTofu CLI binary,
# finding it or building it from source with the Go toolchain.
#
# Usage:
#   scripts/terraform-cli.sh terraform
#       Any Terraform >= 1.5, first found of: $TF_ACC_TERRAFORM_PATH,
#       `terraform` on PATH, the cached 1.5.7 build; else builds 1.5.7.
#   scripts/terraform-cli.sh terraform-1.5.7
#       Exactly Terraform 1.5.7 (cached build, or an exact match in
#       $TF_ACC_TERRAFORM_PATH / on PATH); else builds it.
#   scripts/terraform-cli.sh terraform-path-or-none
#       The `terraform` on PATH if it is a working Terraform >= 1.5, else
#       prints nothing. Never builds; always exits 0.
#   scripts/terraform-cli.sh terraform-1.13.3
#       Exactly Terraform 1.13.3, a TEST BUILD without the remote-state
#       backends (azurerm, consul, cos, gcs, kubernetes, oci, oss, pg, s3):
#       those are nested modules missing from the module proxy's zip, so the
#       build drops them. Enough for acceptance tests (local state); not a
#       Terraform to use for real work. Cached build, else builds it.
#   scripts/terraform-cli.sh tofu
#       Exactly OpenTofu 1.12.6 (cached build, or an exact match on PATH);
#       else builds it.
#
# Only the binary path goes to stdout; progress and errors go to stderr.
# MOTHERDUCK_CLI_VERIFY_TIMEOUT (seconds, default 60) bounds the
# `<bin> version` check that every candidate binary must pass.
#
# Builds live outside the clone, in
#   ${MOTHERDUCK_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-motherduck/cli}
# as terraform-1.5.7/terraform, terraform-1.13.3/terraform and
# tofu-1.12.6/tofu. A lock file per tool
# makes concurrent invocations wait for one build instead of each starting
# their own. A cached binary that no longer runs is rebuilt.
#
# Building needs only Go and access to the Go module proxy; it takes several
# minutes (Terraform 1.5.7 4-7, Terraform 1.13.3 ~6, OpenTofu ~9 on two
# cores). Example:
#   export TF_ACC_TERRAFORM_PATH="$(scripts/terraform-cli.sh terraform)"
set -euo pipefail

readonly TERRAFORM_VERSION=1.5.7
readonly TERRAFORM_MIN_VERSION=1.5.0
readonly TERRAFORM_TEST_VERSION=1.13.3
readonly TOFU_VERSION=1.12.6
readonly TERRAFORM_MODULE=github.com/hashicorp/terraform
readonly TOFU_MODULE=github.com/opentofu/opentofu

CACHE_ROOT="${MOTHERDUCK_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-motherduck/cli}"

# How long `<bin> version` may take before the binary counts as broken.
VERIFY_TIMEOUT="${MOTHERDUCK_CLI_VERIFY_TIMEOUT:-60}"

log() { printf 'terraform-cli.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

usage() {
	sed -n '2,/^set -euo pipefail$/{/^#/!d;s/^# \{0,1\}//;p}' "$0" >&2
}

# abspath PATH: print PATH made absolute (symlinks left as they are, so a
# version-manager shim keeps working).
abspath() {
	local p="$1"
	case "$p" in
	/*) ;;
	*) p="$PWD/$p" ;;
	esac
	printf '%s\n' "$p"
}

# cli_version BIN: print "<product> <version>" (e.g. "Terraform 1.5.7" or
# "OpenTofu 1.12.6") read from `BIN version`; fail if BIN does not run.
cli_version() {
	local bin="$1" out line
	[[ -f "$bin" && -x "$bin" ]] || return 1
	# CHECKPOINT_DISABLE stops Terraform phoning home for update checks.
	if command -v timeout >/dev/null 2>&1; then
		out="$(CHECKPOINT_DISABLE=1 timeout "$VERIFY_TIMEOUT" "$bin" version 2>/dev/null)" || return 1
	else
		out="$(CHECKPOINT_DISABLE=1 "$bin" version 2>/dev/null)" || return 1
	fi
	# Not necessarily the first line: tofu prints CLI configuration warnings
	# on stdout before the version.
	while IFS= read -r line; do
		if [[ "$line" =~ ^(Terraform|OpenTofu)\ v([0-9]+\.[0-9]+\.[0-9]+[^[:space:]]*) ]]; then
			printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
			return 0
		fi
	done <<<"$out"
	return 1
}

# version_ge A B: true if version A >= version B (pre-release tags ignored).
version_ge() {
	local a="${1%%-*}" b="${2%%-*}"
	[[ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1)" == "$b" ]]
}

# accept BIN PRODUCT MODE VERSION: true if BIN runs and is PRODUCT with a
# version matching MODE ("min" = at least VERSION, "exact" = exactly VERSION).
accept() {
	local bin="$1" product="$2" mode="$3" want="$4" got
	got="$(cli_version "$bin")" || return 1
	[[ "${got%% *}" == "$product" ]] || return 1
	case "$mode" in
	min) version_ge "${got#* }" "$want" ;;
	exact) [[ "${got#* }" == "$want" ]] ;;
	*) return 1 ;;
	esac
}

# describe BIN: a short "what is this" for log messages.
describe() {
	cli_version "$1" 2>/dev/null || echo "not a working terraform/tofu binary"
}

# path_cmd NAME: print the absolute path of NAME on PATH, if any.
path_cmd() {
	local p
	p="$(type -P "$1" 2>/dev/null)" || return 1
	[[ -n "$p" ]] || return 1
	abspath "$p"
}

# with_lock NAME CMD...: run CMD holding an exclusive lock for NAME.
with_lock() {
	local name="$1" lockfile fd
	shift
	mkdir -p "$CACHE_ROOT"
	lockfile="$CACHE_ROOT/.$name.lock"
	if ! command -v flock >/dev/null 2>&1; then
		log "warning: flock not found; building without a lock"
		"$@"
		return
	fi
	exec {fd}>>"$lockfile"
	if ! flock -n "$fd"; then
		log "another invocation is building $name; waiting for it (lock $lockfile)"
		flock "$fd"
	fi
	# Not `"$@" || ...`: that would switch off set -e inside the command.
	# On failure the script exits and the lock goes with the process.
	"$@"
	flock -u "$fd"
	exec {fd}>&-
}

# A scratch directory inside the cache (same filesystem, so the finished
# binary can be renamed into place atomically), removed on exit.
BUILD_TMP=""
cleanup() {
	if [[ -n "$BUILD_TMP" && -d "$BUILD_TMP" ]]; then
		chmod -R u+w "$BUILD_TMP" 2>/dev/null || true
		rm -rf "$BUILD_TMP"
	fi
}
trap cleanup EXIT

new_build_tmp() {
	mkdir -p "$CACHE_ROOT"
	BUILD_TMP="$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")"
}

# Go settings for the builds: ignore any go.work and the caller's GOFLAGS
# (e.g. -mod=vendor would break building someone else's module).
go_env() {
	env GOWORK=off GOFLAGS= "$@"
}

# module_dir JSON: the Dir of a `go mod download -json` answer.
module_dir() {
	if command -v jq >/dev/null 2>&1; then
		jq -r '.Dir // empty' <<<"$1"
	else
		sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p' <<<"$1"
	fi
}

# build_terraform DEST: build Terraform $TERRAFORM_VERSION into DEST.
build_terraform() {
	local dest="$1" start
	command -v go >/dev/null 2>&1 || die "go not found on PATH; needed to build terraform $TERRAFORM_VERSION"
	new_build_tmp
	start=$SECONDS
	log "building terraform $TERRAFORM_VERSION from source (go install; takes 4-7 minutes)..."
	(cd "$BUILD_TMP" && go_env GOBIN="$BUILD_TMP/bin" \
		go install "$TERRAFORM_MODULE@v$TERRAFORM_VERSION") >&2 ||
		die "building terraform $TERRAFORM_VERSION failed"
	[[ -f "$BUILD_TMP/bin/terraform" ]] || die "the terraform build produced no binary"
	mkdir -p "$(dirname "$dest")"
	mv -f "$BUILD_TMP/bin/terraform" "$dest"
	cleanup
	log "built terraform $TERRAFORM_VERSION in $((SECONDS - start))s: $dest"
}

# build_tofu DEST: build OpenTofu $TOFU_VERSION into DEST. OpenTofu's go.mod
# has replace directives, so `go install module@version` refuses it; build
# from a writable copy of the downloaded module instead.
build_tofu() {
	local dest="$1" start json dir
	command -v go >/dev/null 2>&1 || die "go not found on PATH; needed to build tofu $TOFU_VERSION"
	new_build_tmp
	start=$SECONDS
	log "building tofu $TOFU_VERSION from source (go build; takes ~9 minutes)..."
	log "downloading $TOFU_MODULE@v$TOFU_VERSION..."
	json="$(cd "$BUILD_TMP" && go_env go mod download -json "$TOFU_MODULE@v$TOFU_VERSION")" ||
		die "go mod download $TOFU_MODULE@v$TOFU_VERSION failed: $json"
	dir="$(module_dir "$json")"
	[[ -n "$dir" && -d "$dir" ]] || die "no module directory in go mod download output: $json"
	# Module cache directories are read-only; copy to a writable place.
	cp -R "$dir/." "$BUILD_TMP/src"
	chmod -R u+w "$BUILD_TMP/src"
	mkdir -p "$BUILD_TMP/bin"
	# version.dev=no drops the "-dev" suffix `tofu version` otherwise
	# prints; OpenTofu's own release builds set it the same way.
	(cd "$BUILD_TMP/src" && go_env CGO_ENABLED=0 \
		go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
		-o "$BUILD_TMP/bin/tofu" ./cmd/tofu) >&2 ||
		die "building tofu $TOFU_VERSION failed"
	[[ -f "$BUILD_TMP/bin/tofu" ]] || die "the tofu build produced no binary"
	mkdir -p "$(dirname "$dest")"
	mv -f "$BUILD_TMP/bin/tofu" "$dest"
	cleanup
	log "built tofu $TOFU_VERSION in $((SECONDS - start))s: $dest"
}

# build_terraform_test DEST: build Terraform $TERRAFORM_TEST_VERSION into
# DEST without its remote-state backends. They (and internal/legacy, which
# only they use) are nested modules that the module proxy's zip leaves out,
# while go.mod requires and replaces them with local paths, so neither
# `go install module@version` nor a plain build of the download works. From a
# writable copy: drop those require and replace lines from go.mod, and those
# backends from internal/backend/init/init.go (imports and map entries), then
# build with -mod=mod. The local, http and inmem backends and HCP Terraform's
# stay. Release binaries are never downloaded.
build_terraform_test() {
	local dest="$1" start json dir src missing m path alias
	command -v go >/dev/null 2>&1 || die "go not found on PATH; needed to build terraform $TERRAFORM_TEST_VERSION"
	new_build_tmp
	start=$SECONDS
	log "building terraform $TERRAFORM_TEST_VERSION (test build without remote-state backends) from source (go build; takes ~6 minutes)..."
	json="$(cd "$BUILD_TMP" && go_env go mod download -json "$TERRAFORM_MODULE@v$TERRAFORM_TEST_VERSION")" ||
		die "go mod download $TERRAFORM_MODULE@v$TERRAFORM_TEST_VERSION failed: $json"
	dir="$(module_dir "$json")"
	[[ -n "$dir" && -d "$dir" ]] || die "no module directory in go mod download output: $json"
	src="$BUILD_TMP/src"
	cp -R "$dir/." "$src"
	chmod -R u+w "$src"
	# The nested modules whose replace target is not in the zip.
	missing=()
	while read -r m path; do
		[[ -d "$src/$path" ]] || missing+=("$m")
	done < <(sed -n 's|^replace \([^ ]*\) => \./\([^ ]*\)$|\1 \2|p' "$src/go.mod")
	[[ ${#missing[@]} -gt 0 ]] || die "terraform $TERRAFORM_TEST_VERSION: no missing nested module found in go.mod; the recipe needs a look"
	for m in "${missing[@]}"; do
		# The require line (a tab, the path, a version) and the replace line.
		grep -vE "^([[:space:]]+|replace )${m//./\\.}( |$)" "$src/go.mod" >"$src/go.mod.new"
		mv "$src/go.mod.new" "$src/go.mod"
		# The import in init.go names the package with an alias; drop the
		# import and every line using the alias (the map entry).
		alias="$(sed -n "s|^[[:space:]]*\([A-Za-z0-9_]*\) \"$m\"\$|\1|p" "$src/internal/backend/init/init.go")"
		if [[ -n "$alias" ]]; then
			grep -vE "(\"$m\"\$|[^A-Za-z0-9_]$alias\.)" "$src/internal/backend/init/init.go" >"$src/init.go.new"
			mv "$src/init.go.new" "$src/internal/backend/init/init.go"
		fi
	done
	if grep -rqE --include='*.go' --exclude='*_test.go' "\"($(IFS='|'; echo "${missing[*]}"))\"" "$src"; then
		die "terraform $TERRAFORM_TEST_VERSION: a missing nested module is still imported outside init.go; the recipe needs a look"
	fi
	mkdir -p "$BUILD_TMP/bin"
	# version.dev=no drops the "-dev" suffix, as HashiCorp's release builds do.
	(cd "$src" && go_env GOFLAGS=-mod=mod CGO_ENABLED=0 \
		go build -trimpath -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
		-o "$BUILD_TMP/bin/terraform" .) >&2 ||
		die "building terraform $TERRAFORM_TEST_VERSION failed"
	[[ -f "$BUILD_TMP/bin/terraform" ]] || die "the terraform build produced no binary"
	mkdir -p "$(dirname "$dest")"
	mv -f "$BUILD_TMP/bin/terraform" "$dest"
	cleanup
	log "built terraform $TERRAFORM_TEST_VERSION (test build without remote-state backends) in $((SECONDS - start))s: $dest"
}

# ensure_built_locked PRODUCT VERSION BIN BUILDER: called with the lock held.
ensure_built_locked() {
	local product="$1" version="$2" bin="$3" builder="$4"
	# Someone may have finished the build while we waited for the lock.
	if accept "$bin" "$product" exact "$version"; then
		return 0
	fi
	if [[ -e "$bin" ]]; then
		log "cached $bin is broken ($(describe "$bin")); rebuilding"
		rm -f "$bin"
	fi
	"$builder" "$bin"
	accept "$bin" "$product" exact "$version" ||
		die "freshly built $bin does not run as $product $version ($(describe "$bin"))"
}

# ensure_built NAME PRODUCT VERSION BIN BUILDER: make sure the cached BIN is
# a working PRODUCT VERSION, building it under lock NAME if it is not.
ensure_built() {
	local name="$1" product="$2" version="$3" bin="$4" builder="$5"
	if accept "$bin" "$product" exact "$version"; then
		return 0
	fi
	with_lock "$name" ensure_built_locked "$product" "$version" "$bin" "$builder"
}

TERRAFORM_CACHED="$CACHE_ROOT/terraform-$TERRAFORM_VERSION/terraform"
TERRAFORM_TEST_CACHED="$CACHE_ROOT/terraform-$TERRAFORM_TEST_VERSION/terraform"
TOFU_CACHED="$CACHE_ROOT/tofu-$TOFU_VERSION/tofu"

# candidates_terraform: print candidate terraform binaries, one a line.
candidates_terraform() {
	if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" ]]; then
		if [[ -f "$TF_ACC_TERRAFORM_PATH" && -x "$TF_ACC_TERRAFORM_PATH" ]]; then
			abspath "$TF_ACC_TERRAFORM_PATH"
		else
			log "ignoring TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH: not an executable file"
		fi
	fi
	path_cmd terraform || true
}

cmd_terraform() {
	local c
	while IFS= read -r c; do
		if accept "$c" Terraform min "$TERRAFORM_MIN_VERSION"; then
			printf '%s\n' "$c"
			return 0
		fi
		log "skipping $c ($(describe "$c")): need Terraform >= $TERRAFORM_MIN_VERSION"
	done < <(candidates_terraform)
	ensure_built "terraform-$TERRAFORM_VERSION" Terraform "$TERRAFORM_VERSION" "$TERRAFORM_CACHED" build_terraform
	printf '%s\n' "$TERRAFORM_CACHED"
}

cmd_terraform_exact() {
	local c
	if accept "$TERRAFORM_CACHED" Terraform exact "$TERRAFORM_VERSION"; then
		printf '%s\n' "$TERRAFORM_CACHED"
		return 0
	fi
	while IFS= read -r c; do
		if accept "$c" Terraform exact "$TERRAFORM_VERSION"; then
			printf '%s\n' "$c"
			return 0
		fi
	done < <(candidates_terraform)
	ensure_built "terraform-$TERRAFORM_VERSION" Terraform "$TERRAFORM_VERSION" "$TERRAFORM_CACHED" build_terraform
	printf '%s\n' "$TERRAFORM_CACHED"
}

cmd_terraform_path_or_none() {
	local c
	c="$(path_cmd terraform)" || return 0
	if accept "$c" Terraform min "$TERRAFORM_MIN_VERSION"; then
		printf '%s\n' "$c"
	else
		log "terraform on PATH ($c) is not usable ($(describe "$c")); need Terraform >= $TERRAFORM_MIN_VERSION"
	fi
	return 0
}

# Only the cached test build: a Terraform $TERRAFORM_TEST_VERSION found on
# PATH would be a release build, and the label "test build" would be wrong.
cmd_terraform_test() {
	ensure_built "terraform-$TERRAFORM_TEST_VERSION" Terraform "$TERRAFORM_TEST_VERSION" "$TERRAFORM_TEST_CACHED" build_terraform_test
	printf '%s\n' "$TERRAFORM_TEST_CACHED"
}

cmd_tofu() {
	local c
	if accept "$TOFU_CACHED" OpenTofu exact "$TOFU_VERSION"; then
		printf '%s\n' "$TOFU_CACHED"
		return 0
	fi
	if c="$(path_cmd tofu)" && accept "$c" OpenTofu exact "$TOFU_VERSION"; then
		printf '%s\n' "$c"
		return 0
	fi
	ensure_built "tofu-$TOFU_VERSION" OpenTofu "$TOFU_VERSION" "$TOFU_CACHED" build_tofu
	printf '%s\n' "$TOFU_CACHED"
}

main() {
	if [[ $# -ne 1 ]]; then
		usage
		exit 2
	fi
	case "$1" in
	terraform) cmd_terraform ;;
	"terraform-$TERRAFORM_VERSION") cmd_terraform_exact ;;
	"terraform-$TERRAFORM_TEST_VERSION") cmd_terraform_test ;;
	terraform-path-or-none) cmd_terraform_path_or_none ;;
	tofu) cmd_tofu ;;
	-h | --help | help) usage ;;
	*)
		log "unknown argument: $1"
		usage
		exit 2
		;;
	esac
}

main "$@"
