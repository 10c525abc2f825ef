package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// checkEmulatorDescription asserts the description the emulator keeps for
// the token in state.
func checkEmulatorDescription(env *acctest.Env, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[tokenAddr].Primary.ID
		tok, ok := env.Server.Token(id)
		if !ok {
			return fmt.Errorf("the emulator does not know token %s", id)
		}
		if tok.Description != want {
			return fmt.Errorf("the emulator holds description %q for token %s, want %q", tok.Description, id, want)
		}
		return nil
	}
}

func descriptionConfig(env *acctest.Env, desc string) string {
	return tokenConfig(env, fmt.Sprintf(`username    = "svc_ci"
name        = "described"
description = %q`, desc))
}

func TestAccUserToken_description(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{ // sent on mint and read back
				Config: descriptionConfig(env, "CI pipeline, rotated by Terraform"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("description"), knownvalue.StringExact("CI pipeline, rotated by Terraform")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &first), checkEmulatorDescription(env, "CI pipeline, rotated by Terraform")),
			},
			{ // import reads it back from the list
				ResourceName:            tokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc:       func(*terraform.State) (string, error) { return "svc_ci/" + first, nil },
			},
			{ // a token cannot change: a new description is a new token
				Config: descriptionConfig(env, "CI pipeline v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &second), env.CheckRevoked(&first), checkEmulatorDescription(env, "CI pipeline v2")),
			},
		},
	})
}

func TestAccUserToken_descriptionDroppedByOlderRegion(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetDescriptionSupport(false)
	var id string
	cfg := descriptionConfig(env, "kept in state")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{ // the region drops it; the apply succeeds and state keeps what was configured
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("description"), knownvalue.StringExact("kept in state")),
					env.ExpectLive(tokenAddr, "svc_ci"),
				},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &id), checkEmulatorDescription(env, "")),
			},
			{ // and the next plan is empty: no replacement on every run
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.TestCheckResourceAttrPtr(tokenAddr, "id", &id),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

func TestAccUserToken_descriptionSupportGoesAway(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var id string
	cfg := descriptionConfig(env, "written while supported")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &id), checkEmulatorDescription(env, "written while supported"))},
			{ // the list stops returning descriptions (e.g. a failover to an older region): still no change
				PreConfig: func() { env.Server.SetDescriptionSupport(false) },
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
}
