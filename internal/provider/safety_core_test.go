package provider_test

// The safety core's promises (issue "one safety core"): every token the
// provider mints is in state or invalidated, whatever the fault, and every
// time decision is taken on the API's clock.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
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
	if minted := len(apiMinted(env)); minted != 2 {
		t.Fatalf("want 2 tokens minted (the first and its rotation), got %d", minted)
	}
}

// TestAccSafety_apiDateHeaderOfAnotherClock: the API's Date header follows
// the host's clock while its timestamps are an hour behind (a proxy's Date,
// or a server that stamps data on another clock; the contract promises no
// Date). The token it lists, with ttl = 600, is live: the refresh after the
// apply and the next plan keep it (no "expired" removal, no new mint), and
// destroy invalidates it.
func TestAccSafety_apiDateHeaderOfAnotherClock(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetDateOffset(time.Hour)
	cfg := tokenConfig(env, `username = "svc_ci"
name = "short"
ttl = 600
rotate_before = "60s"`)
	resource.UnitTest(t, resource.TestCase{
		// The provider's own clock runs with the Date header, an hour
		// ahead of the clock that stamps the tokens.
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
		},
	})
	if minted := len(apiMinted(env)); minted != 1 {
		t.Fatalf("want the one token minted, got %d", minted)
	}
}

// lateCommitProvider is a provider block whose requests time out after 1s.
func lateCommitProvider(env *acctest.Env) string {
	return fmt.Sprintf("provider \"motherduck\" {\n  token           = %q\n  api_url         = %q\n  request_timeout = \"1s\"\n}\n",
		env.Server.AdminToken(), env.URL)
}

// waitLive waits until username has n live tokens.
func waitLive(t *testing.T, env *acctest.Env, username string, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if len(env.Server.LiveTokens(username)) == n {
			return
		}
	}
	t.Fatalf("user %s never had %d live tokens", username, n)
}

// TestAccSafety_mintCommittedAfterTheClientGaveUp: the API answers the first
// mint only after the provider gave up on it (request_timeout 1s, the
// server commits at 8s). "Not in the list yet" is no evidence: the retry's
// token goes to state, the unanswered mint stays on record, and the next
// plan finds its late token and the apply invalidates it. Nothing leaks.
func TestAccSafety_mintCommittedAfterTheClientGaveUp(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultCommitLate, Delay: 8 * time.Second, Times: 1})
	cfg := lateCommitProvider(env) + "resource \"motherduck_user_token\" \"t\" {\n  username = \"svc_ci\"\n  name = \"late\"\n}\n"
	var inState string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{
				// The plan after this apply comes before the late commit:
				// it only warns that the mint is still unsettled.
				Config: cfg,
				Check:  acctest.StateID(tokenAddr, &inState),
			},
			{
				PreConfig: func() { waitLive(t, env, acctest.ServiceAccount, 2) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					live := env.Server.LiveTokens(acctest.ServiceAccount)
					if len(live) != 1 || live[0].ID != inState {
						return fmt.Errorf("want only the token in state (%s) live, got %+v", inState, live)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSafety_mintAnswerOfAnotherType: the API mints a token of another
// token_type than asked and answers (and lists) it that way. The answer is
// unusable, but the token it names is this request's: it is invalidated,
// never left live as "another token".
func TestAccSafety_mintAnswerOfAnotherType(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultMismatch})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:      tokenConfig(env, "username = \"svc_ci\"\nname = \"typed\"\ntoken_type = \"read_scaling\""),
			ExpectError: regexp.MustCompile(`token_type is not the one asked for`),
		}},
	})
	mints := requestsOf(env, emulator.OpMint)
	if len(mints) == 0 {
		t.Fatal("no mint was sent")
	}
	for _, m := range mints {
		if st := env.Server.TokenState(m.TokenID); st != "revoked" {
			t.Errorf("token %s from a mismatched answer is %s, want revoked", m.TokenID, st)
		}
	}
}

