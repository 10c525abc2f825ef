package provider_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// TestAccFaults_concurrentRunsSameNames: two workspaces (two Terraform runs,
// two provider processes) mint tokens with the same names for the same user
// at the same time, against one API. Every mint of run A fails in a way that
// leaves its outcome unknown (the first answers 429 until run B has minted,
// then the token is committed and the answer lost), so A's clean-up lists
// the user and finds B's tokens of the same names among the tokens it does
// not know. It must revoke only its own lost tokens: B's were created
// outside the window of A's failed requests. At the end every token in
// either state is live and nothing leaked.
func TestAccFaults_concurrentRunsSameNames(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetRealTimeClock(true)
	const tokens = 3
	const userAgentA, userAgentB = "motherduck/run-a", "motherduck/run-b"

	// Run A's mints answer 429 until B has minted all its tokens (Retry-After
	// 5s: ten retries give run B about 50s to mint on a loaded machine, inside
	// the one-minute limit of one call); then the clock moves a minute on (A's
	// retry comes later than B's mints, without waiting for it) and A's next
	// mints commit and lose their answers.
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, UserAgent: userAgentA, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "5"})
	aStarted := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	mintedByB := 0
	env.Server.OnRequest(func(r emulator.Request) {
		if r.Op != emulator.OpMint {
			return
		}
		switch {
		case r.Fault == string(emulator.FaultStatus):
			once.Do(func() { close(aStarted) })
		case r.Fault == "" && r.HandledStatus == 200:
			mu.Lock()
			defer mu.Unlock()
			if mintedByB++; mintedByB == tokens {
				env.Server.ClearFaults()
				env.Server.Advance(time.Minute)
				env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, UserAgent: userAgentA, Kind: emulator.FaultDropAfter, Times: tokens})
			}
		}
	})

	cfg := func(retries int) string {
		return fmt.Sprintf(`
provider "motherduck" {
  token       = %q
  api_url     = %q
  max_retries = %d
}
resource "motherduck_user_token" "t" {
  count    = %d
  username = "svc_ci"
  name     = "shared-${count.index}"
}
`, env.Server.AdminToken(), env.URL, retries, tokens)
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	// Both runs check the invariant once both have applied, before either
	// destroys. A run that ends without applying releases the other.
	applied := map[string]chan struct{}{"A": make(chan struct{}), "B": make(chan struct{})}
	ended := map[string]chan struct{}{"A": make(chan struct{}), "B": make(chan struct{})}
	other := map[string]string{"A": "B", "B": "A"}
	checked := make(chan struct{})
	var checkOnce sync.Once
	invariant := func(t testing.TB, side string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			close(applied[side])
			select {
			case <-applied[other[side]]:
			case <-ended[other[side]]:
				return fmt.Errorf("run %s: run %s ended without applying", side, other[side])
			case <-time.After(3 * time.Minute):
				return fmt.Errorf("run %s: run %s never applied", side, other[side])
			}
			var err error
			checkOnce.Do(func() {
				defer close(checked)
				inState := stateTokens(t, dirA)
				for id, tok := range stateTokens(t, dirB) {
					inState[id] = tok
				}
				l := tally(env, inState)
				t.Logf("fault=concurrent_runs_same_names %s (run A's %d lost mints revoked)", l, l.Revoked)
				if l.Leaked != 0 || l.InState != 2*tokens || l.LiveInState != 2*tokens || len(l.stale) != 0 || len(l.problems) != 0 {
					err = fmt.Errorf("want all %d tokens of both states live and nothing leaked: %s %v %v", 2*tokens, l, l.stale, l.problems)
				}
				if l.Minted != 3*tokens || l.Revoked != tokens {
					err = fmt.Errorf("want %d minted (A's lost ones revoked), got %s", 3*tokens, l)
				}
			})
			<-checked
			return err
		}
	}

	// The two runs go on in goroutines of their own rather than as parallel
	// subtests: run B must start while run A waits, whatever -parallel
	// allows and whatever other tests hold the slots.
	var runs sync.WaitGroup
	run := func(side string, c resource.TestCase, before func()) {
		runs.Add(1)
		go func() {
			defer runs.Done()
			defer close(ended[side])
			rt := runT{T: t, side: side}
			if before != nil {
				before()
			}
			c.Steps[0].Check = invariant(rt, side)
			resource.UnitTest(rt, c)
		}()
	}
	run("A", resource.TestCase{
		ProtoV6ProviderFactories: env.FactoriesAs("run-a"),
		WorkingDir:               dirA,
		Steps:                    []resource.TestStep{{Config: cfg(10)}},
	}, nil)
	run("B", resource.TestCase{
		ProtoV6ProviderFactories: env.FactoriesAs("run-b"),
		WorkingDir:               dirB,
		Steps:                    []resource.TestStep{{Config: cfg(2)}},
	}, func() {
		select {
		case <-aStarted:
		case <-time.After(2 * time.Minute):
			t.Error("run A never tried to mint")
		}
	})
	runs.Wait()
	for _, r := range requestsOf(env, emulator.OpMint) {
		if r.Fault == string(emulator.FaultDropAfter) && env.Server.TokenState(r.TokenID) != "revoked" {
			t.Errorf("run A's lost token %s is %s", r.TokenID, env.Server.TokenState(r.TokenID))
		}
	}
	if l := tally(env, nil); l.Live != 0 {
		t.Errorf("after both destroys: %s", l)
	}
}

