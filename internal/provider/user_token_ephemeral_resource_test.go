package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// Checks built from plain functions, for assertions that ask the emulator.
type (
	planCheckFunc  func(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse)
	stateCheckFunc func(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse)
)

func (f planCheckFunc) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	f(ctx, req, resp)
}

func (f stateCheckFunc) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	f(ctx, req, resp)
}

// ephemeralName is the name every ephemeral token of these tests is minted with.
const ephemeralName = "eph-run"

// consumerProvider is the local name of a second motherduck provider that
// authenticates with the ephemeral token.
//
// It is a provider of its own rather than an alias of "motherduck": in the
// harness every configuration of one provider name is served by the same
// in-process server (reattach), and the framework keeps only the data of the
// last ConfigureProvider call, so the aliased configuration would also become
// the one the ephemeral resource's Close uses. Real Terraform starts one
// plugin process per provider configuration, where an alias works.
const consumerProvider = "motherduckeph"

// ephemeralFactories are the emulator's provider factories plus the consumer.
func ephemeralFactories(env *acctest.Env) map[string]func() (tfprotov6.ProviderServer, error) {
	f := env.Factories()
	f[consumerProvider] = providerserver.NewProtocol6WithError(provider.NewWithOptions("test", provider.Options{
		Now: env.Server.Now, RetryBaseBackoff: 5 * time.Millisecond,
	})())
	return f
}

// ephemeralConfig mints an ephemeral token for the admin user and consumes it:
// a second provider authenticates with it and reads the admin's token list
// through the data source. extra goes into the ephemeral block.
func ephemeralConfig(env *acctest.Env, extra string) string {
	return env.Config(fmt.Sprintf(`
ephemeral "motherduck_user_token" "x" {
  username = %[1]q
  name     = %[2]q
%[3]s
}

provider %[4]q {
  token   = ephemeral.motherduck_user_token.x.token
  api_url = %[5]q
}

data "motherduck_user_tokens" "seen_by_eph" {
  provider = %[4]s
  username = %[1]q
}
`, emulator.DefaultAdminUsername, ephemeralName, extra, consumerProvider, env.URL))
}

// ephemeralTokens are the tokens the ephemeral resource minted, as the
// emulator recorded them.
func ephemeralTokens(env *acctest.Env) []emulator.Token {
	var out []emulator.Token
	for _, tok := range env.Server.AllTokens() {
		if tok.ViaAPI && tok.Name == ephemeralName {
			out = append(out, tok)
		}
	}
	return out
}

// checkEphemeralClosed asserts, in the emulator, that the ephemeral resource
// minted at least atLeast tokens, one per mint request, each of the user and
// lifetime wanted, and that every one of them is revoked again.
func checkEphemeralClosed(env *acctest.Env, atLeast int, life time.Duration) error {
	toks := ephemeralTokens(env)
	if len(toks) < atLeast {
		return fmt.Errorf("want at least %d ephemeral tokens minted, the emulator saw %d", atLeast, len(toks))
	}
	mints := 0
	for _, r := range env.Server.Requests() {
		if r.Op == emulator.OpMint && r.TokenName == ephemeralName {
			mints++
		}
	}
	if mints != len(toks) {
		return fmt.Errorf("%d mint requests but %d ephemeral tokens", mints, len(toks))
	}
	for _, tok := range toks {
		if tok.Username != emulator.DefaultAdminUsername {
			return fmt.Errorf("ephemeral token %s belongs to %q", tok.ID, tok.Username)
		}
		if !tok.Revoked {
			return fmt.Errorf("ephemeral token %s was not revoked when Terraform closed it", tok.ID)
		}
		if tok.ExpireAt == nil || tok.ExpireAt.Sub(tok.CreatedAt) != life {
			return fmt.Errorf("ephemeral token %s: want a lifetime of %s, got expire_at %v created %v", tok.ID, life, tok.ExpireAt, tok.CreatedAt)
		}
	}
	return nil
}

// secretsIn reports which emulator secrets appear in s.
func secretsIn(env *acctest.Env, s string, only func(emulator.Token) bool) []string {
	var found []string
	for _, tok := range env.Server.AllTokens() {
		if (only == nil || only(tok)) && tok.Secret != "" && strings.Contains(s, tok.Secret) {
			found = append(found, fmt.Sprintf("%s (%s)", tok.ID, tok.Name))
		}
	}
	return found
}

func isEphemeral(tok emulator.Token) bool { return tok.ViaAPI && tok.Name == ephemeralName }

// noEphemeralInState checks the state as `terraform show -json` gives it:
// no ephemeral resource in it, and no secret of an ephemeral token anywhere.
func noEphemeralInState(env *acctest.Env) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
			resp.Error = fmt.Errorf("no state to check")
			return
		}
		for _, r := range req.State.Values.RootModule.Resources {
			if strings.HasPrefix(r.Address, "ephemeral.") || (r.Mode != tfjson.ManagedResourceMode && r.Mode != tfjson.DataResourceMode) {
				resp.Error = fmt.Errorf("state holds %s (mode %q)", r.Address, r.Mode)
				return
			}
		}
		raw, err := json.Marshal(req.State)
		if err != nil {
			resp.Error = err
			return
		}
		if found := secretsIn(env, string(raw), isEphemeral); len(found) > 0 {
			resp.Error = fmt.Errorf("the state holds the secret of ephemeral tokens %v", found)
		}
	})
}

