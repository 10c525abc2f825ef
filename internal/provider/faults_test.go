package provider_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
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

// The invariant these tests hold the provider to, under any fault: every
// token it mints is either recorded in Terraform state or revoked. The
// emulator is the witness: it knows every token minted through the API,
// and the state file in the test's working directory says what Terraform
// kept.

// ledger is what the emulator and the state say about API-minted tokens.
type ledger struct {
	Minted      int // tokens minted through the API
	Revoked     int // of those, revoked
	Live        int // of those, live (neither revoked nor expired)
	LiveInState int // of those live, recorded in state
	InState     int // token resources in state
	Leaked      int // live API-minted tokens that are not in state
	OnRecord    int // live API-minted tokens not in state that an open mint on record in state may have made

	leaked []emulator.Token
	// reported counts the leaked tokens that an error reported (see
	// assertLedger); they are in Leaked too.
	reported int
	// problems are state entries that do not match the emulator: an id
	// the emulator never minted, a secret that is not the token's.
	problems []string
	// stale are state entries whose token is no longer live. After a
	// failed step that is expected (a revoke that committed but whose
	// answer was lost keeps the resource in state until the next run
	// finds the token gone); after a successful one it is a problem.
	stale []string
}

func (l ledger) String() string {
	return fmt.Sprintf("minted=%d revoked=%d live=%d in_state=%d live_in_state=%d on_record=%d leaked=%d",
		l.Minted, l.Revoked, l.Live, l.InState, l.LiveInState, l.OnRecord, l.Leaked)
}

// stateToken is one motherduck_user_token instance in a state file.
type stateToken struct {
	Secret  string // "" after import
	Tainted bool
}

// stateTokens reads every motherduck_user_token in the state files of the
// test's working directory (TestCase.WorkingDir), by id; a failed mint's
// "pending" placeholder is not a token and is left out.
func stateTokens(t testing.TB, dir string) map[string]stateToken {
	t.Helper()
	out := map[string]stateToken{}
	for _, in := range stateTokenInstances(t, dir) {
		if in.id != "pending" {
			out[in.id] = stateToken{Secret: in.secret, Tainted: in.tainted}
		}
	}
	return out
}

// stateTokenInstance is one motherduck_user_token instance in a state file.
type stateTokenInstance struct {
	id, secret string
	tainted    bool
}

// stateTokenInstances reads every motherduck_user_token instance from the
// state files of the test's working directory. Reading the file rather than
// the framework's state also works after a failed apply.
func stateTokenInstances(t testing.TB, dir string) []stateTokenInstance {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
	if err != nil {
		t.Fatalf("looking for state files: %v", err)
	}
	var out []stateTokenInstance
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var st struct {
			Resources []struct {
				Mode      string `json:"mode"`
				Type      string `json:"type"`
				Instances []struct {
					Status     string         `json:"status"`
					Attributes map[string]any `json:"attributes"`
				} `json:"instances"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("decoding %s: %v", f, err)
		}
		for _, r := range st.Resources {
			if r.Mode != "managed" || r.Type != "motherduck_user_token" {
				continue
			}
			for _, in := range r.Instances {
				id, _ := in.Attributes["id"].(string)
				secret, _ := in.Attributes["token"].(string)
				out = append(out, stateTokenInstance{id: id, secret: secret, tainted: in.Status == "tainted"})
				// The ids the resource still has to invalidate are in state
				// too: pending_revoke_ids (and the previous token).
				held, _ := in.Attributes["pending_revoke_ids"].([]any)
				if prev, ok := in.Attributes["previous_id"].(string); ok && prev != "" {
					held = append(held, prev)
				}
				for _, v := range held {
					if hid, ok := v.(string); ok && hid != "" {
						out = append(out, stateTokenInstance{id: hid, tainted: true})
					}
				}
			}
		}
	}
	return out
}

// recordedIntents are the mints of unknown outcome that the token resources
// in the test's state files keep on record (private state), as
// "username/name".
func recordedIntents(t testing.TB, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil || len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		var st struct {
			Resources []struct {
				Instances []struct {
					Private string `json:"private"`
				} `json:"instances"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatalf("decoding %s: %v", f, err)
		}
		for _, r := range st.Resources {
			for _, in := range r.Instances {
				dec, _ := base64.StdEncoding.DecodeString(in.Private)
				var keys map[string][]byte // the framework keeps each key's bytes
				_ = json.Unmarshal(dec, &keys)
				var debt struct {
					Intents []struct{ Username, Name string } `json:"intents"`
				}
				_ = json.Unmarshal(keys["debt"], &debt)
				for _, i := range debt.Intents {
					out[i.Username+"/"+i.Name] = true
				}
			}
		}
	}
	return out
}

