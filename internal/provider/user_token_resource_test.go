package provider_test

import (
	"fmt"
	"regexp"
	"strings"
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

const tokenAddr = "motherduck_user_token.t"

func tokenConfig(env *acctest.Env, attrs string) string {
	return env.Config(fmt.Sprintf("resource \"motherduck_user_token\" \"t\" {\n%s\n}\n", attrs))
}

func TestAccUserToken_lifecycle(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second, third, fourth, fifth string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount, acctest.OtherServiceAccount),
		Steps: []resource.TestStep{
			{ // read_write, never expires
				Config: tokenConfig(env, `username = "svc_ci"
name = "ci"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token_type"), knownvalue.StringExact("read_write")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("read_only"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expire_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("ttl"), knownvalue.Null()),
					statecheck.ExpectSensitiveValue(tokenAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("created_ts"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
					env.ExpectLive(tokenAddr, "svc_ci"),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.StateID(tokenAddr, &first),
					resource.TestCheckResourceAttrSet(tokenAddr, "token"),
				),
			},
			{ // import: every attribute but the secret comes back from the API
				ResourceName:            tokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc:       func(*terraform.State) (string, error) { return "svc_ci/" + first, nil },
			},
			{ // ttl added: replaced, old token revoked
				Config: tokenConfig(env, `username = "svc_ci"
name = "ci"
ttl = 3600`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("expire_at"), knownvalue.NotNull()),
					env.ExpectLive(tokenAddr, "svc_ci"),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.StateID(tokenAddr, &second),
					env.CheckRevoked(&first),
					expireAfter(env, tokenAddr, time.Hour),
				),
			},
			{ // import of a token with ttl derives ttl
				ResourceName:            tokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc:       func(*terraform.State) (string, error) { return "svc_ci/" + second, nil },
			},
			{ // token_type change: replaced
				Config: tokenConfig(env, `username = "svc_ci"
name = "ci"
ttl = 3600
token_type = "read_scaling"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("read_only"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token_type"), knownvalue.StringExact("read_scaling")),
					env.ExpectLive(tokenAddr, "svc_ci"),
				},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &third), env.CheckRevoked(&second)),
			},
			{ // name change: replaced
				Config: tokenConfig(env, `username = "svc_ci"
name = "ci-renamed"
ttl = 3600
token_type = "read_scaling"`),
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &fourth), env.CheckRevoked(&third),
					resource.TestCheckResourceAttr(tokenAddr, "name", "ci-renamed")),
			},
			{ // username change: replaced, the old user's token revoked
				Config: tokenConfig(env, `username = "svc_reporting"
name = "ci-renamed"
ttl = 3600
token_type = "read_scaling"`),
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_reporting")},
				Check:             resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &fifth), env.CheckRevoked(&fourth)),
			},
			{ // the same configuration again: nothing to do
				Config: tokenConfig(env, `username = "svc_reporting"
name = "ci-renamed"
ttl = 3600
token_type = "read_scaling"`),
				PlanOnly: true,
			},
		},
	})
	if fifth == "" || len(map[string]bool{first: true, second: true, third: true, fourth: true, fifth: true}) != 5 {
		t.Fatalf("every replacement must mint a new token: %q %q %q %q %q", first, second, third, fourth, fifth)
	}
	if tok, _ := env.Server.Token(fifth); !tok.Revoked {
		t.Fatalf("destroy did not revoke the last token %s", fifth)
	}
}

// expireAfter checks expire_at - created_ts in the emulator is exactly d.
func expireAfter(env *acctest.Env, addr string, d time.Duration) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[addr].Primary.ID
		tok, ok := env.Server.Token(id)
		if !ok || tok.ExpireAt == nil {
			return fmt.Errorf("token %s has no expiry in the emulator", id)
		}
		if got := tok.ExpireAt.Sub(tok.CreatedAt); got != d {
			return fmt.Errorf("token %s lives %s, want %s", id, got, d)
		}
		return nil
	}
}

func TestAccUserToken_createBeforeDestroy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var oldID, newID string
	cfg := func(name string) string {
		return tokenConfig(env, fmt.Sprintf(`username = "svc_ci"
name = %q
lifecycle {
  create_before_destroy = true
}`, name))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg("a"), Check: acctest.StateID(tokenAddr, &oldID)},
			{
				PreConfig: env.Server.ResetRequests,
				Config:    cfg("b"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
				Check: resource.ComposeAggregateTestCheckFunc(acctest.StateID(tokenAddr, &newID), env.CheckRevoked(&oldID),
					func(*terraform.State) error {
						var order []string
						for _, r := range env.Server.Requests() {
							if r.Op == "mint" || r.Op == "revoke" {
								order = append(order, r.Op)
							}
						}
						if strings.Join(order, ",") != "mint,revoke" {
							return fmt.Errorf("want the new token minted before the old one is revoked, got %v", order)
						}
						return nil
					}),
			},
		},
	})
}

