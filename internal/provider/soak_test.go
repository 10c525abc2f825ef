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
	// The brief's soak: faults on a fifth of the requests, retries high
	// enough that apply and destroy normally succeed at once.
	t.Run("rate20_retries10", func(t *testing.T) { soak(t, 20260101, 0.2, 10) })
	// A hostile one: with few retries steps do fail, so the invariant is
	// also checked after failed applies and destroys.
	t.Run("rate35_retries2", func(t *testing.T) { soak(t, 7, 0.35, 2) })
}

func soak(t *testing.T, seed int64, rate float64, retries int) {
	env := acctest.NewEnv(t)
	dir := t.TempDir()
	start := time.Now()

	faults := []emulator.Fault{
		{Kind: emulator.FaultStatus, Status: 429},
		{Kind: emulator.FaultStatus, Status: 503},
		{Kind: emulator.FaultDropBefore},
		{Kind: emulator.FaultDropAfter},
	}
	label := "soak"
	failures := 0
	applied, destroyed := false, false

	setLabel := func(phase string) func(int) {
		return func(try int) {
			label = fmt.Sprintf("soak/%s%d", phase, try)
			if try == 1 && phase == "apply" {
				env.Server.SetRandomFaults(seed, rate, faults)
			}
		}
	}
	name := func(phase string) func(int) string {
		return func(try int) string { return fmt.Sprintf("soak/%s%d", phase, try) }
	}

	steps := untilApplied(soakTries, soakConfig(env, retries), &applied, name("apply"), setLabel("apply"),
		func(l string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				got := checkLedger(t, env, dir, l)
				if got.InState != soakTokens || got.LiveInState != soakTokens || got.Live != soakTokens {
					return fmt.Errorf("after a successful apply want %d live tokens, all in state: %s", soakTokens, got)
				}
				return nil
			}
		})
	// An empty configuration destroys every token.
	steps = append(steps, untilApplied(soakTries, env.ProviderBlock(), &destroyed, name("destroy"), setLabel("destroy"),
		func(l string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				got := checkLedger(t, env, dir, l)
				if got.InState != 0 || got.Live != 0 {
					return fmt.Errorf("after a successful destroy want nothing live or in state: %s", got)
				}
				return nil
			}
		})...)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		WorkingDir:               dir,
		ErrorCheck:               tolerate(t, env, dir, &label, &failures),
		CheckDestroy:             checkNoLiveTokens(env, acctest.ServiceAccount, acctest.OtherServiceAccount),
		Steps:                    steps,
	})
	env.Server.ClearFaults()

	if !applied {
		t.Fatalf("no apply succeeded in %d tries", soakTries)
	}
	if !destroyed {
		t.Fatalf("no destroy succeeded in %d tries", soakTries)
	}

	faulted := map[string]int{}
	total := 0
	for _, r := range env.Server.Requests() {
		total++
		if r.Fault != "" {
			faulted[r.Op+":"+r.Fault]++
		}
	}
	l := checkLedger(t, env, dir, "soak/end")
	t.Logf("soak seed=%d rate=%.2f max_retries=%d: %d tokens, %d requests, faults injected %v, %d failed steps, %s",
		seed, rate, retries, soakTokens, total, faulted, failures, time.Since(start).Round(time.Millisecond))
	if l.Leaked != 0 || l.InState != 0 || l.Live != 0 || l.Revoked != l.Minted || l.Minted < soakTokens {
		t.Fatalf("at the end want zero leaked, nothing in state, every minted token revoked: %s", l)
	}
	if len(faulted) == 0 {
		t.Fatal("no fault was injected: the soak proved nothing")
	}
}
