package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

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

// TestAccUserToken_importMissingTokenSaysWhy: importing a token that is not
// a valid token of the user fails during the import with the provider's
// reason, not Terraform's "Cannot import non-existent remote object".
func TestAccUserToken_importMissingTokenSaysWhy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	revoked := env.Server.MintToken(acctest.ServiceAccount, "revoked", 0, "")
	env.Server.RevokeToken(acctest.ServiceAccount, revoked.ID)
	expired := env.Server.MintToken(acctest.ServiceAccount, "expired", 5*time.Minute, "")
	env.Server.Advance(10 * time.Minute)
	other := env.Server.MintToken(acctest.OtherServiceAccount, "theirs", 0, "")

	notValid := regexp.MustCompile(`(?s)Cannot Import Token: Not a Valid Token of This User.*` +
		`invalidated,\s+has\s+expired,\s+belongs\s+to\s+another\s+user,\s+or\s+never\s+existed`)
	for _, tc := range []struct {
		name, id string
		want     *regexp.Regexp
	}{
		{"revoked", "svc_ci/" + revoked.ID, notValid},
		{"expired", "svc_ci/" + expired.ID, notValid},
		{"another user's", "svc_ci/" + other.ID, notValid},
		{"never existed", "svc_ci/00000000-0000-4000-8000-000000000000", notValid},
		{"unknown user", "svc_nobody/" + other.ID, regexp.MustCompile(`(?s)Cannot Import Token: User Not Found.*"svc_nobody"\s+does\s+not\s+exist.*Cause: list tokens: HTTP 404`)},
	} {
		t.Run(tc.name, func(t *testing.T) { importFails(t, env, tc.id, tc.want) })
	}
}

func TestAccUserToken_importMalformedID(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for _, id := range []string{"no-slash", "/abc", "svc_ci/", "svc_ci/a/b", "bad user/abc", "svc_ci/not a uuid"} {
		importFails(t, env, id, regexp.MustCompile(`<username>/<token_id>`))
	}
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("a malformed import ID must be refused before any request; the emulator saw %d", n)
	}
}

// importFails imports tokenAddr with id and expects the import to fail with
// want.
func importFails(t *testing.T, env *acctest.Env, id string, want *regexp.Regexp) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:        tokenConfig(env, "username = \"svc_ci\"\nname = \"x\""),
			ResourceName:  tokenAddr,
			ImportState:   true,
			ImportStateId: id,
			ExpectError:   want,
		}},
	})
}

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

// listOrder reads the user's token list page by page, as the API answers
// it, and returns the ids in answer order.
func listOrder(t *testing.T, env *acctest.Env, username string) []string {
	t.Helper()
	var ids []string
	for cursor := ""; ; {
		u := env.URL + "/v1/users/" + username + "/tokens"
		if cursor != "" {
			u += "?page_token=" + url.QueryEscape(cursor)
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+env.Server.AdminToken())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Tokens []struct {
				ID string `json:"id"`
			} `json:"tokens"`
			Next *string `json:"next_page_token"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		_ = res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range page.Tokens {
			ids = append(ids, tok.ID)
		}
		if page.Next == nil || *page.Next == "" {
			return ids
		}
		cursor = *page.Next
	}
}

// TestAccUserToken_pagedListChangingWhileRead: tokens invalidated outside
// Terraform between two pages of a refresh's list shift the later pages, so
// that read skips one of the resources' live tokens (as offset cursors do).
// The provider reads the paged list again until two reads agree: every token
// stays in state and the plan is empty, instead of dropping a live token and
// minting another.
func TestAccUserToken_pagedListChangingWhileRead(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetTokenListPageSize(2)
	// Three tokens: in any order at least one is past page 1, where a
	// removal on an earlier page can shift it out of every page.
	cfg := tokenConfig(env, "count = 3\nusername = \"svc_ci\"\nname = \"paged-${count.index}\"")
	ids := make([]string, 3)
	var removeAfterPage int
	var outside []string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeTestCheckFunc(acctest.StateID(tokenAddr+".0", &ids[0]),
				acctest.StateID(tokenAddr+".1", &ids[1]), acctest.StateID(tokenAddr+".2", &ids[2]))},
			{
				PreConfig: func() {
					// Outside tokens until one of ours, at position k on a
					// later page, has enough of them before its page (which
					// ends at offset e) to shift it back onto that page.
					for n := 0; outside == nil; n++ {
						if n == 50 {
							t.Fatal("no token of ours can be shifted out of the pages")
						}
						env.Server.MintToken(acctest.ServiceAccount, fmt.Sprintf("outside-%d", n), 0, "")
						order := listOrder(t, env, acctest.ServiceAccount)
						for _, id := range ids {
							k := slices.Index(order, id)
							e := k / 2 * 2
							var before []string
							for _, o := range order[:e] {
								if !slices.Contains(ids, o) {
									before = append(before, o)
								}
							}
							if need := k - e + 1; e > 0 && len(before) >= need {
								removeAfterPage, outside = e/2, before[:need]
								break
							}
						}
					}
					var pages int
					env.Server.OnRequest(func(r emulator.Request) {
						if r.Op != emulator.OpList || r.Username != acctest.ServiceAccount {
							return
						}
						if r.PageToken == "" {
							pages = 0
						}
						if pages++; pages == removeAfterPage && outside != nil {
							for _, o := range outside {
								env.Server.RevokeToken(acctest.ServiceAccount, o)
							}
							outside = []string{} // once
						}
					})
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr+".0", "id", &ids[0]),
					resource.TestCheckResourceAttrPtr(tokenAddr+".1", "id", &ids[1]),
					resource.TestCheckResourceAttrPtr(tokenAddr+".2", "id", &ids[2]),
					func(*terraform.State) error {
						if len(outside) != 0 {
							return fmt.Errorf("the list was never read past page %d: the test changed nothing", removeAfterPage)
						}
						for _, id := range ids {
							if env.Server.TokenState(id) != "live" {
								return fmt.Errorf("token %s is %s", id, env.Server.TokenState(id))
							}
						}
						return nil
					}),
			},
		},
	})
	env.Server.OnRequest(nil)
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