func TestAccUserToken_driftRevokedOutOfBand(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second string
	cfg := tokenConfig(env, `username = "svc_ci"
name = "drift"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.StateID(tokenAddr, &first)},
			// revoked behind Terraform's back: the plan mints a new one
			replacedStep(env, cfg, func() {
				if !env.Server.RevokeToken("svc_ci", first) {
					t.Fatal("out-of-band revoke failed")
				}
			}, &second),
		},
	})
	if first == second {
		t.Fatal("a revoked token must be replaced by a new one")
	}
}

func TestAccUserToken_expiryRecreates(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, second string
	cfg := tokenConfig(env, `username = "svc_ci"
name = "short"
ttl = 300`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.StateID(tokenAddr, &first)},
			{Config: cfg, PlanOnly: true},
			replacedStep(env, cfg, func() { env.Server.Advance(301 * time.Second) }, &second),
		},
	})
	if first == second {
		t.Fatal("an expired token must be replaced by a new one")
	}
}

// replacedStep applies cfg after lost (the token is lost outside Terraform
// in it): the plan creates a new token, which is live, and its id is
// stored in *id.
func replacedStep(env *acctest.Env, cfg string, lost func(), id *string) resource.TestStep {
	return resource.TestStep{
		PreConfig: lost,
		Config:    cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
		}},
		ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
		Check:             acctest.StateID(tokenAddr, id),
	}
}

func TestAccUserToken_deleteAlreadyRevoked(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(env, `username = "svc_ci"
name = "gone"`),
				Check: acctest.StateID(tokenAddr, &id),
			},
			{ // revoked out of band right after the refresh saw it: the destroy's DELETE answers 404, which is success
				PreConfig: func() {
					env.Server.ResetRequests()
					env.Server.OnRequest(func(r emulator.Request) {
						if r.Op == "list" {
							env.Server.RevokeToken("svc_ci", id)
						}
					})
				},
				Config: env.ProviderBlock(),
				Check: func(*terraform.State) error {
					env.Server.OnRequest(nil)
					var statuses []int
					for _, r := range env.Server.Requests() {
						if r.Op == "revoke" {
							statuses = append(statuses, r.Status)
						}
					}
					if len(statuses) != 1 || statuses[0] != 404 {
						return fmt.Errorf("want one DELETE answered 404 for the already-revoked token, got %v", statuses)
					}
					return nil
				},
			},
		},
	})
}

func TestAccUserToken_userDeletedRemovesFromState(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := tokenConfig(env, `username = "svc_ci"
name = "orphan"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:          func() { env.Server.DeleteUser("svc_ci") },
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccUserToken_readErrorKeepsState(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var id string
	cfg := tokenConfig(env, `username = "svc_ci"
name = "kept"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg, Check: acctest.StateID(tokenAddr, &id)},
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: "list", Kind: emulator.FaultStatus, Status: 403, Times: 1})
				},
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`organization Admin role`),
			},
			{ // a plain-text 404 (no JSON NOT_FOUND) is an error, not "gone"
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: "list", Kind: emulator.FaultStatus, Status: 404, PlainText: true, Times: 1})
				},
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`HTTP 404`),
			},
			{ // the state survived both errors: same token, nothing to do
				Config:   cfg,
				PlanOnly: true,
				Check:    resource.TestCheckResourceAttrPtr(tokenAddr, "id", &id),
			},
		},
	})
}

func TestAccUserToken_importBlockWithTTLHasNoChanges(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	existing := env.Server.MintToken("svc_ci", "adopted", time.Hour, "read_scaling")
	cfg := env.Config(fmt.Sprintf(`
import {
  to = motherduck_user_token.t
  id = "svc_ci/%s"
}
resource "motherduck_user_token" "t" {
  username   = "svc_ci"
  name       = "adopted"
  ttl        = 3600
  token_type = "read_scaling"
}
`, existing.ID))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("ttl"), knownvalue.Int64Exact(3600)),
				},
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
	if tok, _ := env.Server.Token(existing.ID); !tok.Revoked {
		t.Fatal("destroying an imported token must revoke it")
	}
}
