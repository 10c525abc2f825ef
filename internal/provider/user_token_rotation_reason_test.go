package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccUserToken_rotationPlanSaysWhy: a plan that rotates a token says
// why, in a warning on the resource: the rotate_before window opening (with
// when it opened), a keepers change, an input change; with and without
// keep_previous. A plan that rotates nothing warns nothing.
func TestAccUserToken_rotationPlanSaysWhy(t *testing.T) {
	for _, keepPrevious := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep_previous=%t", keepPrevious), func(t *testing.T) {
			env := acctest.NewEnv(t)
			cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
			config := func(name, keeper string) string {
				return env.Config(fmt.Sprintf(`
resource "motherduck_user_token" "t" {
  username      = "svc_ci"
  name          = %q
  ttl           = 7200
  rotate_before = "1h"
  keep_previous = %t
  keepers       = { release = %q }
}
`, name, keepPrevious, keeper))
			}
			how := "It replaces the resource, and the current token is invalidated."
			if keepPrevious {
				how = "It rotates the token in place: the current token becomes `previous_token` and stays valid until the next rotation."
			}
			plan := func(want string) {
				t.Helper()
				out := cli.Must("plan", "-no-color", "-input=false")
				flat := oneLine(out)
				if want == "" {
					if strings.Contains(out, "Token Rotation Planned") {
						t.Fatalf("a plan that rotates nothing warns:\n%s", out)
					}
					return
				}
				if !strings.Contains(out, "Warning: Token Rotation Planned") || !strings.Contains(out, "with motherduck_user_token.t") {
					t.Fatalf("no rotation warning on the resource:\n%s", out)
				}
				if !regexp.MustCompile(want).MatchString(flat) || !strings.Contains(flat, how) {
					t.Fatalf("the warning does not say %q and %q:\n%s", want, how, out)
				}
			}

			cli.Write(config("ci", "v1"))
			cli.Must("apply", "-no-color", "-input=false", "-auto-approve")
			plan("")
			id := cli.State("motherduck_user_token.t")["id"].(string)
			expireAt, err := time.Parse(time.RFC3339, cli.State("motherduck_user_token.t")["expire_at"].(string))
			if err != nil {
				t.Fatal(err)
			}

			env.Server.Advance(61 * time.Minute)
			opened := expireAt.Add(-time.Hour).UTC().Format(time.RFC3339)
			plan(regexp.QuoteMeta(fmt.Sprintf(`This plan mints a new token for user "svc_ci" in place of token %s, because the `+
				`rotate_before window opened at %s (1h0m0s before the token expires at %s).`, id, opened, expireAt.UTC().Format(time.RFC3339))))
			cli.Must("apply", "-no-color", "-input=false", "-auto-approve")
			plan("")

			cli.Write(config("ci", "v2"))
			plan(`because keepers changed\.`)
			cli.Write(config("ci-2", "v3"))
			plan(`because keepers changed; name changed\.`)
			cli.Must("destroy", "-no-color", "-input=false", "-auto-approve")
		})
	}
}
