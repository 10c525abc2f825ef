package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// The admin token is taken from the `token` argument, then
// MOTHERDUCK_ADMIN_TOKEN, then MOTHERDUCK_TOKEN, then motherduck_token. Each
// step puts a rejected token in every place after the one that must win (so
// a wrong order fails with 401), or in the place that must win (so the error
// has to name that place).
func TestAccProvider_tokenPrecedence(t *testing.T) {
	env := acctest.NewEnv(t)
	good, bad := env.Server.AdminToken(), "rejected-token"
	t.Setenv("MOTHERDUCK_API_URL", env.URL)
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", "")
	t.Setenv("motherduck_token", "")
	setEnv := func(admin, token, duckdb string) func() {
		return func() {
			for k, v := range map[string]string{"MOTHERDUCK_ADMIN_TOKEN": admin, "MOTHERDUCK_TOKEN": token, "motherduck_token": duckdb} {
				t.Setenv(k, v)
			}
		}
	}
	withArgument := fmt.Sprintf("provider \"motherduck\" {\n  token = %q\n}\n", good) + plainTokenBody
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{ // the argument wins over every variable
				PreConfig:         setEnv(bad, bad, bad),
				Config:            withArgument,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // MOTHERDUCK_ADMIN_TOKEN wins over MOTHERDUCK_TOKEN and motherduck_token
				PreConfig:         setEnv(good, bad, bad),
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // and the error names it when it is the one rejected
				PreConfig:   setEnv(bad, good, good),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*MOTHERDUCK_ADMIN_TOKEN\s+environment\s+variable`),
			},
			{ // MOTHERDUCK_TOKEN wins over motherduck_token
				PreConfig:   setEnv("", bad, good),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*MOTHERDUCK_TOKEN\s+environment\s+variable`),
			},
			{ // motherduck_token is the last resort
				PreConfig:         setEnv("", "", good),
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
		},
	})
}
