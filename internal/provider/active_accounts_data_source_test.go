package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func duckling(id, typ, status string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id": knownvalue.StringExact(id), "type": knownvalue.StringExact(typ), "status": knownvalue.StringExact(status),
	})
}

func TestAccActiveAccountsDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	s := env.Server
	s.SetRunningDucklings(acctest.OtherServiceAccount, []emulator.Duckling{
		{ID: "rs.1", Type: "read_scaling", Status: "cooldown"}, {ID: "rw", Type: "read_write", Status: "active"}, {ID: "rs.0", Type: "read_scaling", Status: "active"},
	})
	s.SetRunningDucklings(acctest.ServiceAccount, []emulator.Duckling{{ID: "rw", Type: "read_write", Status: "cooldown"}})
	const addr = "data.motherduck_active_accounts.now"
	cfg := env.Config(`data "motherduck_active_accounts" "now" {}`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("accounts"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"username":  knownvalue.StringExact(acctest.ServiceAccount),
							"ducklings": knownvalue.ListExact([]knownvalue.Check{duckling("rw", "read_write", "cooldown")}),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"username": knownvalue.StringExact(acctest.OtherServiceAccount),
							"ducklings": knownvalue.ListExact([]knownvalue.Check{
								duckling("rs.0", "read_scaling", "active"), duckling("rs.1", "read_scaling", "cooldown"), duckling("rw", "read_write", "active"),
							}),
						}),
					})),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("accounts")),
				},
			},
			{ // the same Ducklings read the same: a clean plan
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // Ducklings stop: the next read shows none
				PreConfig: func() {
					s.SetRunningDucklings(acctest.ServiceAccount, nil)
					s.SetRunningDucklings(acctest.OtherServiceAccount, nil)
				},
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr, tfjsonpath.New("accounts"), knownvalue.ListSizeExact(0))},
			},
		},
	})
}
