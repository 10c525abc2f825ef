package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// checkMintedBeforeRevoked asserts, from the emulator's request log, that
// newID was minted before oldID was revoked, and that both happened.
func checkMintedBeforeRevoked(env *acctest.Env, oldID, newID *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		mintAt, revokeAt := -1, -1
		for i, r := range env.Server.Requests() {
			switch {
			case r.Op == emulator.OpMint && r.TokenID == *newID && r.Status == 200:
				mintAt = i
			case r.Op == emulator.OpRevoke && r.TokenID == *oldID && r.Status == 200:
				revokeAt = i
			}
		}
		switch {
		case mintAt < 0:
			return fmt.Errorf("the emulator saw no mint of the new token %s", *newID)
		case revokeAt < 0:
			return fmt.Errorf("the emulator saw no revoke of the old token %s", *oldID)
		case mintAt > revokeAt:
			return fmt.Errorf("the old token %s was revoked (request %d) before the new %s was minted (request %d)", *oldID, revokeAt, *newID, mintAt)
		}
		return nil
	}
}

// rotatingToken is an hour-long token of svc_ci that is rotated once less
// than window is left, with extra arguments.
func rotatingToken(env *acctest.Env, window, extra string) string {
	return tokenConfig(env, fmt.Sprintf(`username      = "svc_ci"
name          = "rotating"
ttl           = 3600
rotate_before = %q
%s`, window, extra))
}

func TestAccUserToken_rotateBefore(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second string
	cfg := rotatingToken(env, "30m", "lifecycle {\n  create_before_destroy = true\n}")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check:             resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &first), expireAfter(env, tokenAddr, time.Hour)),
			},
			{ // the clock has not moved: 60 minutes left, outside the 30 minute window
				Config:   cfg,
				PlanOnly: true,
			},
			{ // 29 minutes left: inside the window, so the plan replaces it, new token first
				PreConfig: func() {
					env.Server.Advance(31 * time.Minute)
					env.Server.ResetRequests()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.StateID(tokenAddr, &second),
					env.CheckRevoked(&first),
					checkMintedBeforeRevoked(env, &first, &second),
					// the new token's hour starts now, on the emulator's clock
					expireAfter(env, tokenAddr, time.Hour),
				),
			},
			{ // the fresh token is outside its window again: nothing to do
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
	if first == "" || first == second {
		t.Fatalf("rotation must mint a new token: first %q, second %q", first, second)
	}
}

func TestAccUserToken_rotateBeforeWithoutCreateBeforeDestroy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second string
	cfg := rotatingToken(env, "30m", "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.StateID(tokenAddr, &first)},
			{ // exactly at the edge of the window (30 minutes left) it rotates
				PreConfig: func() { env.Server.Advance(30 * time.Minute) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check:             resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &second), env.CheckRevoked(&first)),
			},
		},
	})
	if first == second {
		t.Fatal("rotation must mint a new token")
	}
}

func TestAccUserToken_rotateBeforeChangeIsInPlace(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first string
	cfg := func(window string) string {
		return rotatingToken(env, window, "")
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg("10m"), Check: acctest.StateID(tokenAddr, &first)},
			{ // widening the window while the token is outside it changes only state: no API call
				PreConfig: env.Server.ResetRequests,
				Config:    cfg("20m"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr, "id", &first),
					resource.TestCheckResourceAttr(tokenAddr, "rotate_before", "20m"),
					env.CheckNoTokenWrites("changing rotate_before"),
				),
			},
		},
	})
}

func TestAccUserToken_keepers(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second string
	cfg := func(release string) string {
		return tokenConfig(env, fmt.Sprintf(`username = "svc_ci"
name     = "kept"
keepers = {
  release = %q
  team    = "data"
}`, release))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{
				Config:            cfg("v1"),
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &first),
					resource.TestCheckResourceAttr(tokenAddr, "keepers.release", "v1")),
			},
			{ // unchanged keepers: empty plan
				Config:   cfg("v1"),
				PlanOnly: true,
			},
			{ // a keeper changes: the token is replaced and the old one revoked
				Config: cfg("v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &second), env.CheckRevoked(&first),
					resource.TestCheckResourceAttr(tokenAddr, "keepers.release", "v2")),
			},
			{ // the same keepers again: nothing to do
				Config: cfg("v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.TestCheckResourceAttrPtr(tokenAddr, "id", &second),
			},
			{ // removing keepers altogether is a change too
				Config: tokenConfig(env, `username = "svc_ci"
name     = "kept"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check:             env.CheckRevoked(&second),
			},
		},
	})
	if first == second {
		t.Fatal("a keeper change must mint a new token")
	}
}

// TestAccUserToken_keepersEmptyIsNull: `keepers = {}` and no keepers mean
// the same, so going from one to the other updates state in place, without
// minting or invalidating a token.
func TestAccUserToken_keepersEmptyIsNull(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first string
	noKeepers := tokenConfig(env, `username = "svc_ci"
name     = "kept"`)
	emptyKeepers := tokenConfig(env, `username = "svc_ci"
name     = "kept"
keepers  = {}`)
	noAPICall := env.CheckNoTokenWrites("going between empty and no keepers")
	inPlace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
	}}
	keepers := tfjsonpath.New("keepers")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{
				Config:            emptyKeepers,
				Check:             acctest.StateID(tokenAddr, &first),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenAddr, keepers, knownvalue.MapExact(map[string]knownvalue.Check{})), env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // {} -> null
				PreConfig:         env.Server.ResetRequests,
				Config:            noKeepers,
				ConfigPlanChecks:  inPlace,
				Check:             resource.ComposeAggregateTestCheckFunc(resource.TestCheckResourceAttrPtr(tokenAddr, "id", &first), noAPICall),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenAddr, keepers, knownvalue.Null())},
			},
			{ // null -> {}
				PreConfig:         env.Server.ResetRequests,
				Config:            emptyKeepers,
				ConfigPlanChecks:  inPlace,
				Check:             resource.ComposeAggregateTestCheckFunc(resource.TestCheckResourceAttrPtr(tokenAddr, "id", &first), noAPICall),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenAddr, keepers, knownvalue.MapExact(map[string]knownvalue.Check{}))},
			},
			{ // and the first keeper is a change that replaces the token
				Config: tokenConfig(env, `username = "svc_ci"
name     = "kept"
keepers  = { release = "v1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check:             env.CheckRevoked(&first),
			},
		},
	})
}