// tally compares the emulator with the tokens in state.
func tally(env *acctest.Env, inState map[string]stateToken) ledger {
	l := ledger{InState: len(inState)}
	for _, tok := range env.Server.AllTokens() {
		if !tok.ViaAPI {
			continue
		}
		l.Minted++
		if tok.Revoked {
			l.Revoked++
		}
		if env.Server.TokenState(tok.ID) != "live" {
			continue
		}
		l.Live++
		if _, ok := inState[tok.ID]; ok {
			l.LiveInState++
		} else {
			l.Leaked++
			l.leaked = append(l.leaked, tok)
		}
	}
	ids := make([]string, 0, len(inState))
	for id := range inState {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		tok, ok := env.Server.Token(id)
		switch {
		case !ok:
			l.problems = append(l.problems, fmt.Sprintf("state holds %q, which the emulator never minted", id))
		case env.Server.TokenState(id) != "live":
			l.stale = append(l.stale, fmt.Sprintf("state holds token %s (tainted: %v), which is %s", id, inState[id].Tainted, env.Server.TokenState(id)))
		case inState[id].Secret != "" && inState[id].Secret != tok.Secret:
			l.problems = append(l.problems, fmt.Sprintf("the secret in state for token %s is not the token's secret", id))
		}
	}
	return l
}

// checkLedger logs the figures of one step as `fault=<name> ...` and fails
// the test (without stopping it) when a token leaked or the state disagrees
// with the emulator.
func checkLedger(t testing.TB, env *acctest.Env, dir, label string) ledger {
	t.Helper()
	return assertLedger(t, env, dir, label, false, nil)
}

// logLedger is checkLedger after a failed step: a token that is gone but
// still in state is only logged; a leak is still an error.
func logLedger(t testing.TB, env *acctest.Env, dir, label string) ledger {
	t.Helper()
	return assertLedger(t, env, dir, label, true, nil)
}

// assertLedger is checkLedger and logLedger. A leaked token for which
// reported is true is only logged: an error told the operator to look for
// it (see faultRun.allowReported).
func assertLedger(t testing.TB, env *acctest.Env, dir, label string, failedStep bool, reported func(emulator.Token) bool) ledger {
	t.Helper()
	l := tally(env, stateTokens(t, dir))
	// A live token that a mint of unknown outcome kept on record in state
	// may have made is not leaked: the next plan settles it.
	recorded := recordedIntents(t, dir)
	kept := l.leaked[:0]
	for _, tok := range l.leaked {
		if recorded[tok.Username+"/"+tok.Name] {
			l.OnRecord++
			l.Leaked--
			continue
		}
		kept = append(kept, tok)
	}
	l.leaked = kept
	t.Logf("fault=%s %s", label, l)
	var unreported []string
	for _, tok := range l.leaked {
		what := fmt.Sprintf("%s (%s of %s)", tok.ID, tok.Name, tok.Username)
		if reported != nil && reported(tok) {
			l.reported++
			t.Logf("fault=%s: live token %s not in state, reported to the operator by an error", label, what)
			continue
		}
		unreported = append(unreported, what)
	}
	if len(unreported) != 0 {
		t.Errorf("fault=%s: %d live API-minted token(s) not in state: %s", label, len(unreported), strings.Join(unreported, ", "))
	}
	for _, p := range l.problems {
		t.Errorf("fault=%s: %s", label, p)
	}
	for _, p := range l.stale {
		if failedStep {
			t.Logf("fault=%s: %s (the next run drops it)", label, p)
		} else {
			t.Errorf("fault=%s: %s", label, p)
		}
	}
	return l
}

