package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// A refresh of N tokens over U users lists each user once per provider
// process, and an apply mints each token once: the list answers are shared
// between the resources of one user.
func TestAccUserToken_refreshListsOncePerUser(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const perUser = 8
	cfg := env.Config(fmt.Sprintf(`
resource "motherduck_user_token" "ci" {
  count    = %[1]d
  username = "svc_ci"
  name     = "ci-${count.index}"
}

resource "motherduck_user_token" "reporting" {
  count    = %[1]d
  username = "svc_reporting"
  name     = "reporting-${count.index}"
}
`, perUser))
	var mintsAtApply, listsAtApply int
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci", "svc_reporting"),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					mintsAtApply, listsAtApply = env.Server.CountRequests(emulator.OpMint), env.Server.CountRequests(emulator.OpList)
					env.Server.ResetRequests()
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					// The plan-only step is one terraform plan: one list per user.
					lists := env.Server.CountRequests(emulator.OpList)
					if lists != 2 {
						t.Errorf("a plan refreshing %d tokens of 2 users listed %d times, want 2", 2*perUser, lists)
					}
					t.Logf("apply: %d mints, %d lists (baselines); plan-only step: %d lists for %d tokens over 2 users",
						mintsAtApply, listsAtApply, lists, 2*perUser)
				},
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
	if mintsAtApply != 2*perUser {
		t.Errorf("apply minted %d times, want %d", mintsAtApply, 2*perUser)
	}
}
