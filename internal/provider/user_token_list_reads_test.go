package provider_test

// Read finds a token in its user's token list: the list answers are shared
// between the resources of one user, and a paged list is read to its end.

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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

// TestAccUserToken_pagedList: against an API that pages the token list, a
// token on a later page is found (the plan stays empty), and a later page
// that cannot be read (here a JSON NOT_FOUND) fails the plan and keeps the
// token in state instead of taking it for revoked.
func TestAccUserToken_pagedList(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetTokenListPageSize(2)
	for i := range 5 {
		env.Server.MintToken(acctest.ServiceAccount, fmt.Sprintf("older-%d", i), 0, "")
	}
	cfg := providerWithRetries(env, 1) + `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "paged"
}
`
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, acctest.ServiceAccount)},
				Check:             resource.TestCheckResourceAttrWith(tokenAddr, "id", func(v string) error { id = v; return nil }),
			},
			{ // the list now takes 3 pages: the token is still found, nothing to do
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, acctest.ServiceAccount)},
			},
			{ // page 1 answers, page 2 does not: the plan fails
				PreConfig:   func() { failListsAfterFirst(env, 404) },
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)page\s+2:\s+answered\s+list\s+tokens:\s+HTTP\s+404\s+NOT_FOUND`),
			},
			{ // and the state kept the same live token
				PreConfig:        env.Server.ClearFaults,
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.TestCheckResourceAttrPtr(tokenAddr, "id", &id),
			},
		},
	})
	paged := 0
	for _, r := range requestsOf(env, emulator.OpList) {
		if r.PageToken != "" {
			paged++
		}
	}
	if paged == 0 {
		t.Fatal("no list request followed a cursor")
	}
}
