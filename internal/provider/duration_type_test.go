package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccDuration_notADurationIsOneErrorOnTheAttribute: a duration that does
// not parse (rotate_before, request_timeout) fails the plan with one error,
// on its attribute, in plain words: no literal "\n\n", no "Given Value",
// no bare Go error; and before any API request.
func TestAccDuration_notADurationIsOneErrorOnTheAttribute(t *testing.T) {
	env := acctest.NewEnv(t)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	for _, tc := range []struct {
		name, config, line, want string
	}{
		{"rotate_before", env.Config(`
resource "motherduck_user_token" "t" {
  username      = "svc_ci"
  name          = "x"
  ttl           = 3600
  rotate_before = "soon"
}
`), `rotate_before = "soon"`, `rotate_before must be a duration: a number followed by a unit (h, m, s or ms), or several, such as "168h", "30m" or "1h30m"; got "soon".`},
		{"request_timeout", fmt.Sprintf("provider \"motherduck\" {\n  token           = %q\n  api_url         = %q\n  request_timeout = \"fast\"\n}\n",
			env.Server.AdminToken(), env.URL) + `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "x"
}
`, `request_timeout = "fast"`, `request_timeout must be a duration: a number followed by a unit (h, m, s or ms), or several, such as "168h", "30m" or "1h30m"; got "fast".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli.Write(tc.config)
			code, out := cli.Run("plan", "-no-color", "-input=false")
			if code == 0 {
				t.Fatalf("the plan succeeded:\n%s", out)
			}
			if n := strings.Count(out, "Error: "); n != 1 {
				t.Errorf("want one error, got %d:\n%s", n, out)
			}
			if !strings.Contains(out, "Error: Invalid Duration") || !strings.Contains(out, tc.line) {
				t.Errorf("want the error Invalid Duration on the line %s:\n%s", tc.line, out)
			}
			if !strings.Contains(oneLine(out), tc.want) {
				t.Errorf("the error does not say %q:\n%s", tc.want, out)
			}
			for _, wrong := range []string{`\n`, "Given Value", "time: invalid duration"} {
				if strings.Contains(out, wrong) {
					t.Errorf("the error holds %q:\n%s", wrong, out)
				}
			}
		})
	}
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("a bad duration must be refused before any request; saw %d", n)
	}
}
