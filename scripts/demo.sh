#!/usr/bin/env bash
# The demo: a real `terraform apply` and `destroy` of the examples against a
# local MotherDuck API emulator, showing each token minted and revoked.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tf="$("$REPO_ROOT/scripts/terraform-cli.sh" terraform)"
echo "==> Terraform CLI: $("$tf" version | head -1)"
build_provider
work="$REPO_ROOT/.demo"
rm -rf "$work"
mkdir -p "$work/config"
use_dev_override "$work"
start_emulator "$work/emulator.log"
trap stop_emulator EXIT
echo "==> Emulator listening at $MOTHERDUCK_API_URL"

# One configuration made of the examples as they are documented.
cp "$REPO_ROOT/examples/provider/provider.tf" "$work/config/provider.tf"
cp "$REPO_ROOT/examples/resources/motherduck_user_token/resource.tf" "$work/config/resource.tf"
cp "$REPO_ROOT/examples/data-sources/motherduck_user_tokens/data-source.tf" "$work/config/data-source.tf"
cp "$REPO_ROOT/examples/rotation/main.tf" "$work/config/rotation.tf"
if "$tf" version -json | grep -Eq '"terraform_version": *"(1\.(1[0-9]|[2-9][0-9])|[2-9])'; then
	cp "$REPO_ROOT/examples/ephemeral-resources/motherduck_user_token/ephemeral-resource.tf" "$work/config/ephemeral.tf"
else
	echo "==> $("$tf" version | head -1) has no ephemeral resources (1.10+): that example is left out"
fi
cd "$work/config"

show_tokens() {
	echo "--- emulator: what the API saw so far (minted / revoked; secrets are never logged)"
	grep -E 'minted|revoked' "$work/emulator.log" | sed 's/^/    /' || true
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
show_tokens
minted=$(grep -c "minted" "$work/emulator.log" || true)
revoked=$(grep -c "revoked" "$work/emulator.log" || true)
echo "==> $minted tokens minted, $revoked revoked"
left=$(comm -23 <(grep -o 'minted id=[^ ]*' "$work/emulator.log" | cut -d= -f2 | sort) \
	<(grep -o 'revoked id=[^ ]*' "$work/emulator.log" | cut -d= -f2 | sort) | wc -l)
echo "==> tokens minted by this demo and still valid: $left"
[ "$left" -eq 0 ]
