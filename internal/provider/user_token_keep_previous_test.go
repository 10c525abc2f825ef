package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// wordsRe matches the phrases in order, whatever the CLI's line wrapping.
func wordsRe(phrases ...string) *regexp.Regexp {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// keepPreviousConfig is a keep_previous token of svc_ci with extra lines.
func keepPreviousConfig(env *acctest.Env, extra string) string {
	return tokenConfig(env, `username      = "svc_ci"
keep_previous = true
`+extra)
}

// releaseConfig is a keep_previous token named "kp" whose keepers hold
// release: each new release rotates it.
func releaseConfig(env *acctest.Env, release string) string {
	return keepPreviousConfig(env, fmt.Sprintf("name = \"kp\"\nkeepers = {\n  release = %q\n}", release))
}

// expectPlanned checks the planned value of a string attribute against
// *want (read when the check runs, so it can name a value of an earlier
// step); want nil means the attribute is planned null.
type expectPlanned struct {
	addr, attr string
	want       *string
}

func (e expectPlanned) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.addr {
			continue
		}
		after, _ := rc.Change.After.(map[string]any)
		got, isSet := after[e.attr].(string)
		switch {
		case e.want == nil && isSet:
			resp.Error = fmt.Errorf("%s.%s is planned %q, want null", e.addr, e.attr, got)
		case e.want != nil && (!isSet || got != *e.want):
			resp.Error = fmt.Errorf("%s.%s is planned %v, want %q", e.addr, e.attr, after[e.attr], *e.want)
		}
		return
	}
	resp.Error = fmt.Errorf("no planned change for %s", e.addr)
}

// expectPrior checks a string attribute of the state the plan starts from:
// what a failed apply left in state.
type expectPrior struct {
	addr, attr string
	want       func() any
}

func (e expectPrior) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("the plan has no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address == e.addr {
			if got, want := fmt.Sprint(r.AttributeValues[e.attr]), fmt.Sprint(e.want()); got != want {
				resp.Error = fmt.Errorf("%s.%s is %s in state, want %s", e.addr, e.attr, got, want)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the prior state", e.addr)
}

// captureToken reads id and secret of the current token from state.
func captureToken(id, secret *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[tokenAddr]
		if !ok {
			return fmt.Errorf("%s not in state", tokenAddr)
		}
		*id, *secret = rs.Primary.ID, rs.Primary.Attributes["token"]
		return nil
	}
}

// liveIDs are the ids of the user's live tokens minted through the API.
func liveIDs(env *acctest.Env, username string) []string {
	var ids []string
	for _, t := range env.Server.LiveTokens(username) {
		if t.ViaAPI {
			ids = append(ids, t.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// checkLiveExactly asserts the user's live API tokens are exactly these.
func checkLiveExactly(env *acctest.Env, username string, ids ...*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var want []string
		for _, id := range ids {
			want = append(want, *id)
		}
		sort.Strings(want)
		if got := liveIDs(env, username); strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Errorf("live tokens of %s: %v, want %v", username, got, want)
		}
		return nil
	}
}

// checkLiveCount asserts the user's live API tokens number n.
func checkLiveCount(env *acctest.Env, username string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(liveIDs(env, username)); got != n {
			return fmt.Errorf("%d live tokens, want %d", got, n)
		}
		return nil
	}
}

// leftoverRevokedStep is the apply after a rotation whose mint went wrong:
// the one token that mint committed (its id recorded as *leftover) is
// planned into pending_revoke_ids, with the current token still current, and
// the apply invalidates it while it rotates, as it invalidates the previous
// token: two tokens are left live.
func leftoverRevokedStep(t *testing.T, env *acctest.Env, cfg string, cur, prev, leftover *string, planChecks ...plancheck.PlanCheck) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			env.Server.ClearFaults()
			mints := requestsOf(env, emulator.OpMint)
			if len(mints) != 1 || mints[0].TokenID == "" {
				t.Fatalf("want one committed mint, got %+v", mints)
			}
			*leftover = mints[0].TokenID
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{
			expectPrior{tokenAddr, "id", func() any { return *cur }},
			expectPrior{tokenAddr, "pending_revoke_ids", func() any { return []any{*leftover} }},
			plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
		}, planChecks...)},
		Check: resource.ComposeAggregateTestCheckFunc(
			env.CheckRevoked(leftover),
			env.CheckRevoked(prev),
			resource.TestCheckResourceAttrPtr(tokenAddr, "previous_id", cur),
			resource.TestCheckNoResourceAttr(tokenAddr, "pending_revoke_ids.#"),
			checkLiveCount(env, acctest.ServiceAccount, 2),
		),
	}
}

