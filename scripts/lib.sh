# Shared by the scripts in this folder: build the provider and point a
# Terraform CLI at the local build with dev_overrides. Source it.

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
