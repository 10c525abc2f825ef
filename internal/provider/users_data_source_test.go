package provider_test

import (
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// usernamesExactly expects the users list of the data source at addr to
// hold exactly these usernames, in this order.
func usernamesExactly(addr string, names ...string) statecheck.StateCheck {
	var elems []knownvalue.Check
	for _, n := range names {
		elems = append(elems, knownvalue.ObjectPartial(map[string]knownvalue.Check{"username": knownvalue.StringExact(n)}))
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("users"), knownvalue.ListExact(elems))
}

func TestAccUsersDataSource_filters(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	s := env.Server
	s.SetUserListPageSize(2) // every list takes several pages
	s.AddHumanUser("alice", false)
	s.AddHumanUser("bob", false)
	s.AddServiceAccount("svc_old")
	email, first, last := "alice@example.com", "Alice", "Liddell"
	s.SetUserProfile("alice", emulator.UserProfile{Email: &email, FirstName: &first, LastName: &last})
	s.SetUserProfile("bob", emulator.UserProfile{Deprovisioned: true})
	s.SetUserProfile("svc_old", emulator.UserProfile{Deprovisioned: true})

	cfg := env.Config(`
data "motherduck_users" "all" {}

data "motherduck_users" "service_accounts" {
  is_service_account = true
  is_deprovisioned   = false
}

data "motherduck_users" "deprovisioned" {
  is_deprovisioned = true
}

data "motherduck_users" "people" {
  is_service_account = false
}
`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					usernamesExactly("data.motherduck_users.all", "admin", "alice", "bob", "svc_ci", "svc_old", "svc_reporting"),
					usernamesExactly("data.motherduck_users.service_accounts", "svc_ci", "svc_reporting"),
					usernamesExactly("data.motherduck_users.deprovisioned", "bob", "svc_old"),
					usernamesExactly("data.motherduck_users.people", "admin", "alice", "bob"),
					statecheck.ExpectKnownValue("data.motherduck_users.people", tfjsonpath.New("users").AtSliceIndex(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                 knownvalue.NotNull(),
						"username":           knownvalue.StringExact("alice"),
						"email":              knownvalue.StringExact(email),
						"first_name":         knownvalue.StringExact(first),
						"last_name":          knownvalue.StringExact(last),
						"is_service_account": knownvalue.Bool(false),
						"is_deprovisioned":   knownvalue.Bool(false),
						"roles":              knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("member")}),
					})),
					statecheck.ExpectKnownValue("data.motherduck_users.service_accounts", tfjsonpath.New("users").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"email":              knownvalue.Null(),
						"first_name":         knownvalue.Null(),
						"is_service_account": knownvalue.Bool(true),
						"is_deprovisioned":   knownvalue.Bool(false),
					})),
					statecheck.ExpectKnownValue("data.motherduck_users.deprovisioned", tfjsonpath.New("users").AtSliceIndex(0).AtMapKey("is_deprovisioned"), knownvalue.Bool(true)),
				},
			},
			{ // reading again, through a 503 and a dropped connection on later pages, changes nothing
				PreConfig: func() {
					s.InjectFault(emulator.Fault{Op: emulator.OpListUsers, LaterPages: true, Kind: emulator.FaultStatus, Status: 503, Times: 1})
					s.InjectFault(emulator.Fault{Op: emulator.OpListUsers, LaterPages: true, Kind: emulator.FaultDropBefore, Times: 1})
				},
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{usernamesExactly("data.motherduck_users.service_accounts", "svc_ci", "svc_reporting")},
			},
		},
	})
	// Only reads: no user was created or deleted.
	if n := s.CountRequests(emulator.OpCreateUser) + s.CountRequests(emulator.OpDeleteUser); n != 0 {
		t.Fatalf("the data source made %d create/delete requests", n)
	}
}

// TestAccUsersDataSource_pagesExactlyOnce: with two-user pages, a user added
// while the list is walked pushes another onto the next page as well; every
// user is still listed exactly once, the new one included.
func TestAccUsersDataSource_pagesExactlyOnce(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	s := env.Server
	s.SetUserListPageSize(2)
	for _, n := range []string{"svc_a", "svc_b", "svc_c", "svc_d"} {
		s.AddServiceAccount(n)
	}
	var once sync.Once
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				s.OnRequest(func(r emulator.Request) {
					if r.Op == emulator.OpListUsers && r.PageToken == "" {
						once.Do(func() { s.AddServiceAccount("svc_added") })
					}
				})
			},
			Config: env.Config(`data "motherduck_users" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				usernamesExactly("data.motherduck_users.all", "admin", "svc_a", "svc_added", "svc_b", "svc_c", "svc_ci", "svc_d", "svc_reporting"),
			},
		}},
	})
	s.OnRequest(nil)
	added := false
	once.Do(func() { added = true })
	if added {
		t.Fatal("no user was added during the walk: the test did not test anything")
	}
}