// rotatedOnceCase is a test case that creates a keep_previous token
// (release r1), rotates it once (r2), recording the current and previous
// ids, and then runs steps; its CheckDestroy wants no live token left.
func rotatedOnceCase(env *acctest.Env, cur, curSecret, prev *string, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: append([]resource.TestStep{
			{Config: releaseConfig(env, "r1"), Check: captureToken(cur, curSecret)},
			rotationStep(env, releaseConfig(env, "r2"), nil, cur, curSecret, prev),
		}, steps...),
	}
}

// checkNoMints asserts no token was minted since the requests were reset.
func checkNoMints(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := env.Server.CountRequests(emulator.OpMint); n != 0 {
			return fmt.Errorf("%d mint requests, want none", n)
		}
		return nil
	}
}

// rotationStep changes the configuration (or the clock, in pre) and expects
// a rotation in place: update action, id and token unknown, previous_id
// planned to be the current id; then the new token is current, the old
// current is previous with its secret, and the old previous is revoked.
func rotationStep(env *acctest.Env, cfg string, pre func(), cur, curSecret, prev *string) resource.TestStep {
	var newID, newSecret string
	oldCur, oldCurSecret, oldPrev := new(string), new(string), new(string)
	return resource.TestStep{
		PreConfig: func() {
			*oldCur, *oldCurSecret, *oldPrev = *cur, *curSecret, *prev
			if pre != nil {
				pre()
			}
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
			plancheck.ExpectUnknownValue(tokenAddr, tfjsonpath.New("id")),
			plancheck.ExpectUnknownValue(tokenAddr, tfjsonpath.New("token")),
			expectPlanned{tokenAddr, "previous_id", oldCur},
		}},
		Check: resource.ComposeAggregateTestCheckFunc(
			captureToken(&newID, &newSecret),
			func(*terraform.State) error {
				if newID == *oldCur {
					return fmt.Errorf("the rotation kept token %s", newID)
				}
				return nil
			},
			resource.TestCheckResourceAttrPtr(tokenAddr, "previous_id", oldCur),
			func(s *terraform.State) error { // compared without printing either secret
				if s.RootModule().Resources[tokenAddr].Primary.Attributes["previous_token"] != *oldCurSecret || *oldCurSecret == "" {
					return fmt.Errorf("previous_token is not the secret of the replaced token %s", *oldCur)
				}
				return nil
			},
			func(s *terraform.State) error { // the old current token's expiry, as the API has it
				tok, _ := env.Server.Token(*oldCur)
				got := s.RootModule().Resources[tokenAddr].Primary.Attributes["previous_expire_at"]
				if tok.ExpireAt == nil && got != "" || tok.ExpireAt != nil && got != tok.ExpireAt.UTC().Format(time.RFC3339) {
					return fmt.Errorf("previous_expire_at = %q, want the expiry of token %s (%v)", got, *oldCur, tok.ExpireAt)
				}
				return nil
			},
			resource.TestCheckNoResourceAttr(tokenAddr, "pending_revoke_ids.#"),
			func(*terraform.State) error {
				if *oldPrev != "" {
					if st := env.Server.TokenState(*oldPrev); st != "revoked" {
						return fmt.Errorf("the old previous token %s is %s, want revoked", *oldPrev, st)
					}
				}
				return nil
			},
			checkLiveExactly(env, acctest.ServiceAccount, &newID, oldCur),
			func(*terraform.State) error {
				*cur, *curSecret, *prev = newID, newSecret, *oldCur
				return nil
			},
		),
	}
}