// expectLedger is a TestCheckFunc asserting exact figures after a step.
func expectLedger(t testing.TB, env *acctest.Env, dir, label string, want ledger) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := checkLedger(t, env, dir, label)
		if got.String() != want.String() {
			return fmt.Errorf("fault=%s: got %s, want %s", label, got, want)
		}
		return nil
	}
}

// requestsOf returns the recorded requests of one operation.
func requestsOf(env *acctest.Env, op string) []emulator.Request {
	var out []emulator.Request
	for _, r := range env.Server.Requests() {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

func statuses(reqs []emulator.Request) []int {
	out := make([]int, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, r.Status)
	}
	return out
}

// untilApplied returns up to tries steps that apply cfg: a step that fails
// is recorded by the TestCase's ErrorCheck (see faultRun.errorCheck) and the next one
// tries again; once one succeeds the rest are skipped. check runs after
// the successful apply.
func untilApplied(tries int, cfg string, done *bool, label func(try int) string, pre func(try int), check func(label string) resource.TestCheckFunc) []resource.TestStep {
	steps := make([]resource.TestStep, 0, tries)
	for i := 1; i <= tries; i++ {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				if pre != nil && !*done {
					pre(i)
				}
			},
			SkipFunc: func() (bool, error) { return *done, nil },
			Config:   cfg,
			Check: func(s *terraform.State) error {
				*done = true
				return check(label(i))(s)
			},
		})
	}
	return steps
}

// faultRun follows the steps of a test that lets steps fail.
type faultRun struct {
	t     testing.TB
	env   *acctest.Env
	dir   string
	label string // the current step, for the figures
	// failures counts the tolerated step failures.
	failures int
	// reported holds "user/name" of every token that an error reported
	// as minted with an unknown outcome that could not be cleaned up
	// ("Token Mint Outcome Unknown"), when allowReported is set: such a
	// token's id is unknown, so it cannot be in state, and the error tells
	// the operator which user and name to check.
	allowReported bool
	reported      map[string]bool
	// idsInErrors holds every token id an error named: a token the
	// provider knew the id of must be in state, never merely reported.
	idsInErrors map[string]bool
}

// unknownOutcomeRe finds the client's text for a mint that could not be
// cleaned up (the CLI wraps lines, hence \s+).
var unknownOutcomeRe = regexp.MustCompile(`mint\s+token\s+"([^"]+)"\s+for\s+user\s+"([^"]+)":\s+the\s+outcome\s+is\s+unknown`)

// errorCheck is an ErrorCheck that lets a step fail (the loops of
// untilApplied try again) while logging the error and the ledger at that
// point; a failing check of the invariant is never tolerated.
func (r *faultRun) errorCheck(err error) error {
	if strings.Contains(err.Error(), "Check failed") {
		return err
	}
	r.failures++
	first := strings.SplitN(strings.TrimSpace(err.Error()), "\n", 2)[0]
	r.t.Logf("fault=%s: step failed (tolerated, will retry): %s", r.label, first)
	for _, line := range strings.Split(err.Error(), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "Error: ") || strings.HasPrefix(l, "Cause: ") {
			r.t.Logf("  %s", l)
		}
	}
	if r.allowReported {
		if r.reported == nil {
			r.reported = map[string]bool{}
		}
		if r.idsInErrors == nil {
			r.idsInErrors = map[string]bool{}
		}
		for _, m := range unknownOutcomeRe.FindAllStringSubmatch(err.Error(), -1) {
			r.reported[m[2]+"/"+m[1]] = true
		}
		for _, id := range uuidRe.FindAllString(err.Error(), -1) {
			r.idsInErrors[id] = true
		}
	}
	r.ledger(r.label+"/failed", true)
	return nil
}

