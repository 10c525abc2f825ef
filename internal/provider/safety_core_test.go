package provider_test

// The safety core's promises (issue "one safety core"): every token the
// provider mints is in state or invalidated, whatever the fault, and every
// time decision is taken on the API's clock.

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccSafety_apiClockBehindHost: the API's clock is an hour behind the
// host's. A token with ttl = 600 that the API lists is live: refresh keeps
// it (no "expired" removal, no new mint) and destroy invalidates it.
func TestAccSafety_apiClockBehindHost(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := tokenConfig(env, `username = "svc_ci"
name = "short"
ttl = 600
rotate_before = "60s"`)
	resource.UnitTest(t, resource.TestCase{
		// The provider's own clock runs an hour ahead of the emulator's.
		ProtoV6ProviderFactories: env.FactoriesSkewed(-time.Hour),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{ // inside the window on the API's clock: rotated (replaced)
				PreConfig: func() { env.Server.Advance(9*time.Minute + 30*time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
	minted := 0
	for _, tk := range env.Server.AllTokens() {
		if tk.ViaAPI {
			minted++
		}
	}
	if minted != 2 {
		t.Fatalf("want 2 tokens minted (the first and its rotation), got %d", minted)
	}
}