// runT is the *testing.T of a terraform-plugin-testing run that goes on in a
// goroutine of its own: FailNow, Fatal and Skip fail the test and end that
// goroutine (a skipped run is a failure, never a pass).
type runT struct {
	*testing.T
	side string
}

func (r runT) Name() string { return r.T.Name() + "_run_" + r.side }
func (r runT) Parallel()    {}
func (r runT) FailNow()     { r.T.Fail(); runtime.Goexit() }
func (r runT) Fatal(args ...any) {
	r.T.Error(append([]any{"run " + r.side + ":"}, args...)...)
	runtime.Goexit()
}
func (r runT) Fatalf(format string, args ...any) {
	r.T.Errorf("run "+r.side+": "+format, args...)
	runtime.Goexit()
}
func (r runT) SkipNow() { r.Fatal("skipped") }
func (r runT) Skip(args ...any) {
	r.Fatal(append([]any{"skipped:"}, args...)...)
}
func (r runT) Skipf(format string, args ...any) { r.Fatalf("skipped: "+format, args...) }

const (
	soakTokens = 60
	soakTries  = 5
)

// soakConfig declares soakTokens tokens spread over both service accounts,
// with retries high enough that a 20% fault rate rarely exhausts them.
func soakConfig(env *acctest.Env, retries int) string {
	// count rather than for_each: the framework's legacy state shim, which
	// Check functions need, does not support for_each keys.
	return fmt.Sprintf("provider \"motherduck\" {\n  token           = %q\n  api_url         = %q\n  max_retries     = %d\n  request_timeout = \"1s\"\n}\n",
		env.Server.AdminToken(), env.URL, retries) + fmt.Sprintf(`
resource "motherduck_user_token" "soak" {
  count    = %d
  username = count.index %% 2 == 0 ? %q : %q
  name     = format("soak-%%02d", count.index)
}
`, soakTokens, acctest.ServiceAccount, acctest.OtherServiceAccount)
}

// TestAccSoak_randomFaults applies and destroys soakTokens tokens while the
// emulator fails a share of all requests at random (429, 503, connections
// dropped before or after the operation). Apply and destroy are each tried
// until they succeed; after every step, failed or not, every token minted
// through the API must be in state or revoked.
func TestAccSoak_randomFaults(t *testing.T) {
	t.Parallel()
	// Faults on a fifth of the requests, retries high enough that apply
	// and destroy normally succeed at once: nothing may leak.
	t.Run("rate20_retries10", func(t *testing.T) {
		soak(t, soakParams{seed: 20260101, rate: 0.2, retries: 10, tries: soakTries})
	})
	// A hostile run: with few retries steps do fail, so the invariant is
	// also checked after failed applies and destroys. A mint whose answer
	// is lost while the clean-up cannot even list the user's tokens leaves
	// a token nobody knows the id of; that is allowed only when an error
	// named its user and name to the operator ("Token Mint Outcome
	// Unknown"), and it is counted apart.
	t.Run("rate35_retries2", func(t *testing.T) {
		soak(t, soakParams{seed: 7, rate: 0.35, retries: 2, tries: 8, allowReported: true})
	})
}