// ledger asserts the invariant now (see assertLedger).
func (r *faultRun) ledger(label string, failedStep bool) ledger {
	r.t.Helper()
	return assertLedger(r.t, r.env, r.dir, label, failedStep, func(tok emulator.Token) bool {
		return r.reported[tok.Username+"/"+tok.Name] && !r.idsInErrors[tok.ID]
	})
}

var uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func faultConfig(env *acctest.Env, name string) string {
	return env.Config(fmt.Sprintf(`
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = %q
}
`, name))
}

// TestAccFaults_mintRateLimitedHonoursRetryAfter: a 429 with Retry-After: 1
// on the first mint is retried after a second; one token results.
func TestAccFaults_mintRateLimitedHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()

	var mu sync.Mutex
	var mintDone []time.Time // wall time at which each mint was handled
	env.Server.OnRequest(func(r emulator.Request) {
		if r.Op == emulator.OpMint {
			mu.Lock()
			mintDone = append(mintDone, time.Now())
			mu.Unlock()
		}
	})
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "1", Times: 1})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{{
			Config: faultConfig(env, "rate-limited"),
			Check: resource.ComposeAggregateTestCheckFunc(
				expectLedger(t, env, dir, "mint_429_retry_after", ledger{Minted: 1, Live: 1, InState: 1, LiveInState: 1}),
				env.CheckLive(tokenAddr, acctest.ServiceAccount),
				func(*terraform.State) error {
					mints := requestsOf(env, emulator.OpMint)
					if got := fmt.Sprint(statuses(mints)); got != "[429 200]" {
						return fmt.Errorf("want the mint answered 429 then 200, got %s", got)
					}
					mu.Lock()
					defer mu.Unlock()
					if len(mintDone) != 2 {
						return fmt.Errorf("want 2 mint requests timed, got %d", len(mintDone))
					}
					// The 429 is answered after the hook ran, so the gap
					// can only understate the client's wait.
					if gap := mintDone[1].Sub(mintDone[0]); gap < 990*time.Millisecond {
						return fmt.Errorf("the retry came %s after the 429; Retry-After asked for 1s", gap)
					} else {
						t.Logf("fault=mint_429_retry_after: retry %s after the 429", gap.Round(time.Millisecond))
					}
					return nil
				},
			),
		}},
	})
	l := tally(env, nil)
	t.Logf("fault=mint_429_retry_after after destroy: %s", l)
	if l.Minted != 1 || l.Revoked != 1 || l.Live != 0 {
		t.Fatalf("after destroy: %s; want the one minted token revoked", l)
	}
}

// TestAccFaults_mintRateLimitedPastTheTimeout: a 429 whose Retry-After (20s)
// outlasts the create timeout (5s) ends the apply at once with an error that
// says the API is rate limiting and that the wait it asked for was cut short
// by the timeout, not later with a bare timeout; no token is minted.
func TestAccFaults_mintRateLimitedPastTheTimeout(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "20"})
	var start time.Time
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config: env.Config(`
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "rate-limited"
  timeouts {
    create = "5s"
  }
}
`),
			ExpectError: regexp.MustCompile(`(?s)MotherDuck API Rate Limited.*rate\s+limiting.*HTTP\s+429.*asked\s+to\s+wait\s+20s\s+before\s+trying\s+again,` +
				`\s+but\s+that\s+wait\s+would\s+outlast\s+the\s+operation's\s+time\s+limit\s+\(the\s+resource's\s+` + "`timeouts`" + `\),` +
				`\s+which\s+had\s+[0-9.]+s\s+left,\s+so\s+the\s+wait\s+was\s+cut\s+short`),
		}},
	})
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the apply took %s: it waited toward a timeout the retry could not meet", d.Round(time.Millisecond))
	}
	if got := fmt.Sprint(statuses(requestsOf(env, emulator.OpMint))); got != "[429]" {
		t.Errorf("want one mint answered 429, got %s", got)
	}
}

