#!/usr/bin/env bash
# The demo: a real `terraform apply` and `destroy` of the examples against a
# local MotherDuck API emulator, showing each service account created and
# deleted, each Duckling configuration written and restored, and each token
# minted and revoked.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tf="$("$REPO_ROOT/scripts/terraform-cli.sh" terraform)"
echo "==> Terraform CLI: $("$tf" version | head -1)"
build_provider
work="$REPO_ROOT/.demo"
rm -rf "$work"
mkdir -p "$work/config"
use_dev_override "$work"
# No seeded service accounts: the demo creates its own with Terraform.
start_emulator "$work/emulator.log" -service-accounts ""
trap stop_emulator EXIT
echo "==> Emulator listening at $MOTHERDUCK_API_URL (no service accounts yet)"

# The service accounts are a configuration of their own, applied before the
# examples and destroyed after them, the way long-lived accounts usually live
# apart from the tokens that come and go. With them, the complete example
# (its own account, a rotating token and a read-only one).
mkdir -p "$work/accounts"
cp "$REPO_ROOT/examples/provider/provider.tf" "$work/accounts/provider.tf"
cp "$REPO_ROOT/examples/demo/service_accounts.tf" "$work/accounts/service_accounts.tf"
cp "$REPO_ROOT/examples/complete/main.tf" "$work/accounts/complete.tf"
# The demo tears everything down at the end; see service_accounts.tf.
export TF_VAR_deletion_protection=false
echo "==> terraform apply: service accounts (and the complete example)"
(cd "$work/accounts" && "$tf" apply -auto-approve -no-color)

# One configuration made of the examples as they are documented.
cp "$REPO_ROOT/examples/provider/provider.tf" "$work/config/provider.tf"
cp "$REPO_ROOT/examples/resources/motherduck_user_token/resource.tf" "$work/config/resource.tf"
cp "$REPO_ROOT/examples/data-sources/motherduck_user_tokens/data-source.tf" "$work/config/data-source.tf"
cp "$REPO_ROOT/examples/rotation/main.tf" "$work/config/rotation.tf"
# Read the version into a variable first: `grep -q` closes the pipe early, and
# under pipefail the CLI's SIGPIPE would make the test fail on a new CLI.
tf_version_json="$("$tf" version -json)"
if grep -Eq '"terraform_version": *"(1\.(1[0-9]|[2-9][0-9])|[2-9])' <<<"$tf_version_json"; then
	cp "$REPO_ROOT/examples/ephemeral-resources/motherduck_user_token/ephemeral-resource.tf" "$work/config/ephemeral.tf"
else
	echo "==> $("$tf" version | head -1) has no ephemeral resources (1.10+): that example is left out"
fi
cd "$work/config"

show_tokens() {
	echo "--- emulator: what the API saw so far (tokens minted / revoked, accounts created / deleted; secrets are never logged)"
	grep -E 'minted|revoked|created user|deleted user|configured user' "$work/emulator.log" | sed 's/^/    /' || true
}

echo "==> terraform apply"
"$tf" apply -auto-approve -no-color
echo "==> terraform state list"
"$tf" state list
echo "==> terraform output (the secret is sensitive: Terraform shows <sensitive>)"
"$tf" output -no-color
echo "==> ci_token_names above came from the data source read while planning, before the tokens existed;"
echo "==> terraform apply -refresh-only reads it again, now that they exist:"
"$tf" apply -refresh-only -auto-approve -no-color >/dev/null
"$tf" output -no-color ci_token_names
show_tokens

echo "==> terraform destroy"
"$tf" destroy -auto-approve -no-color
echo "==> terraform destroy: service accounts (and the complete example)"
(cd "$work/accounts" && "$tf" destroy -auto-approve -no-color)
show_tokens
minted=$(grep -c "minted" "$work/emulator.log" || true)
revoked=$(grep -c "revoked" "$work/emulator.log" || true)
echo "==> $minted tokens minted, $revoked revoked"
left=$(comm -23 <(grep -o 'minted id=[^ ]*' "$work/emulator.log" | cut -d= -f2 | sort) \
	<(grep -o 'revoked id=[^ ]*' "$work/emulator.log" | cut -d= -f2 | sort) | wc -l)
echo "==> tokens minted by this demo and still valid: $left"
accounts_left=$(comm -23 <(grep -o 'created user=[^ ]*' "$work/emulator.log" | cut -d= -f2 | sort) \
	<(grep -o 'deleted user=[^ ]*' "$work/emulator.log" | cut -d= -f2 | sort) | wc -l)
echo "==> service accounts created by this demo and still there: $accounts_left"
# The pipeline account's Duckling configuration: what its first read found
# (before Terraform wrote anything) must be what the last write put back.
found=$(grep -m1 'read user=svc_etl ducklings' "$work/emulator.log" | sed 's/.* ducklings //')
restored=$(grep 'configured user=svc_etl ducklings' "$work/emulator.log" | tail -1 | sed 's/.* ducklings //')
echo "==> svc_etl Ducklings before Terraform: $found; after destroy: $restored"
[ "$left" -eq 0 ] && [ "$accounts_left" -eq 0 ] && [ -n "$found" ] && [ "$found" = "$restored" ]