type soakParams struct {
	seed          int64
	rate          float64
	retries       int  // the provider's max_retries
	tries         int  // applies (and destroys) tried before giving up
	allowReported bool // see faultRun.allowReported
}

func soak(t *testing.T, p soakParams) {
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	start := time.Now()
	run := &faultRun{t: t, env: env, dir: dir, label: "soak", allowReported: p.allowReported}

	faults := []emulator.Fault{
		{Kind: emulator.FaultStatus, Status: 429},
		{Kind: emulator.FaultStatus, Status: 503},
		{Kind: emulator.FaultDropBefore},
		{Kind: emulator.FaultDropAfter},
		// The safety core's faults: a mint answered with another token type,
		// and a write the API carries out after the provider stopped
		// waiting (request_timeout is 1s in soakConfig).
		{Op: emulator.OpMint, Kind: emulator.FaultMismatch},
		{Op: emulator.OpMint, Kind: emulator.FaultCommitLate, Delay: 1500 * time.Millisecond},
	}
	applied, destroyed := false, false
	name := func(phase string) func(int) string {
		return func(try int) string { return fmt.Sprintf("soak/%s%d", phase, try) }
	}
	setLabel := func(phase string) func(int) {
		return func(try int) {
			run.label = name(phase)(try)
			if try == 1 && phase == "apply" {
				env.Server.SetRandomFaults(p.seed, p.rate, faults)
			}
			if try > 1 {
				// Between tries the API's clock moves past the window in
				// which a mint whose answer was lost could still commit, as
				// an operator's rerun after the error's stated time would;
				// first the late commits of the last try land (1.5s).
				time.Sleep(2 * time.Second)
				env.Server.Advance(11 * time.Minute)
			}
		}
	}
	steps := untilApplied(p.tries, soakConfig(env, p.retries), &applied, name("apply"), setLabel("apply"),
		func(l string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				got := run.ledger(l, false)
				if got.InState != soakTokens || got.LiveInState != soakTokens || got.Live != soakTokens+got.reported+got.OnRecord {
					return fmt.Errorf("after a successful apply want %d live tokens, all in state: %s", soakTokens, got)
				}
				return nil
			}
		})
	// An empty configuration destroys every token.
	steps = append(steps, untilApplied(p.tries, env.ProviderBlock(), &destroyed, name("destroy"), setLabel("destroy"),
		func(l string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				got := run.ledger(l, false)
				if got.InState != 0 || got.Live != got.reported {
					return fmt.Errorf("after a successful destroy want nothing live or in state: %s", got)
				}
				return nil
			}
		})...)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		ErrorCheck:               run.errorCheck,
		Steps:                    steps,
	})
	env.Server.ClearFaults()

	if !applied {
		t.Fatalf("no apply succeeded in %d tries", p.tries)
	}
	if !destroyed {
		t.Fatalf("no destroy succeeded in %d tries", p.tries)
	}

	faulted := map[string]int{}
	total := 0
	for _, r := range env.Server.Requests() {
		total++
		if r.Fault != "" {
			faulted[r.Op+":"+r.Fault]++
		}
	}
	l := run.ledger("soak/end", false)
	reported := l.reported
	t.Logf("soak seed=%d rate=%.2f max_retries=%d: %d tokens, %d requests, faults injected %v, %d failed steps, "+
		"%d live tokens reported by an error and not in state, %s",
		p.seed, p.rate, p.retries, soakTokens, total, faulted, run.failures, reported, time.Since(start).Round(time.Millisecond))
	if l.Leaked != reported || l.InState != 0 || l.Live != reported || l.Revoked+reported != l.Minted || l.Minted < soakTokens {
		t.Fatalf("at the end want nothing in state and every minted token revoked (but for %d reported): %s", reported, l)
	}
	if len(faulted) == 0 {
		t.Fatal("no fault was injected: the soak proved nothing")
	}
}