// checkReadWithEphemeral asserts that the data source, read through the
// provider authenticated with the ephemeral token, listed that token: the
// read ran while it was open, and nothing but it authenticated the read.
func checkReadWithEphemeral(env *acctest.Env) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources["data.motherduck_user_tokens.seen_by_eph"]
		if !ok {
			return fmt.Errorf("the data source read through the ephemeral token is not in state")
		}
		eph := map[string]bool{}
		for _, tok := range ephemeralTokens(env) {
			eph[tok.ID] = true
		}
		for k, v := range rs.Primary.Attributes {
			if strings.HasSuffix(k, ".id") && eph[v] {
				return nil
			}
		}
		return fmt.Errorf("the admin's token list read through the ephemeral token does not show an ephemeral token")
	}
}

func TestAccUserTokenEphemeral_consumedAndRevoked(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := ephemeralConfig(env, "")
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: ephemeralFactories(env),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// After `plan`: the token it opened is revoked, and the plan
				// file does not hold its secret.
				planCheckFunc(func(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
					if err := checkEphemeralClosed(env, 1, time.Hour); err != nil {
						resp.Error = fmt.Errorf("after plan: %w", err)
						return
					}
					raw, err := json.Marshal(req.Plan)
					if err != nil {
						resp.Error = err
						return
					}
					if found := secretsIn(env, string(raw), isEphemeral); len(found) > 0 {
						resp.Error = fmt.Errorf("the plan holds the secret of ephemeral tokens %v", found)
					}
				}),
			}},
			ConfigStateChecks: []statecheck.StateCheck{noEphemeralInState(env)},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkReadWithEphemeral(env),
				// After `apply`: the plan's token and the apply's are all revoked.
				func(*terraform.State) error { return checkEphemeralClosed(env, 1, time.Hour) },
				func(s *terraform.State) error {
					if found := secretsIn(env, s.String(), isEphemeral); len(found) > 0 {
						return fmt.Errorf("the state holds the secret of ephemeral tokens %v", found)
					}
					return nil
				},
			),
		}},
	})
	// Every run the harness made after the last check (refresh, plan, destroy)
	// closed what it opened, too.
	if err := checkEphemeralClosed(env, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	t.Logf("the runs of this test minted and revoked %d ephemeral tokens", len(ephemeralTokens(env)))
}

func TestAccUserTokenEphemeral_configuredTTLAndType(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: ephemeralFactories(env),
		Steps: []resource.TestStep{
			{ // an explicit ttl replaces the one-hour default
				Config: ephemeralConfig(env, "  ttl = 900"),
				Check:  func(*terraform.State) error { return checkEphemeralClosed(env, 1, 15*time.Minute) },
			},
			{ // a read_scaling token cannot act as admin: the consumer is refused, so the token really is what authenticates it
				Config:      ephemeralConfig(env, "  ttl = 900\n  token_type = \"read_scaling\""),
				ExpectError: regexp.MustCompile(`(?i)organization Admin`),
			},
		},
	})
	// When a consumer fails during plan, Terraform 1.11 and OpenTofu 1.12 do
	// not call Close on the ephemeral resource (observed: no
	// CloseEphemeralResource RPC). That is what the ttl is for: the token
	// left open dies on its own, 15 minutes after it was minted.
	var readScaling int
	for _, tok := range ephemeralTokens(env) {
		if tok.ExpireAt == nil || tok.ExpireAt.Sub(tok.CreatedAt) != 15*time.Minute {
			t.Errorf("ephemeral token %s: want a 15m lifetime, got expire_at %v created %v", tok.ID, tok.ExpireAt, tok.CreatedAt)
		}
		if tok.TokenType == emulator.TokenTypeReadScaling {
			readScaling++
			if !tok.Revoked {
				t.Logf("the CLI did not close read_scaling token %s after the failed plan; it expires at %s", tok.ID, tok.ExpireAt)
			}
			continue
		}
		if !tok.Revoked {
			t.Errorf("ephemeral token %s of a successful run was not revoked", tok.ID)
		}
	}
	if readScaling == 0 {
		t.Error("the failing step minted no read_scaling token")
	}
}

func TestAccUserTokenEphemeral_closeToleratesInvalidToken(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	// Once the consumer has read the list, revoke every open ephemeral token
	// behind Terraform's back: Close then meets a token that is already gone.
	env.Server.OnRequest(func(r emulator.Request) {
		if r.Op != emulator.OpList {
			return
		}
		for _, tok := range ephemeralTokens(env) {
			if !tok.Revoked {
				env.Server.RevokeToken(tok.Username, tok.ID)
			}
		}
	})
	t.Cleanup(func() { env.Server.OnRequest(nil) })
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: ephemeralFactories(env),
		Steps: []resource.TestStep{{
			Config: ephemeralConfig(env, ""),
			Check: func(*terraform.State) error {
				var statuses []int
				for _, r := range env.Server.Requests() {
					if r.Op == emulator.OpRevoke {
						statuses = append(statuses, r.Status)
					}
				}
				// The plan's token was revoked under it (404); a run that did not
				// read the list (apply reuses the planned data) closes a live
				// one (200). Both are a successful close.
				saw404 := false
				for _, st := range statuses {
					switch st {
					case 404:
						saw404 = true
					case 200:
					default:
						return fmt.Errorf("unexpected status closing an ephemeral token: %v", statuses)
					}
				}
				if !saw404 {
					return fmt.Errorf("no close met an already-invalid token; revoke statuses %v", statuses)
				}
				return checkEphemeralClosed(env, 1, time.Hour)
			},
		}},
	})
}
