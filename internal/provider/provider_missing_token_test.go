package provider_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccProvider_missingTokenOneErrorWithAProviderBlock: the provider's
// "Missing MotherDuck Token" is its only error. Terraform adds "Invalid
// provider configuration ... Add a provider block to the root module" to any
// error of a provider's configuration when the root module has no provider
// block for it (internal/terraform/node_provider.go, ConfigureProvider); the
// provider cannot tell a missing block from an empty one (both send the same
// all-null configuration). So the README says: an empty
// `provider "motherduck" {}` block is enough to be told only what is wrong.
// This test holds both halves, so a change on either side is noticed.
func TestAccProvider_missingTokenOneErrorWithAProviderBlock(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", "")
	t.Setenv("motherduck_token", "")
	t.Setenv("MOTHERDUCK_API_URL", env.URL)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	const body = `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "x"
}
`
	for _, tc := range []struct {
		name, config  string
		errors        int
		terraformNote bool
	}{
		{"empty provider block", "provider \"motherduck\" {}\n" + body, 1, false},
		{"no provider block", body, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli.Write(tc.config)
			code, out := cli.Run("plan", "-no-color", "-input=false")
			if code == 0 || !strings.Contains(out, "Error: Missing MotherDuck Token") {
				t.Fatalf("want Missing MotherDuck Token:\n%s", out)
			}
			if n := strings.Count(out, "Error: "); n != tc.errors {
				t.Errorf("%d errors, want %d:\n%s", n, tc.errors, out)
			}
			if got := strings.Contains(out, "Error: Invalid provider configuration"); got != tc.terraformNote {
				t.Errorf("Terraform's own note present: %t, want %t:\n%s", got, tc.terraformNote, out)
			}
		})
	}
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("no request may be made without a token; saw %d", n)
	}
}