// TestAccFaults_revokeUnavailableTwice: destroy succeeds through two 503
// answers on the revoke, and the token ends revoked.
func TestAccFaults_revokeUnavailableTwice(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		CheckDestroy: func(*terraform.State) error {
			if err := env.CheckRevoked(&id)(nil); err != nil {
				return err
			}
			if got := fmt.Sprint(statuses(requestsOf(env, emulator.OpRevoke))); got != "[503 503 200]" {
				return fmt.Errorf("want the revoke answered 503, 503, 200; got %s", got)
			}
			l := checkLedger(t, env, dir, "revoke_503x2/destroyed")
			if l.Minted != 1 || l.Revoked != 1 || l.Live != 0 || l.InState != 0 {
				return fmt.Errorf("after destroy: %s", l)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: faultConfig(env, "stubborn-revoke"),
			Check: resource.ComposeAggregateTestCheckFunc(
				acctest.StateID(tokenAddr, &id),
				expectLedger(t, env, dir, "revoke_503x2/applied", ledger{Minted: 1, Live: 1, InState: 1, LiveInState: 1}),
			),
			// After every check and plan of this step: only the final
			// destroy revokes.
			PostApplyFunc: func() {
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503, Times: 2})
			},
		}},
	})
}

// TestAccFaults_listServerErrorThenSuccess: a 500 on the list during the
// refresh of a plan is retried and the plan succeeds with no changes.
func TestAccFaults_listServerErrorThenSuccess(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	cfg := faultConfig(env, "listed")
	var listsDuringPlan []emulator.Request
	resource.UnitTest(t, faultCase(env, dir, []resource.TestStep{
		{
			Config: cfg,
			Check:  expectLedger(t, env, dir, "list_500/applied", ledger{Minted: 1, Live: 1, InState: 1, LiveInState: 1}),
		},
		{
			PreConfig: func() {
				env.Server.ResetRequests()
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500, Times: 1})
			},
			Config:   cfg,
			PlanOnly: true,
		},
		{ // only looks at what the plan above did
			PreConfig: func() { listsDuringPlan = requestsOf(env, emulator.OpList) },
			Config:    cfg,
			PlanOnly:  true,
		},
	}))
	if got := fmt.Sprint(statuses(listsDuringPlan)); !strings.HasPrefix(got, "[500 200") {
		t.Fatalf("want the plan's refresh to list 500 then 200, got %s", got)
	}
	for _, r := range listsDuringPlan {
		if r.Status != 200 && r.Fault == "" {
			t.Fatalf("an unexpected list failure: %+v", r)
		}
	}
	l := tally(env, nil)
	t.Logf("fault=list_500 minted=%d revoked=%d live_in_state=0 leaked=%d (after destroy)", l.Minted, l.Revoked, l.Leaked)
}