// TestAccUserTokenKeepPrevious_rotations: every kind of rotation is an
// update in place that keeps the replaced token valid and revokes the one
// before it: the rotate_before window, keepers, name, ttl, token_type and
// description. Destroy then revokes both tokens.
func TestAccUserTokenKeepPrevious_rotations(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	cfg := func(name string, ttl int, tokenType, description, release string) string {
		return keepPreviousConfig(env, fmt.Sprintf(`name          = %q
ttl           = %d
rotate_before = "30m"
token_type    = %q
description   = %q
keepers = {
  release = %q
}`, name, ttl, tokenType, description, release))
	}
	base := cfg("kp", 3600, "read_write", "one", "r1")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{
				Config: base,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureToken(&cur, &curSecret),
					resource.TestCheckResourceAttr(tokenAddr, "keep_previous", "true"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_token"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_expire_at"),
				),
			},
			{Config: base, PlanOnly: true}, // nothing due: no rotation
			rotationStep(env, base, func() { env.Server.Advance(31 * time.Minute) }, &cur, &curSecret, &prev),
			{Config: base, PlanOnly: true}, // the fresh token is outside its window
			rotationStep(env, cfg("kp", 3600, "read_write", "one", "r2"), nil, &cur, &curSecret, &prev),
			rotationStep(env, cfg("kp-renamed", 3600, "read_write", "one", "r2"), nil, &cur, &curSecret, &prev),
			rotationStep(env, cfg("kp-renamed", 7200, "read_write", "one", "r2"), nil, &cur, &curSecret, &prev),
			rotationStep(env, cfg("kp-renamed", 7200, "read_scaling", "one", "r2"), nil, &cur, &curSecret, &prev),
			rotationStep(env, cfg("kp-renamed", 7200, "read_scaling", "two", "r2"), nil, &cur, &curSecret, &prev),
			{ // the state ends with two live tokens: destroy must revoke both
				Config:   cfg("kp-renamed", 7200, "read_scaling", "two", "r2"),
				PlanOnly: true,
			},
		},
	})
}

// TestAccUserTokenKeepPrevious_usernameChangeReplaces: a new username is a
// new resource, and both tokens of the old one are revoked.
func TestAccUserTokenKeepPrevious_usernameChangeReplaces(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	cfg := func(username, release string) string {
		return tokenConfig(env, fmt.Sprintf(`username      = %q
name          = "kp"
keep_previous = true
keepers = {
  release = %q
}`, username, release))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount, acctest.OtherServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg("svc_ci", "r1"), Check: captureToken(&cur, &curSecret)},
			rotationStep(env, cfg("svc_ci", "r2"), nil, &cur, &curSecret, &prev),
			{
				Config: cfg("svc_reporting", "r2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.CheckRevoked(&cur),
					env.CheckRevoked(&prev),
					env.CheckLive(tokenAddr, acctest.OtherServiceAccount),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
					checkLiveExactly(env, acctest.ServiceAccount),
				),
			},
		},
	})
}

// TestAccUserTokenKeepPrevious_previousRevokedElsewhere: Read finds the
// previous token revoked outside Terraform; it becomes null, with no drift
// and no API call to mint or revoke.
func TestAccUserTokenKeepPrevious_previousRevokedElsewhere(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	resource.UnitTest(t, rotatedOnceCase(env, &cur, &curSecret, &prev,
		resource.TestStep{
			PreConfig: func() {
				if !env.Server.RevokeToken(acctest.ServiceAccount, prev) {
					t.Fatal("could not revoke the previous token out of band")
				}
				env.Server.ResetRequests()
			},
			Config: releaseConfig(env, "r2"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPtr(tokenAddr, "id", &cur),
				resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
				resource.TestCheckNoResourceAttr(tokenAddr, "previous_token"),
				resource.TestCheckNoResourceAttr(tokenAddr, "previous_expire_at"),
				checkNoMints(env),
				func(*terraform.State) error {
					if n := env.Server.CountRequests(emulator.OpRevoke); n != 0 {
						return fmt.Errorf("%d revoke requests, want none", n)
					}
					return nil
				},
			),
		},
	))
}

