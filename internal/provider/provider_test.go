package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

const plainTokenBody = `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "env"
}
`

// These tests change the process environment, so they do not run in parallel.

func TestAccProvider_environmentFallback(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", "")
	t.Setenv("motherduck_token", env.Server.AdminToken()) // the name DuckDB uses
	t.Setenv("MOTHERDUCK_API_TOKEN", "")
	t.Setenv("MOTHERDUCK_API_URL", env.URL)
	mintsLiveToken(t, env, plainTokenBody)
}

func TestAccProvider_missingToken(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", "")
	t.Setenv("motherduck_token", "")
	t.Setenv("MOTHERDUCK_API_TOKEN", "")
	t.Setenv("MOTHERDUCK_API_URL", env.URL)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:      plainTokenBody,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing MotherDuck Token.*token.*MOTHERDUCK_TOKEN.*MOTHERDUCK_API_TOKEN`),
		}},
	})
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("no request may be made without a token; saw %d", n)
	}
}

func TestAccProvider_badEnvironmentURL(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_TOKEN", env.Server.AdminToken())
	t.Setenv("MOTHERDUCK_API_URL", "http://api.example.com")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:      plainTokenBody,
			ExpectError: regexp.MustCompile(`(?s)MOTHERDUCK_API_URL.*loopback`),
		}},
	})
}

// TestAccProvider_environmentURLWithPath: MOTHERDUCK_API_URL with a path is
// refused, naming the variable, before any request (every call would go to
// /v1/v1/... otherwise).
func TestAccProvider_environmentURLWithPath(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_TOKEN", env.Server.AdminToken())
	t.Setenv("MOTHERDUCK_API_URL", env.URL+"/v1")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:      plainTokenBody,
			ExpectError: regexp.MustCompile(`(?s)Invalid MotherDuck API URL.*MOTHERDUCK_API_URL.*without\s+a\s+path`),
		}},
	})
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("a URL with a path must be refused before any request; saw %d", n)
	}
}

func TestAccProvider_rejectedCredentialsNameTheirSource(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", "not-a-valid-token")
	t.Setenv("MOTHERDUCK_API_URL", env.URL)
	member := env.Server.UserTokenSecret("svc_reporting")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*MOTHERDUCK_TOKEN environment variable`),
			},
			{ // a valid token without the Admin role
				Config:      fmt.Sprintf("provider \"motherduck\" {\n  token = %q\n}\n", member) + plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)403.*organization Admin role`),
			},
			{ // a user that does not exist
				Config: fmt.Sprintf("provider \"motherduck\" {\n  token = %q\n}\n", env.Server.AdminToken()) + `
resource "motherduck_user_token" "t" {
  username = "nobody_here"
  name     = "x"
}`,
				ExpectError: regexp.MustCompile(`(?s)User Not Found.*nobody_here`),
			},
		},
	})
	for _, tok := range env.Server.AllTokens() {
		if tok.ViaAPI {
			t.Fatalf("no token may be minted with rejected credentials; found %s", tok.ID)
		}
	}
}

// A provider whose token comes from a resource not created yet is configured
// with an unknown value during plan: the plan must succeed and the apply,
// where the value is known, must mint the token.
func TestAccProvider_unknownConfigurationAtPlan(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := fmt.Sprintf(`
resource "terraform_data" "admin_token" {
  input = %q
}

provider "motherduck" {
  alias   = "late"
  token   = terraform_data.admin_token.output
  api_url = %q
}

resource "motherduck_user_token" "t" {
  provider = motherduck.late
  username = "svc_ci"
  name     = "late"
}
`, env.Server.AdminToken(), env.URL)
	mintsLiveToken(t, env, cfg)
}

// mintsLiveToken applies cfg, which declares tokenAddr for svc_ci, and
// expects its token to be live; after the destroy no token of svc_ci is.
func mintsLiveToken(t *testing.T, env *acctest.Env, cfg string) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{{
			Config:            cfg,
			ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
		}},
	})
}