// TestAccFaults_mintCommittedConnectionDropped: the first mint commits a
// token but its answer is lost. The provider must revoke that token, mint
// again, and leave exactly one live token, the one in state, while a
// pre-existing token of the same name stays untouched.
func TestAccFaults_mintCommittedConnectionDropped(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	const name = "dropped-answer"
	pre := env.Server.MintToken(acctest.ServiceAccount, name, 0, "")
	if pre.ID == "" {
		t.Fatal("seeding the pre-existing token failed")
	}
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})

	label := "mint_drop_after"
	run := &faultRun{t: t, env: env, dir: dir, label: label}
	applied := false
	var inState string
	steps := untilApplied(2, faultConfig(env, name), &applied,
		func(try int) string { return fmt.Sprintf("%s/apply%d", label, try) },
		func(try int) { run.label = fmt.Sprintf("%s/apply%d", label, try) },
		func(l string) resource.TestCheckFunc {
			return resource.ComposeAggregateTestCheckFunc(
				acctest.StateID(tokenAddr, &inState),
				env.CheckLive(tokenAddr, acctest.ServiceAccount),
				func(*terraform.State) error {
					got := checkLedger(t, env, dir, l)
					if got.Live != 1 || got.LiveInState != 1 || got.Leaked != 0 {
						return fmt.Errorf("want exactly one live API-minted token, the one in state: %s", got)
					}
					var named []string
					for _, tok := range env.Server.LiveTokens(acctest.ServiceAccount) {
						if tok.Name == name && tok.ID != pre.ID {
							named = append(named, tok.ID)
						}
					}
					if len(named) != 1 || named[0] != inState {
						return fmt.Errorf("live tokens named %q besides the pre-existing one: %v; in state: %s", name, named, inState)
					}
					return nil
				},
			)
		})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		ErrorCheck:               run.errorCheck,
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps:                    steps,
	})
	if !applied {
		t.Fatalf("no apply succeeded in %d tries", len(steps))
	}
	mints := requestsOf(env, emulator.OpMint)
	if len(mints) < 2 || mints[0].Fault != string(emulator.FaultDropAfter) || mints[0].HandledStatus != 200 {
		t.Fatalf("want the first mint committed and its answer dropped, then a retry; got %+v", mints)
	}
	if tok, _ := env.Server.Token(mints[0].TokenID); !tok.Revoked {
		t.Fatalf("the token committed by the dropped mint (%s) was not revoked", mints[0].TokenID)
	}
	if tok, _ := env.Server.Token(pre.ID); tok.Revoked || tok.Secret != pre.Secret {
		t.Fatalf("the pre-existing token %s of the same name was touched: revoked=%v", pre.ID, tok.Revoked)
	}
	for _, r := range requestsOf(env, emulator.OpRevoke) {
		if strings.HasSuffix(r.Path, "/"+pre.ID) {
			t.Fatalf("a revoke was asked for the pre-existing token: %+v", r)
		}
	}
	l := tally(env, nil)
	t.Logf("fault=%s minted=%d revoked=%d live_in_state=1 leaked=0 failed_applies=%d (after destroy: live=%d)", label, l.Minted, l.Revoked, run.failures, l.Live)
	if l.Live != 0 || l.Revoked != l.Minted {
		t.Fatalf("after destroy every API-minted token must be revoked: %s", l)
	}
}

// TestAccFaults_mintCommittedConnectionDroppedClockSkew: the API's clock is
// an hour ahead of the provider's. The mint's answer is lost after the
// token was committed; the clean-up still finds that token (its created_ts
// is an hour "in the future" for the provider) and revokes it, and the
// retry's token is the one in state: nothing leaks.
func TestAccFaults_mintCommittedConnectionDroppedClockSkew(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	const label = "mint_drop_after_clock_skew"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.FactoriesSkewed(time.Hour),
		WorkingDir:               dir,
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{{
			Config: faultConfig(env, "skewed-clock"),
			Check: func(*terraform.State) error {
				if got := checkLedger(t, env, dir, label); got.Live != 1 || got.LiveInState != 1 || got.Leaked != 0 {
					return fmt.Errorf("want exactly one live API-minted token, the one in state: %s", got)
				}
				return nil
			},
		}},
	})
	mints := requestsOf(env, emulator.OpMint)
	if len(mints) != 2 || mints[0].Fault != string(emulator.FaultDropAfter) || mints[0].HandledStatus != 200 {
		t.Fatalf("want the first mint committed and its answer dropped, then a retry; got %+v", mints)
	}
	if tok, _ := env.Server.Token(mints[0].TokenID); !tok.Revoked {
		t.Fatalf("the token committed by the dropped mint (%s) was not revoked", mints[0].TokenID)
	}
}