// TestAccUserTokenKeepPrevious_previousExpired: the previous token reaches
// its own expire_at; Read drops it with no drift, and the current token
// (outside its window) is kept.
func TestAccUserTokenKeepPrevious_previousExpired(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	cfg := keepPreviousConfig(env, `name          = "kp"
ttl           = 600
rotate_before = "4m"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg, Check: captureToken(&cur, &curSecret)},
			// 239 seconds left: the window opens; the first token becomes previous
			rotationStep(env, cfg, func() { env.Server.Advance(361 * time.Second) }, &cur, &curSecret, &prev),
			{ // 601 seconds after the first mint it has expired; the current one has 360 seconds left
				PreConfig: func() { env.Server.Advance(240 * time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr, "id", &cur),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_token"),
					func(*terraform.State) error {
						if st := env.Server.TokenState(prev); st != "expired" {
							return fmt.Errorf("the previous token is %s, want expired", st)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccUserTokenKeepPrevious_currentGoneWhilePreviousLives: the current
// token is revoked outside Terraform while the previous one lives. The
// resource is kept (removing it would forget the live previous token); the
// next apply mints a new current token and revokes the previous one, so no
// live token is left that the state does not hold.
func TestAccUserTokenKeepPrevious_currentGoneWhilePreviousLives(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev, fresh string
	resource.UnitTest(t, rotatedOnceCase(env, &cur, &curSecret, &prev,
		resource.TestStep{
			PreConfig: func() {
				if !env.Server.RevokeToken(acctest.ServiceAccount, cur) {
					t.Fatal("could not revoke the current token out of band")
				}
			},
			Config: releaseConfig(env, "r2"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(tokenAddr, tfjsonpath.New("id")),
				expectPlanned{tokenAddr, "previous_id", nil},
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				acctest.StateID(tokenAddr, &fresh),
				env.CheckLive(tokenAddr, acctest.ServiceAccount),
				env.CheckRevoked(&prev),
				resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
				checkLiveExactly(env, acctest.ServiceAccount, &fresh),
			),
		},
		resource.TestStep{Config: releaseConfig(env, "r2"), PlanOnly: true},
	))
	if fresh == cur || fresh == prev {
		t.Fatalf("the apply must mint a new token, got %s", fresh)
	}
}

// TestAccUserTokenKeepPrevious_currentGoneThenSwitchedOff: the current
// token is gone while the previous one lives, and the same run turns
// keep_previous off. The plan replaces the resource: destroy revokes the
// previous token, and one new token is left.
func TestAccUserTokenKeepPrevious_currentGoneThenSwitchedOff(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev, fresh string
	cfg := func(keep bool, release string) string {
		return tokenConfig(env, fmt.Sprintf(`username      = "svc_ci"
name          = "kp"
keep_previous = %t
keepers = {
  release = %q
}`, keep, release))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg(true, "r1"), Check: captureToken(&cur, &curSecret)},
			rotationStep(env, cfg(true, "r2"), nil, &cur, &curSecret, &prev),
			{
				PreConfig: func() {
					if !env.Server.RevokeToken(acctest.ServiceAccount, cur) {
						t.Fatal("could not revoke the current token out of band")
					}
				},
				Config: cfg(false, "r2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.StateID(tokenAddr, &fresh),
					env.CheckRevoked(&prev),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
					checkLiveExactly(env, acctest.ServiceAccount, &fresh),
				),
			},
		},
	})
}

// TestAccUserTokenKeepPrevious_switchOffRevokesPrevious: true -> false
// revokes the previous token in place, without minting.
func TestAccUserTokenKeepPrevious_switchOffRevokesPrevious(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	cfg := func(keep bool, release string) string {
		return tokenConfig(env, fmt.Sprintf(`username      = "svc_ci"
name          = "kp"
keep_previous = %t
keepers = {
  release = %q
}`, keep, release))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg(true, "r1"), Check: captureToken(&cur, &curSecret)},
			rotationStep(env, cfg(true, "r2"), nil, &cur, &curSecret, &prev),
			{
				PreConfig: env.Server.ResetRequests,
				Config:    cfg(false, "r2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
					expectPlanned{tokenAddr, "id", &cur},
					expectPlanned{tokenAddr, "previous_id", nil},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr, "id", &cur),
					resource.TestCheckResourceAttr(tokenAddr, "keep_previous", "false"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_token"),
					env.CheckRevoked(&prev),
					checkNoMints(env),
					checkLiveExactly(env, acctest.ServiceAccount, &cur),
				),
			},
			{ // without keep_previous a keeper change replaces the token again
				Config: cfg(false, "r3"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: env.CheckRevoked(&cur),
			},
		},
	})
}

// TestAccUserTokenKeepPrevious_switchOnNeedsNoAPICall: false -> true is an
// update of state alone.
func TestAccUserTokenKeepPrevious_switchOnNeedsNoAPICall(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first string
	cfg := func(keep bool) string {
		return tokenConfig(env, fmt.Sprintf("username = \"svc_ci\"\nname = \"kp\"\nkeep_previous = %t", keep))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: cfg(false), Check: acctest.StateID(tokenAddr, &first)},
			{
				PreConfig: env.Server.ResetRequests,
				Config:    cfg(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
					expectPlanned{tokenAddr, "id", &first},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr, "id", &first),
					resource.TestCheckResourceAttr(tokenAddr, "keep_previous", "true"),
					resource.TestCheckNoResourceAttr(tokenAddr, "previous_id"),
					func(*terraform.State) error {
						if n := env.Server.CountRequests(emulator.OpMint) + env.Server.CountRequests(emulator.OpRevoke); n != 0 {
							return fmt.Errorf("switching keep_previous on made %d mint/revoke requests", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccUserTokenKeepPrevious_mintFailsDuringRotation: the mint of a
// rotation fails; the current and previous tokens stay in state, both live,
// and the next apply carries out the same rotation.
func TestAccUserTokenKeepPrevious_mintFailsDuringRotation(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	resource.UnitTest(t, rotatedOnceCase(env, &cur, &curSecret, &prev,
		resource.TestStep{
			PreConfig: func() {
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 500})
			},
			Config:      releaseConfig(env, "r3"),
			ExpectError: wordsRe("MotherDuck API Error", "to rotate token", "The rotation did not happen: the current and the previous token are unchanged in state and still valid"),
		},
		resource.TestStep{ // the failed apply left both tokens live and in state: the plan is the same rotation
			PreConfig: func() {
				env.Server.ClearFaults()
				for _, id := range []string{cur, prev} {
					if st := env.Server.TokenState(id); st != "live" {
						t.Errorf("token %s is %s after the failed rotation, want live", id, st)
					}
				}
			},
			Config: releaseConfig(env, "r3"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				expectPrior{tokenAddr, "id", func() any { return cur }},
				expectPrior{tokenAddr, "previous_id", func() any { return prev }},
				expectPrior{tokenAddr, "keepers", func() any { return map[string]any{"release": "r2"} }},
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				expectPlanned{tokenAddr, "previous_id", &cur},
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPtr(tokenAddr, "previous_id", &cur),
				env.CheckRevoked(&prev),
			),
		},
	))
}

// TestAccUserTokenKeepPrevious_revokeOfOldPreviousFails: the rotation mints
// its token but cannot revoke the old previous one. The apply still succeeds
// (the rotation happened); that id stays in state (pending_revoke_ids), and
// the next apply revokes it without minting.
func TestAccUserTokenKeepPrevious_revokeOfOldPreviousFails(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var first, cur, curSecret, prev string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{Config: releaseConfig(env, "r1"), Check: resource.ComposeTestCheckFunc(captureToken(&cur, &curSecret), acctest.StateID(tokenAddr, &first))},
			rotationStep(env, releaseConfig(env, "r2"), nil, &cur, &curSecret, &prev),
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 500})
				},
				// The rotation succeeded: the apply does not fail (a warning
				// names the id kept in pending_revoke_ids), so a pipeline that
				// takes `token` after a successful apply takes the new one.
				Config:             releaseConfig(env, "r3"),
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenAddr, "previous_id", &cur),
					resource.TestCheckResourceAttrPtr(tokenAddr, "pending_revoke_ids.0", &first),
					resource.TestCheckResourceAttr(tokenAddr, "pending_revoke_ids.#", "1"),
				),
			},
			{
				PreConfig: func() {
					env.Server.ClearFaults()
					if st := env.Server.TokenState(first); st != "live" {
						t.Errorf("the old previous token is %s, want live (its revoke failed)", st)
					}
					if n := len(liveIDs(env, acctest.ServiceAccount)); n != 3 {
						t.Errorf("%d live tokens, want 3 (new current, previous, the one whose revoke failed)", n)
					}
					env.Server.ResetRequests()
				},
				Config: releaseConfig(env, "r3"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPrior{tokenAddr, "pending_revoke_ids", func() any { return []any{first} }},
					expectPrior{tokenAddr, "previous_id", func() any { return cur }},
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("pending_revoke_ids"), knownvalue.Null()),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.CheckRevoked(&first),
					checkNoMints(env),
					resource.TestCheckNoResourceAttr(tokenAddr, "pending_revoke_ids.#"),
					resource.TestCheckResourceAttrPtr(tokenAddr, "previous_id", &cur),
					checkLiveCount(env, acctest.ServiceAccount, 2),
				),
			},
			{Config: releaseConfig(env, "r3"), PlanOnly: true},
		},
	})
}

// TestAccUserTokenKeepPrevious_ambiguousMintDuringRotation: the rotation's
// mint commits a token but its answer is lost, and the client cannot revoke
// it. The rotation did not happen; the orphan's id is kept in state and the
// next apply revokes it while rotating.
func TestAccUserTokenKeepPrevious_ambiguousMintDuringRotation(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev, orphan string
	resource.UnitTest(t, rotatedOnceCase(env, &cur, &curSecret, &prev,
		resource.TestStep{
			PreConfig: func() {
				env.Server.ResetRequests()
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 500})
			},
			Config:      releaseConfig(env, "r3"),
			ExpectError: wordsRe("Token Mint Outcome Unknown", "kept on record", "The rotation did not happen"),
		},
		leftoverRevokedStep(t, env, releaseConfig(env, "r3"), &cur, &prev, &orphan,
			expectPrior{tokenAddr, "previous_id", func() any { return prev }}),
	))
}

// TestAccUserTokenKeepPrevious_import: import takes the current token; the
// previous one is null.
func TestAccUserTokenKeepPrevious_import(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev string
	resource.UnitTest(t, rotatedOnceCase(env, &cur, &curSecret, &prev,
		resource.TestStep{
			Config:       releaseConfig(env, "r2"),
			ResourceName: tokenAddr,
			ImportState:  true,
			ImportStateIdFunc: func(*terraform.State) (string, error) {
				return "svc_ci/" + cur, nil
			},
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 {
					return fmt.Errorf("imported %d instances", len(states))
				}
				a := states[0].Attributes
				if states[0].ID != cur {
					return fmt.Errorf("imported id %s, want the current token %s", states[0].ID, cur)
				}
				for _, k := range []string{"previous_id", "previous_token", "previous_expire_at"} {
					if v, ok := a[k]; ok && v != "" {
						return fmt.Errorf("imported %s = %q, want null", k, v)
					}
				}
				if a["keep_previous"] != "false" {
					return fmt.Errorf("imported keep_previous = %q, want false until the configuration says otherwise", a["keep_previous"])
				}
				return nil
			},
		},
	))
}

// TestAccUserTokenKeepPrevious_lostMintDuringRotation: the rotation's mint
// commits a token and loses its answer, and the clean-up cannot even list,
// so the token's id is unknown. The rotation did not happen; the next plan
// finds that token by what the failed apply kept in private state, puts it
// in pending_revoke_ids, and the apply invalidates it while rotating.
func TestAccUserTokenKeepPrevious_lostMintDuringRotation(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var cur, curSecret, prev, lost string
	resource.UnitTest(t, rotatedOnceCase(env, &cur, &curSecret, &prev,
		resource.TestStep{
			PreConfig: func() {
				env.Server.ResetRequests()
				// The plan's refresh and the apply's first list pass;
				// every later list fails.
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDelay, Times: 2})
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500})
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
			},
			Config:      releaseConfig(env, "r3"),
			ExpectError: wordsRe("Token Mint Outcome Unknown", "kept on record", "The rotation did not happen"),
		},
		func() resource.TestStep {
			step := leftoverRevokedStep(t, env, releaseConfig(env, "r3"), &cur, &prev, &lost)
			step.Check = resource.ComposeAggregateTestCheckFunc(step.Check, func(*terraform.State) error {
				// the two live tokens are the current one and the
				// previous one, both in state (checked above)
				m := tally(env, nil)
				t.Logf("fault=keep_previous_rotation_mint_lost_unlistable/reapplied minted=%d revoked=%d live=%d in_state=2 leaked=%d",
					m.Minted, m.Revoked, m.Live, m.Live-2)
				return nil
			})
			return step
		}(),
	))
}

// consumer plays a service outside Terraform that uses the token: it takes
// the `token` output only once an apply has finished, and until it takes the
// next one it keeps using the token it holds. Every use asks the emulator
// whether a request bearing that secret would be authenticated.
type consumer struct {
	env *acctest.Env

	mu       sync.Mutex
	held     string
	uses     int
	failures int
}

func (c *consumer) use() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == "" {
		return
	}
	c.uses++
	if !c.env.Server.Authorizes(c.held) {
		c.failures++
	}
}

// pickUp takes the token from the root module's `token` output: the state
// the CLI just wrote, which is what `terraform output` prints.
func (c *consumer) pickUp(s *terraform.State) error {
	out, ok := s.RootModule().Outputs["token"]
	if !ok {
		return fmt.Errorf("no output named token")
	}
	secret, ok := out.Value.(string)
	if !ok || secret == "" {
		return fmt.Errorf("the token output is empty")
	}
	c.mu.Lock()
	c.held = secret
	c.mu.Unlock()
	return nil
}

// stop ends the consumer's use of the token (before destroy revokes it).
func (c *consumer) stop() {
	c.mu.Lock()
	c.held = ""
	c.mu.Unlock()
}

func (c *consumer) counts() (uses, failures int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uses, c.failures
}

const consumerRotations = 12

// simulateConsumer runs consumerRotations rotations, alternately driven by
// the emulator's clock (rotate_before opens) and by keepers, with the
// consumer using its token before each apply, on every API request the
// provider makes during it, and after it, before and after taking the new
// token. It returns the consumer's uses and failures, and checks after
// every step that the resource holds at most two live tokens.
func simulateConsumer(t *testing.T, keepPrevious bool) (uses, failures int) {
	env := acctest.NewEnv(t)
	c := &consumer{env: env}
	env.Server.OnRequest(func(emulator.Request) { c.use() })

	cfg := func(release int) string {
		return tokenConfig(env, fmt.Sprintf(`username      = "svc_ci"
name          = "consumed"
ttl           = 3600
rotate_before = "30m"
keep_previous = %t
keepers = {
  release = "r%d"
}
lifecycle {
  create_before_destroy = true
}`, keepPrevious, release)) + "output \"token\" {\n  value     = motherduck_user_token.t.token\n  sensitive = true\n}\n"
	}
	wantAction := plancheck.ResourceActionCreateBeforeDestroy
	if keepPrevious {
		wantAction = plancheck.ResourceActionUpdate
	}
	atMostTwoLive := func(*terraform.State) error {
		if n := len(env.Server.LiveTokens(acctest.ServiceAccount)); n > 2 {
			return fmt.Errorf("%d live tokens for one resource", n)
		}
		return nil
	}
	afterApply := func(s *terraform.State) error {
		c.use() // the apply has finished; the consumer has not looked yet
		if err := c.pickUp(s); err != nil {
			return err
		}
		c.use()
		return atMostTwoLive(s)
	}

	steps := []resource.TestStep{{Config: cfg(0), Check: afterApply}}
	release := 0
	ids := map[string]bool{}
	for i := 1; i <= consumerRotations; i++ {
		byClock, last := i%2 == 1, i == consumerRotations
		if !byClock {
			release++
		}
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				c.use()
				if byClock {
					env.Server.Advance(31 * time.Minute) // 29 minutes left: inside the 30 minute window
				}
				c.use()
			},
			Config: cfg(release),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, wantAction),
			}},
			Check: resource.ComposeTestCheckFunc(afterApply, func(s *terraform.State) error {
				ids[s.RootModule().Resources[tokenAddr].Primary.ID] = true
				if last {
					c.stop() // destroy comes next: the consumer is retired first
				}
				return nil
			}),
		})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps:                    steps,
	})
	if len(ids) != consumerRotations {
		t.Fatalf("want %d distinct tokens from %d rotations, got %d", consumerRotations, consumerRotations, len(ids))
	}
	return c.counts()
}

// TestAccUserToken_consumerKeepPrevious is the acceptance criterion of
// keep_previous: over 12 rotations (6 by the clock, 6 by keepers) a consumer
// that picks up the token after each apply is never refused.
func TestAccUserToken_consumerKeepPrevious(t *testing.T) {
	t.Parallel()
	uses, failures := simulateConsumer(t, true)
	t.Logf("keep_previous = true: %d rotations, %d consumer requests, %d refused", consumerRotations, uses, failures)
	if uses < 4*consumerRotations {
		t.Fatalf("the consumer made only %d requests", uses)
	}
	if failures != 0 {
		t.Fatalf("with keep_previous the consumer must never be refused: %d of %d requests were", failures, uses)
	}
}

// TestAccUserToken_consumerWithoutKeepPrevious is the contrast: the same
// consumer with create_before_destroy alone holds a revoked token after
// rotations.
func TestAccUserToken_consumerWithoutKeepPrevious(t *testing.T) {
	t.Parallel()
	uses, failures := simulateConsumer(t, false)
	t.Logf("keep_previous = false (create_before_destroy): %d rotations, %d consumer requests, %d refused", consumerRotations, uses, failures)
	if failures == 0 {
		t.Fatalf("without keep_previous the consumer should hold a revoked token after a rotation; %d requests, none refused", uses)
	}
}

// TestAccUserToken_mintPlansNoPreviousToken: a newly minted token has no
// previous token and nothing to revoke, with or without keep_previous, so
// the plan of a create and of a replacement shows those attributes null
// rather than "known after apply".
func TestAccUserToken_mintPlansNoPreviousToken(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := func(keepPrevious bool, release string) string {
		return tokenConfig(env, fmt.Sprintf("username = \"svc_ci\"\nname = \"fresh\"\nkeep_previous = %t\nkeepers = {\n  release = %q\n}", keepPrevious, release))
	}
	noPrevious := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		checks := []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenAddr, action), plancheck.ExpectUnknownValue(tokenAddr, tfjsonpath.New("id"))}
		for _, attr := range []string{"previous_id", "previous_token", "previous_expire_at", "pending_revoke_ids"} {
			checks = append(checks, plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New(attr), knownvalue.Null()))
		}
		return resource.ConfigPlanChecks{PreApply: checks}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: cfg(false, "1"), ConfigPlanChecks: noPrevious(plancheck.ResourceActionCreate)},
			{Config: cfg(false, "2"), ConfigPlanChecks: noPrevious(plancheck.ResourceActionDestroyBeforeCreate)},
			{Config: cfg(true, "2"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("previous_id"), knownvalue.Null()),
			}}},
		},
	})
}

// TestAccUserTokenKeepPrevious_savedPlanWithCurrentGone: a saved plan
// rotates a keep_previous token; before it is applied the current token is
// invalidated outside Terraform. The apply keeps it as previous (the plan
// said so) and warns that it is no longer valid; the next refresh clears it.
func TestAccUserTokenKeepPrevious_savedPlanWithCurrentGone(t *testing.T) {
	env := acctest.NewEnv(t)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	cli.Write(releaseConfig(env, "r1"))
	cli.Must("init", "-no-color", "-input=false")
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve")
	old, _ := cli.State(tokenAddr)["id"].(string)
	cli.Write(releaseConfig(env, "r2"))
	cli.Must("plan", "-no-color", "-input=false", "-out=rotate.tfplan")
	env.Server.RevokeToken(acctest.ServiceAccount, old)
	out := cli.Must("apply", "-no-color", "-input=false", "rotate.tfplan")
	if !wordsRe("Previous Token No Longer Valid", old, "invalidated outside Terraform").MatchString(out) {
		t.Fatalf("no warning that the kept previous token is gone:\n%s", out)
	}
	out = cli.Must("apply", "-no-color", "-input=false", "-auto-approve")
	if st := cli.State(tokenAddr); st["previous_id"] != nil {
		t.Fatalf("previous_id %v after a refresh, want null:\n%s", st["previous_id"], out)
	}
	cli.Must("destroy", "-no-color", "-input=false", "-auto-approve")
	if err := env.CheckNoLiveTokens(acctest.ServiceAccount)(nil); err != nil {
		t.Fatal(err)
	}
}