// TestAccSafety_serviceAccountCreateCommittedLate: the API creates the
// account only after the provider gave up on the request. The apply keeps
// the resource in state with the request on record (a warning, no error),
// the next plan finds the account and settles it, and destroy deletes it:
// no "already exists" on the rerun, no unverified import needed.
func TestAccSafety_serviceAccountCreateCommittedLate(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_late"
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpCreateUser, Kind: emulator.FaultCommitLate, Delay: 8 * time.Second, Times: 1})
	cfg := lateCommitProvider(env) + fmt.Sprintf("resource \"motherduck_service_account\" \"a\" {\n  username = %q\n  deletion_protection = false\n}\n", name)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy: func(*terraform.State) error {
			if env.Server.UserExists(name) {
				return fmt.Errorf("service account %s still exists after destroy", name)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					for deadline := time.Now().Add(20 * time.Second); !env.Server.UserExists(name) && time.Now().Before(deadline); {
						time.Sleep(50 * time.Millisecond)
					}
					if !env.Server.UserExists(name) {
						t.Fatal("the late create never happened")
					}
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := env.Server.CountRequests(emulator.OpCreateUser); n != 1 {
		t.Fatalf("%d create requests, want 1 (the rerun must not create again)", n)
	}
}

// TestAccSafety_sameNameMintsOfTwoWorkspaces: another workspace's mint of
// the same name for the same user loses its answer in the same second as
// this one's, so two unknown tokens match this lost mint. Neither is
// invalidated (one is the other state's), the mint stays on record in
// state, and once the other workspace lets its token go, the next plan
// finds this mint's token alone and the apply invalidates it. No token that
// a state holds is ever invalidated.
func TestAccSafety_sameNameMintsOfTwoWorkspaces(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	var theirs emulator.Token
	var once sync.Once
	env.Server.OnRequest(func(r emulator.Request) {
		if r.Op == emulator.OpList {
			// The other workspace's lost mint, in the same second (the
			// emulator's clock stands still), after this run's first list
			// answered: a token this run cannot know.
			once.Do(func() { theirs = env.Server.MintToken(acctest.ServiceAccount, "same", 0, "") })
		}
	})
	// Read after the first list (a completed once.Do orders the write).
	them := func() emulator.Token { once.Do(func() {}); return theirs }
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	cfg := tokenConfig(env, "username = \"svc_ci\"\nname = \"same\"")
	var ours string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					mints := requestsOf(env, emulator.OpMint)
					if len(mints) != 2 {
						return fmt.Errorf("want the lost mint and its retry, got %+v", mints)
					}
					ours = mints[0].TokenID
					for _, id := range []string{ours, them().ID} {
						if st := env.Server.TokenState(id); st != "live" {
							return fmt.Errorf("token %s is %s: with two candidates none may be invalidated", id, st)
						}
					}
					if !strings.Contains(privateStateOf(t, dir), them().ID) {
						return fmt.Errorf("the lost mint and its candidates are not on record in state")
					}
					return nil
				},
			},
			{
				// The other workspace destroys its token: the lost mint's
				// token is now the only one it can be.
				PreConfig: func() { env.Server.RevokeToken(acctest.ServiceAccount, them().ID) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if st := env.Server.TokenState(ours); st != "revoked" {
						return fmt.Errorf("the lost mint's token %s is %s, want revoked", ours, st)
					}
					return nil
				},
			},
		},
	})
	for _, r := range requestsOf(env, emulator.OpRevoke) {
		if strings.HasSuffix(r.Path, "/"+them().ID) {
			t.Fatalf("the provider asked to invalidate the other workspace's token: %+v", r)
		}
	}
}

// privateStateOf returns the decoded private state of every resource
// instance in the test's state files.
func privateStateOf(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
	var b strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Resources []struct {
				Instances []struct {
					Private string `json:"private"`
				} `json:"instances"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatal(err)
		}
		for _, r := range st.Resources {
			for _, in := range r.Instances {
				// The framework keeps each key's bytes, base64 in JSON.
				dec, _ := base64.StdEncoding.DecodeString(in.Private)
				var keys map[string][]byte
				_ = json.Unmarshal(dec, &keys)
				for _, v := range keys {
					b.Write(v)
				}
			}
		}
	}
	return b.String()
}

// TestAccSafety_placeholderKeptWhileItsMintMayCommit: every attempt of a
// mint loses its connection, so the failed apply leaves a placeholder with
// the requests on record. A plan while they may still commit stops, saying
// until when (Terraform would replace the placeholder without handing its
// record to the delete); once the API's clock has passed their window, the
// next apply drops it and mints.
func TestAccSafety_placeholderKeptWhileItsMintMayCommit(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropBefore, Times: 2})
	cfg := providerWithRetries(env, 1) + "resource \"motherduck_user_token\" \"t\" {\n  username = \"svc_ci\"\n  name = \"unanswered\"\n}\n"
	resource.UnitTest(t, faultCase(env, dir, []resource.TestStep{
		{Config: cfg, ExpectError: regexp.MustCompile(`Token Mint Outcome Unknown`)},
		{
			PreConfig: func() {
				requirePendingPlaceholder(t, dir)
			},
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Earlier Mint Still Unsettled.*may\s+still\s+commit`),
		},
		{
			PreConfig: func() {
				if n := len(apiMinted(env)); n != 0 {
					t.Fatalf("%d tokens minted while the placeholder was kept", n)
				}
				env.Server.Advance(11 * time.Minute)
			},
			Config: cfg,
			Check:  env.CheckLive(tokenAddr, acctest.ServiceAccount),
		},
	}))
}