// TestAccFaults_mintAlwaysFails: when every mint fails, apply fails with a
// clear error and no API-minted token stays live.
func TestAccFaults_mintAlwaysFails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		fault     emulator.Fault
		wantErr   *regexp.Regexp
		wantMints int // minted (committed) tokens
	}{
		{
			name:  "mint_500_always",
			fault: emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 500},
			wantErr: regexp.MustCompile(`(?s)MotherDuck API Error.*mint\s+token\s+"doomed"\s+for\s+user\s+"svc_ci".*` +
				`HTTP\s+500\s+after\s+3\s+attempts.*INTERNAL_SERVER_ERROR`),
		},
		{
			name:  "mint_drop_after_always",
			fault: emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter},
			wantErr: regexp.MustCompile(`(?s)MotherDuck API Unreachable.*mint\s+token\s+"doomed"\s+for\s+user\s+"svc_ci".*` +
				`POST\s+/v1/users/svc_ci/tokens.*\[after\s+3\s+attempts\s+over\s+[0-9.]+m?s\]`),
			wantMints: 3,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			dir := t.TempDir()
			env.Server.InjectFault(tc.fault)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				WorkingDir:               dir,
				CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
				Steps: []resource.TestStep{{
					Config: providerWithRetries(env, 2) + `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "doomed"
}
`,
					ExpectError: tc.wantErr,
				}},
			})
			mints := requestsOf(env, emulator.OpMint)
			if len(mints) != 3 {
				t.Fatalf("want 3 mint attempts (max_retries = 2), got %d: %v", len(mints), statuses(mints))
			}
			l := checkLedger(t, env, dir, tc.name)
			if l.Minted != tc.wantMints || l.Live != 0 || l.Revoked != tc.wantMints || l.InState != 0 {
				t.Fatalf("want %d minted, all revoked, none live or in state; got %s", tc.wantMints, l)
			}
		})
	}
}

// faultCase runs steps in dir, whose state files the tests read between
// steps (stateTokens); at the end no token of svc_ci may be live.
func faultCase(env *acctest.Env, dir string, steps []resource.TestStep) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps:                    steps,
	}
}

// failListsAfterFirst lets the next list request through (a mint's
// baseline, or a list's first page) and answers every later one with status.
func failListsAfterFirst(env *acctest.Env, status int) {
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDelay, Times: 1})
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: status})
}

// providerWithRetries is the emulator's provider block with max_retries.
func providerWithRetries(env *acctest.Env, retries int) string {
	return fmt.Sprintf("provider \"motherduck\" {\n  token       = %q\n  api_url     = %q\n  max_retries = %d\n}\n",
		env.Server.AdminToken(), env.URL, retries)
}

