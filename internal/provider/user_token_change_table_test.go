package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// tokenInputs are the arguments of one motherduck_user_token.
type tokenInputs struct {
	username, name, tokenType, description, keeper, rotateBefore, readTimeout string
	ttl                                                                       int
	keepPrevious                                                              bool
}

func (in tokenInputs) config(env *acctest.Env) string {
	return env.Config(fmt.Sprintf(`
resource "motherduck_user_token" "t" {
  username      = %q
  name          = %q
  ttl           = %d
  token_type    = %q
  description   = %q
  keepers       = { release = %q }
  rotate_before = %q
  keep_previous = %t
  timeouts {
    read = %q
  }
}
`, in.username, in.name, in.ttl, in.tokenType, in.description, in.keeper, in.rotateBefore, in.keepPrevious, in.readTimeout))
}

// TestAccUserToken_changeTableInDocs holds the provider to the README's and
// the resource page's table of what each change does: which changes replace
// the resource, which rotate the token in place, and which are updates in
// place that mint and invalidate nothing.
func TestAccUserToken_changeTableInDocs(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	in := tokenInputs{username: "svc_ci", name: "a", tokenType: "read_write", description: "d", keeper: "1",
		rotateBefore: "1h", readTimeout: "5m", ttl: 7200}
	var mints, revokes int
	// step applies change to the inputs and expects action, and that many
	// mints and invalidations from the apply.
	step := func(what string, change func(*tokenInputs), action plancheck.ResourceActionType, minted, revoked int) resource.TestStep {
		change(&in)
		return resource.TestStep{
			PreConfig: func() {
				t.Logf("change: %s", what)
				mints, revokes = env.Server.CountRequests(emulator.OpMint), env.Server.CountRequests(emulator.OpRevoke)
			},
			Config:           in.config(env),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenAddr, action)}},
			Check: func(*terraform.State) error {
				m, r := env.Server.CountRequests(emulator.OpMint)-mints, env.Server.CountRequests(emulator.OpRevoke)-revokes
				if m != minted || r != revoked {
					return fmt.Errorf("%s: the apply minted %d and invalidated %d tokens; want %d and %d", what, m, r, minted, revoked)
				}
				return nil
			},
		}
	}
	replace, update := plancheck.ResourceActionReplace, plancheck.ResourceActionUpdate
	steps := []resource.TestStep{{Config: in.config(env)}}
	steps = append(steps,
		// Without keep_previous.
		step("name", func(i *tokenInputs) { i.name = "b" }, replace, 1, 1),
		step("ttl", func(i *tokenInputs) { i.ttl = 7300 }, replace, 1, 1),
		step("token_type", func(i *tokenInputs) { i.tokenType = "read_scaling" }, replace, 1, 1),
		step("description", func(i *tokenInputs) { i.description = "e" }, replace, 1, 1),
		step("keepers", func(i *tokenInputs) { i.keeper = "2" }, replace, 1, 1),
		step("username", func(i *tokenInputs) { i.username = acctest.OtherServiceAccount }, replace, 1, 1),
		step("rotate_before", func(i *tokenInputs) { i.rotateBefore = "30m" }, update, 0, 0),
		step("timeouts", func(i *tokenInputs) { i.readTimeout = "6m" }, update, 0, 0),
		step("keep_previous on", func(i *tokenInputs) { i.keepPrevious = true }, update, 0, 0),
		// With keep_previous: the first rotation keeps the old token as
		// previous, each later one invalidates the previous one.
		step("name, keep_previous", func(i *tokenInputs) { i.name = "c" }, update, 1, 0),
		step("ttl, keep_previous", func(i *tokenInputs) { i.ttl = 7400 }, update, 1, 1),
		step("token_type, keep_previous", func(i *tokenInputs) { i.tokenType = "read_write" }, update, 1, 1),
		step("description, keep_previous", func(i *tokenInputs) { i.description = "f" }, update, 1, 1),
		step("keepers, keep_previous", func(i *tokenInputs) { i.keeper = "3" }, update, 1, 1),
		step("rotate_before, keep_previous", func(i *tokenInputs) { i.rotateBefore = "45m" }, update, 0, 0),
		step("timeouts, keep_previous", func(i *tokenInputs) { i.readTimeout = "7m" }, update, 0, 0),
		step("username, keep_previous", func(i *tokenInputs) { i.username = acctest.ServiceAccount }, replace, 1, 2),
		step("keepers again, keep_previous", func(i *tokenInputs) { i.keeper = "4" }, update, 1, 0),
		step("keep_previous off", func(i *tokenInputs) { i.keepPrevious = false }, update, 0, 1),
	)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens(acctest.ServiceAccount, acctest.OtherServiceAccount),
		Steps:                    steps,
	})
}
