package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const (
	soakTokens = 60
	soakTries  = 5
)

// soakConfig declares soakTokens tokens spread over both service accounts,
// with retries high enough that a 20% fault rate rarely exhausts them.
func soakConfig(env *acctest.Env, retries int) string {
	// count rather than for_each: the framework's legacy state shim, which
	// Check functions need, does not support for_each keys.
	return providerWithRetries(env, retries) + fmt.Sprintf(`
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
		}
	}
	steps := untilApplied(p.tries, soakConfig(env, p.retries), &applied, name("apply"), setLabel("apply"),
		func(l string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				got := run.ledger(l, false)
				if got.InState != soakTokens || got.LiveInState != soakTokens || got.Live != soakTokens+got.reported {
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