// TestAccFaults_mintOrphanNotRevocable: the first mint commits a token and
// loses its answer, and the clean-up cannot revoke it (every revoke answers
// 500, which is not retried). The apply fails saying the token was minted
// and could not be invalidated; it must then be in state (tainted),
// so that the next apply revokes it rather than forgetting it.
func TestAccFaults_mintOrphanNotRevocable(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	const name = "orphan-kept"
	cfg := faultConfig(env, name)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 500})
	var orphan, replacement string
	resource.UnitTest(t, faultCase(env, dir, []resource.TestStep{
		{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Token Mint Outcome Unknown.*orphan-kept.*svc_ci.*kept\s+on\s+record`),
		},
		{ // the failed apply kept the orphan in state, tainted
			PreConfig: func() {
				mints := requestsOf(env, emulator.OpMint)
				if len(mints) != 1 || mints[0].TokenID == "" {
					t.Fatalf("want one committed mint, got %+v", mints)
				}
				orphan = mints[0].TokenID
				l := logLedger(t, env, dir, "mint_orphan_unrevocable/failed")
				if l.Minted != 1 || l.LiveInState != 1 {
					t.Errorf("the token the failed mint left behind is not in state: %s", l)
				}
				files, _ := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
				for _, f := range files {
					if b, _ := os.ReadFile(f); !strings.Contains(string(b), `"status": "tainted"`) {
						t.Errorf("the orphan must be kept tainted in %s", f)
					}
				}
				env.Server.ClearFaults()
			},
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				acctest.StateID(tokenAddr, &replacement),
				env.CheckLive(tokenAddr, acctest.ServiceAccount),
				expectLedger(t, env, dir, "mint_orphan_unrevocable/reapplied", ledger{Minted: 2, Revoked: 1, Live: 1, InState: 1, LiveInState: 1}),
			),
		},
	}))
	if tok, _ := env.Server.Token(orphan); !tok.Revoked {
		t.Fatalf("the orphan %s was never revoked", orphan)
	}
	if replacement == orphan {
		t.Fatal("the tainted orphan must be replaced by a new token")
	}
}

// TestAccFaults_mintOrphanNotListable: the first mint commits a token and
// loses its answer, and the clean-up cannot even list the user's tokens, so
// nobody knows the token's id. The failed apply keeps a tainted "pending"
// placeholder that records the request (private state); the next apply finds
// the token by that record, invalidates it and mints a new one.
func TestAccFaults_mintOrphanNotListable(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	// The first list (the baseline taken before minting) passes; every
	// later one fails.
	failListsAfterFirst(env, 500)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	cfg := providerWithRetries(env, 1) + `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "unlistable"
}
`
	var lost string
	resource.UnitTest(t, faultCase(env, dir, []resource.TestStep{
		{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Token Mint Outcome Unknown.*"unlistable".*kept\s+on\s+record.*next\s+plan\s+and\s+apply`),
		},
		{
			PreConfig: func() {
				mints := requestsOf(env, emulator.OpMint)
				if len(mints) != 1 || mints[0].TokenID == "" {
					t.Fatalf("want one committed mint, got %+v", mints)
				}
				lost = mints[0].TokenID
				// Not a leak yet: the placeholder stands for it
				// until the next run finds it.
				requirePendingPlaceholder(t, dir)
				t.Logf("fault=mint_orphan_unlistable/failed %s pending=1 (token %s, id unknown, kept as a placeholder)",
					tally(env, stateTokens(t, dir)), lost)
				env.Server.ClearFaults()
			},
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionReplace),
			}},
			Check: expectLedger(t, env, dir, "mint_orphan_unlistable/reapplied", ledger{Minted: 2, Revoked: 1, Live: 1, InState: 1, LiveInState: 1}),
		},
	}))
	if tok, _ := env.Server.Token(lost); !tok.Revoked {
		t.Fatalf("the lost token %s was never revoked", lost)
	}
}

// TestAccFaults_mintLostNothingCreated: a mint answered 500 that created
// nothing, and a clean-up that cannot list: the placeholder kept in state is
// dropped by the next run, with a warning, and a token is minted.
func TestAccFaults_mintLostNothingCreated(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	failListsAfterFirst(env, 500)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 500, Times: 2})
	cfg := providerWithRetries(env, 1) + `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "never-minted"
}
`
	resource.UnitTest(t, faultCase(env, dir, []resource.TestStep{
		{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Token Mint Outcome Unknown.*never-minted`),
		},
		{
			PreConfig: func() {
				requirePendingPlaceholder(t, dir)
				logLedger(t, env, dir, "mint_lost_nothing_created/failed")
				env.Server.ClearFaults()
			},
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				env.CheckLive(tokenAddr, acctest.ServiceAccount),
				expectLedger(t, env, dir, "mint_lost_nothing_created/reapplied", ledger{Minted: 1, Live: 1, InState: 1, LiveInState: 1}),
			),
		},
	}))
	if n := len(requestsOf(env, emulator.OpRevoke)); n != 1 { // the destroy's
		t.Fatalf("want only the destroy's revoke, got %d revokes", n)
	}
}

// requirePendingPlaceholder fails unless the state holds the token resource
// as a tainted placeholder with id "pending".
func requirePendingPlaceholder(t *testing.T, dir string) {
	t.Helper()
	for _, in := range stateTokenInstances(t, dir) {
		if in.id == "pending" && in.tainted {
			return
		}
	}
	t.Fatalf("no tainted placeholder with id \"pending\" in the state files under %s", dir)
}
