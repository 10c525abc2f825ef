package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// The admin token is taken from the `token` argument, then
// MOTHERDUCK_ADMIN_TOKEN, then MOTHERDUCK_TOKEN, then motherduck_token, then
// MOTHERDUCK_API_TOKEN (the community provider's name). Each
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
	t.Setenv("MOTHERDUCK_API_TOKEN", "")
	setEnv := func(admin, token, duckdb, api string) func() {
		return func() {
			for k, v := range map[string]string{"MOTHERDUCK_ADMIN_TOKEN": admin, "MOTHERDUCK_TOKEN": token, "motherduck_token": duckdb,
				"MOTHERDUCK_API_TOKEN": api} {
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
				PreConfig:         setEnv(bad, bad, bad, bad),
				Config:            withArgument,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // MOTHERDUCK_ADMIN_TOKEN wins over MOTHERDUCK_TOKEN, motherduck_token and MOTHERDUCK_API_TOKEN
				PreConfig:         setEnv(good, bad, bad, bad),
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // and the error names it when it is the one rejected
				PreConfig:   setEnv(bad, good, good, good),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*MOTHERDUCK_ADMIN_TOKEN\s+environment\s+variable`),
			},
			{ // MOTHERDUCK_TOKEN wins over motherduck_token and MOTHERDUCK_API_TOKEN
				PreConfig:   setEnv("", bad, good, good),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*MOTHERDUCK_TOKEN\s+environment\s+variable`),
			},
			{ // motherduck_token wins over MOTHERDUCK_API_TOKEN
				PreConfig:   setEnv("", "", bad, good),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*motherduck_token\s+environment\s+variable`),
			},
			{ // MOTHERDUCK_API_TOKEN is read last: the error names it when it is rejected
				PreConfig:   setEnv("", "", "", bad),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)401.*MOTHERDUCK_API_TOKEN\s+environment\s+variable`),
			},
			{ // MOTHERDUCK_API_TOKEN works alone (and lets the test's destroy run)
				PreConfig:         setEnv("", "", "", good),
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
		},
	})
}

// TestAccProvider_environmentLineBreakIgnored: a line break at the end of
// an environment variable (as a file or $(...) leaves) is not part of the
// token or the URL.
func TestAccProvider_environmentLineBreakIgnored(t *testing.T) {
	env := acctest.NewEnv(t)
	good := env.Server.AdminToken()
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", good+"\n")
	t.Setenv("motherduck_token", "")
	t.Setenv("MOTHERDUCK_API_URL", env.URL+"\r\n")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{ // MOTHERDUCK_TOKEN and MOTHERDUCK_API_URL
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // motherduck_token, with a CRLF line end
				PreConfig: func() {
					t.Setenv("MOTHERDUCK_TOKEN", "")
					t.Setenv("motherduck_token", good+"\r\n")
				},
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
		},
	})
}

// TestAccProvider_badTokenCharacterNamesItsSource: a token with white space
// or a control character inside is reported on the token's source (the
// argument or the variable it came from), never as an API URL problem and
// never with its value, and before any request.
func TestAccProvider_badTokenCharacterNamesItsSource(t *testing.T) {
	env := acctest.NewEnv(t)
	const secret = "md_badSECRETbadSECRET"
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("motherduck_token", "")
	t.Setenv("MOTHERDUCK_API_URL", env.URL)
	for _, tc := range []struct {
		name, envToken, config, want string
	}{
		{"variable with a space", secret + " tail", plainTokenBody,
			`Invalid MotherDuck Token .*The token from the MOTHERDUCK_TOKEN environment variable is not usable: the token contains white space\. A MotherDuck token is one line of printable characters`},
		{"variable with a line break inside", secret + "\ntail", plainTokenBody,
			`Invalid MotherDuck Token .*The token from the MOTHERDUCK_TOKEN environment variable is not usable: the token contains a line break\. A MotherDuck token is one line of printable characters`},
		{"argument with a tab", "", fmt.Sprintf("provider \"motherduck\" {\n  token = %q\n}\n", secret+"\ttail") + plainTokenBody,
			"Invalid MotherDuck Token .*The token from the provider's `token` argument is not usable: the token contains white space"},
		{"argument with a control character", "", "provider \"motherduck\" {\n  token = \"" + secret + "\\u0001tail\"\n}\n" + plainTokenBody,
			"Invalid MotherDuck Token .*The token from the provider's `token` argument is not usable: the token contains a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("MOTHERDUCK_TOKEN", tc.envToken)
			got := oneLine(planError(t, env, tc.config))
			if !regexp.MustCompile(tc.want).MatchString(got) {
				t.Errorf("the error does not match %q:\n%s", tc.want, got)
			}
			// Where the bad character is and how long the token is are
			// facts about the secret: neither is told.
			if regexp.MustCompile(`character \d+|\d+ of \d+|\b(21|22|26)\b`).MatchString(got) {
				t.Errorf("the error tells a position or a length:\n%s", got)
			}
			for _, wrong := range []string{"API URL", "api_url", "badSECRET"} {
				if strings.Contains(got, wrong) {
					t.Errorf("the error says %q:\n%s", wrong, got)
				}
			}
		})
	}
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("a bad token must be refused before any request; saw %d", n)
	}
}

// The API URL is taken from the `api_url` argument, then MOTHERDUCK_API_URL,
// then MOTHERDUCK_API_BASE_URL (the other MotherDuck providers' name). The
// loser in each step is a URL the provider refuses before any request (plain
// http to a host that is not loopback), so a wrong order fails naming it.
func TestAccProvider_apiURLPrecedence(t *testing.T) {
	env := acctest.NewEnv(t)
	const refused = "http://api.example.com"
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("MOTHERDUCK_TOKEN", env.Server.AdminToken())
	setEnv := func(apiURL, baseURL string) func() {
		return func() {
			t.Setenv("MOTHERDUCK_API_URL", apiURL)
			t.Setenv("MOTHERDUCK_API_BASE_URL", baseURL)
		}
	}
	setEnv("", "")()
	withArgument := fmt.Sprintf("provider \"motherduck\" {\n  api_url = %q\n}\n", env.URL) + plainTokenBody
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{ // the argument wins over both variables
				PreConfig:         setEnv(refused, refused),
				Config:            withArgument,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // MOTHERDUCK_API_URL wins over MOTHERDUCK_API_BASE_URL
				PreConfig:         setEnv(env.URL, refused),
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // and the error names it when it is the one refused
				PreConfig:   setEnv(refused, env.URL),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)Invalid MotherDuck API URL.*MOTHERDUCK_API_URL\s+environment\s+variable.*loopback`),
			},
			{ // MOTHERDUCK_API_BASE_URL when MOTHERDUCK_API_URL is not set: the error names it when it is refused
				PreConfig:   setEnv("", refused),
				Config:      plainTokenBody,
				ExpectError: regexp.MustCompile(`(?s)Invalid MotherDuck API URL.*MOTHERDUCK_API_BASE_URL\s+environment\s+variable.*loopback`),
			},
			{ // MOTHERDUCK_API_BASE_URL works alone (and lets the test's destroy run)
				PreConfig:         setEnv("", env.URL),
				Config:            plainTokenBody,
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
		},
	})
}
