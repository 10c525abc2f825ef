package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Resource identity in import blocks needs Terraform 1.12 or OpenTofu 1.12.
var identityVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

func identityImportConfig(env *acctest.Env, username, id, body string) string {
	return env.Config(fmt.Sprintf(`
import {
  to = motherduck_user_token.t
  identity = {
    username = %q
    id       = %q
  }
}

resource "motherduck_user_token" "t" {
%s
}
`, username, id, body))
}

func TestAccUserToken_importBlockWithIdentity(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	existing := env.Server.MintToken(acctest.ServiceAccount, "minted-elsewhere", 24*time.Hour, "")
	cfg := identityImportConfig(env, acctest.ServiceAccount, existing.ID, `  username = "svc_ci"
  name     = "minted-elsewhere"
  ttl      = 86400`)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks,
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: env.Server.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// an import, and nothing else: no mint, no revoke
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("username"), knownvalue.StringExact(acctest.ServiceAccount)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("name"), knownvalue.StringExact("minted-elsewhere")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("ttl"), knownvalue.Int64Exact(86400)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectIdentity(tokenAddr, map[string]knownvalue.Check{
						"username": knownvalue.StringExact(acctest.ServiceAccount),
						"id":       knownvalue.StringExact(existing.ID),
					}),
					statecheck.ExpectIdentityValueMatchesState(tokenAddr, tfjsonpath.New("id")),
					env.ExpectLive(tokenAddr, acctest.ServiceAccount),
				},
			},
			{ // adopted as it is: the next plan is empty
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
	if n := env.Server.CountRequests(emulator.OpMint); n != 0 {
		t.Errorf("importing by identity minted %d tokens", n)
	}
	if tok, _ := env.Server.Token(existing.ID); !tok.Revoked {
		t.Error("destroying the imported token must revoke it")
	}
}

func TestAccUserToken_importStateKindIdentity(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := tokenConfig(env, `username = "svc_ci"
name     = "round-trip"
ttl      = 3600`)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks,
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(tokenAddr, tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesState(tokenAddr, tfjsonpath.New("username")),
				},
			},
			{ // the harness writes an import block with the identity from state; the plan must be a no-op import
				ResourceName:    tokenAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

func TestAccUserToken_importIdentityOfUnknownToken(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	revoked := env.Server.MintToken(acctest.ServiceAccount, "gone", 0, "")
	env.Server.RevokeToken(acctest.ServiceAccount, revoked.ID)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks,
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{ // a bad identity is refused before any request
				Config: identityImportConfig(env, "svc ci", revoked.ID, `  username = "svc_ci"
  name     = "gone"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Import Identity`),
			},
			{ // a token that is no longer valid cannot be imported, and the error says why
				Config: identityImportConfig(env, acctest.ServiceAccount, revoked.ID, `  username = "svc_ci"
  name     = "gone"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Cannot Import Token: Not a Valid Token of This User`),
			},
		},
	})
	if n := env.Server.CountRequests(emulator.OpMint); n != 0 {
		t.Errorf("a failed import minted %d tokens", n)
	}
}
