# Shared by the scripts in this folder: build the provider and point a
# Terraform CLI at the local build with dev_overrides, run the emulator,
# install a missing tool, and make throwaway GnuPG homes and keys for the
# release check. Source it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# build_provider: build bin/terraform-provider-motherduck.
build_provider() {
	(cd "$REPO_ROOT" && go build -o bin/terraform-provider-motherduck .)
}

# use_dev_override DIR: write a CLI config into DIR that serves
# duckops/motherduck from bin/, and export TF_CLI_CONFIG_FILE.
use_dev_override() {
	local dir="$1"
	mkdir -p "$dir"
	cat >"$dir/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/duckops/motherduck" = "$REPO_ROOT/bin"
    "registry.opentofu.org/duckops/motherduck" = "$REPO_ROOT/bin"
  }
  direct {}
}
CFG
	export TF_CLI_CONFIG_FILE="$dir/terraformrc"
	export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
}

# start_emulator LOGFILE [FLAG...]: start the local MotherDuck API emulator
# (with the extra flags given) on a loopback port and export MOTHERDUCK_API_URL / MOTHERDUCK_TOKEN for it.
start_emulator() {
	local log="$1"
	(cd "$REPO_ROOT" && go build -o bin/motherduck-emulator ./internal/emulator/cmd/motherduck-emulator)
	local out
	out="$(mktemp)"
	"$REPO_ROOT/bin/motherduck-emulator" -token md-emulator-admin-token "${@:2}" >"$out" 2>"$log" &
	EMULATOR_PID=$!
	for _ in $(seq 100); do
		grep -q '^MOTHERDUCK_API_URL=' "$out" && break
		sleep 0.1
	done
	MOTHERDUCK_API_URL="$(sed -n 's/^MOTHERDUCK_API_URL=//p' "$out" | head -1)"
	[ -n "$MOTHERDUCK_API_URL" ] || { echo "emulator did not start; its log:" >&2; cat "$log" >&2; return 1; }
	export MOTHERDUCK_API_URL MOTHERDUCK_TOKEN=md-emulator-admin-token
	rm -f "$out"
}

stop_emulator() {
	[ -n "${EMULATOR_PID:-}" ] && kill "$EMULATOR_PID" 2>/dev/null && wait "$EMULATOR_PID" 2>/dev/null || true
}

# need_tool COMMAND DEBIAN_PACKAGE: make sure COMMAND is on PATH. When it is
# missing on a Debian or Ubuntu machine run as root, install DEBIAN_PACKAGE
# with apt-get; otherwise fail, naming the package to install.
need_tool() {
	local cmd="$1" pkg="$2"
	command -v "$cmd" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "$cmd is missing: installing the Debian package $pkg" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 ||
			{ DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2; } || true
	fi
	command -v "$cmd" >/dev/null 2>&1 && return 0
	echo "$cmd is needed and not installed: install it (Debian and Ubuntu: apt-get install $pkg) and run again" >&2
	return 1
}

# new_gpg_home DIR: an empty GnuPG home at DIR, exported as GNUPGHOME. Stop
# its agent with stop_gpg_home DIR before removing DIR.
new_gpg_home() {
	mkdir -p "$1"
	chmod 700 "$1"
	export GNUPGHOME="$1"
}

# stop_gpg_home DIR: stop the gpg-agent that gpg started for the GnuPG home
# DIR, if any.
stop_gpg_home() {
	if [ -d "$1" ]; then
		GNUPGHOME="$1" gpgconf --kill all >/dev/null 2>&1 || true
	fi
}

# throwaway_gpg_key NAME: generate, in GNUPGHOME, a signing key for NAME with
# no passphrase that expires in a day, and print its fingerprint. RSA, as the
# Terraform registry accepts RSA and DSA keys only.
throwaway_gpg_key() {
	gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-gen-key "$1 <release-check@example.invalid>" rsa4096 sign 1d >/dev/null 2>&1 ||
		{ echo "gpg could not generate a key in $GNUPGHOME" >&2; return 1; }
	gpg --batch --quiet --with-colons --list-secret-keys "$1" 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }'
}
