package provider_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

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
