package provider_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// twoEndpoints is a configuration with two provider aliases, each pointing
// at its own emulator, and (unless under is "") the token under one of them.
func twoEndpoints(one, two *emulator.Server, oneURL, twoURL, under string) string {
	cfg := fmt.Sprintf(`
provider "motherduck" {
  alias   = "one"
  token   = %q
  api_url = %q
}
provider "motherduck" {
  alias   = "two"
  token   = %q
  api_url = %q
}
`, one.AdminToken(), oneURL, two.AdminToken(), twoURL)
	if under != "" {
		cfg += fmt.Sprintf(`
resource "motherduck_user_token" "t" {
  provider = motherduck.%s
  username = "svc_ci"
  name     = "moved"
}
`, under)
	}
	return cfg
}

// secondEmulator starts another emulator with the test service accounts.
func secondEmulator(t *testing.T) (*emulator.Server, string) {
	s := emulator.New()
	s.AddServiceAccount(acctest.ServiceAccount)
	s.AddServiceAccount(acctest.OtherServiceAccount)
	url := s.Start()
	t.Cleanup(s.Close)
	return s, url
}

// TestAccUserToken_movedToAnotherEndpointKeepsState: a token minted under
// one provider configuration, moved to another that talks to another API,
// is neither dropped nor replaced: the plan fails saying where the token
// was minted and how to finish, and the state keeps it. Following that
// advice invalidates it where it lives; nothing leaks.
func TestAccUserToken_movedToAnotherEndpointKeepsState(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	one, oneURL := env.Server, env.URL
	two, twoURL := secondEmulator(t)
	envTwo := &acctest.Env{Server: two, URL: twoURL}
	dir := t.TempDir()
	// both tallies the two APIs against the one state.
	both := func(label string) {
		inState := stateTokens(t, dir)
		a, b := tally(env, inState), tally(envTwo, inState)
		t.Logf("fault=%s minted=%d revoked=%d live=%d in_state=%d live_in_state=%d leaked=%d", label,
			a.Minted+b.Minted, a.Revoked+b.Revoked, a.Live+b.Live, len(inState), a.LiveInState+b.LiveInState, a.Leaked+b.Leaked)
		if a.Leaked+b.Leaked != 0 {
			t.Errorf("fault=%s: a token leaked", label)
		}
	}
	var first, second string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{
				Config: twoEndpoints(one, two, oneURL, twoURL, "two"),
				Check:  acctest.StateID(tokenAddr, &first),
			},
			{
				Config: twoEndpoints(one, two, oneURL, twoURL, "one"),
				ExpectError: regexp.MustCompile(`(?s)Token Minted Through Another MotherDuck API.*` +
					regexp.QuoteMeta(twoURL) + `.*` + regexp.QuoteMeta(oneURL) + `.*It\s+is\s+kept\s+in\s+state.*` +
					`Point\s+the\s+resource\s+back`),
			},
			{ // the same plan again: still refused, nothing minted or dropped
				PreConfig: func() {
					if st := two.TokenState(first); st != "live" {
						t.Fatalf("the token at the first API is %s", st)
					}
					if n := one.CountRequests(emulator.OpMint); n != 0 {
						t.Fatalf("the second API was asked to mint %d tokens", n)
					}
					both("provider_moved_to_another_api/refused")
				},
				Config:      twoEndpoints(one, two, oneURL, twoURL, "one"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Token Minted Through Another MotherDuck API`),
			},
			// The advice: back under the first API, remove, apply...
			{Config: twoEndpoints(one, two, oneURL, twoURL, "")},
			// ...then add it under the new one.
			{
				PreConfig: func() {
					if st := two.TokenState(first); st != "revoked" {
						t.Fatalf("after removing it under its own API, the token is %s", st)
					}
				},
				Config: twoEndpoints(one, two, oneURL, twoURL, "one"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &second), env.CheckLive(tokenAddr, acctest.ServiceAccount),
					func(*terraform.State) error { both("provider_moved_to_another_api/finished"); return nil }),
			},
		},
	})
	if n := len(two.LiveTokens(acctest.ServiceAccount)); n != 0 {
		t.Fatalf("%d tokens left live at the first API", n)
	}
}

// TestAccUserToken_movedWithoutEndpointRecordKeepsOldBehaviour: a token in
// state without the record (written by an earlier version) is treated as
// before: not listed by the API now configured, it is dropped with the
// warning, and a new one is minted.
func TestAccUserToken_movedWithoutEndpointRecordKeepsOldBehaviour(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	one, oneURL := env.Server, env.URL
	two, twoURL := secondEmulator(t)
	dir := t.TempDir()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		Steps: []resource.TestStep{
			{Config: twoEndpoints(one, two, oneURL, twoURL, "two")},
			{
				PreConfig: func() { stripPrivateState(t, dir) },
				Config:    twoEndpoints(one, two, oneURL, twoURL, "one"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// stripPrivateState removes the private state of every resource instance
// in the working directory's state files, as an earlier version wrote them.
func stripPrivateState(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
	if len(files) == 0 {
		t.Fatal("no state file to edit")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]any
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		rs, _ := st["resources"].([]any)
		for _, r := range rs {
			ins, _ := r.(map[string]any)["instances"].([]any)
			for _, in := range ins {
				delete(in.(map[string]any), "private")
			}
		}
		out, _ := json.MarshalIndent(st, "", "  ")
		if err := os.WriteFile(f, out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
