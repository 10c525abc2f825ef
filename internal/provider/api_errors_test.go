package provider_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// planError runs `terraform plan` on config through the CLI and returns the
// error it printed; the test fails when the plan succeeds.
func planError(t *testing.T, env *acctest.Env, config string) string {
	t.Helper()
	var got string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		ErrorCheck: func(err error) error {
			got = err.Error()
			return nil
		},
		Steps: []resource.TestStep{{Config: config, PlanOnly: true}},
	})
	if got == "" {
		t.Fatal("the plan succeeded; want an error")
	}
	return got
}

// oneLine undoes the CLI's line wrapping, for matching phrases.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

const readTokensOfSvcCI = `
data "motherduck_user_tokens" "all" {
  username = "svc_ci"
}
`

// TestAccAPIErrors_hungAPI: an API that takes every request and never
// answers is given up on within the call's time limit, and the error says
// how long was spent over how many attempts and what to check, instead of
// advising to raise timeouts.
func TestAccAPIErrors_hungAPI(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDelay, Delay: time.Hour})
	got := oneLine(planError(t, env, providerWith(env, "request_timeout = \"1s\"\nmax_retries = 2")+readTokensOfSvcCI))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`MotherDuck API Not Responding`),
		regexp.MustCompile(`the MotherDuck API did not answer after [23] attempts over [0-9.]+s\.`),
		regexp.MustCompile(`Check the network, that api_url points at the MotherDuck API, and MotherDuck's status page`),
	} {
		if !want.MatchString(got) {
			t.Errorf("the error does not match %q:\n%s", want, got)
		}
	}
	for _, wrong := range []string{"Raise", "raise", "request_timeout"} {
		if strings.Contains(got, wrong) {
			t.Errorf("the error advises %q:\n%s", wrong, got)
		}
	}
	if n := len(requestsOf(env, emulator.OpList)); n < 2 || n > 3 {
		t.Errorf("%d list requests; want 2 or 3 within the 3s the call may take", n)
	}
}

// TestAccAPIErrors_detailIsOneSentence: an API error's detail ends with one
// sentence naming the cause, which neither starts with "Error:" (read as a
// second error under -no-color) nor repeats the API's message.
func TestAccAPIErrors_detailIsOneSentence(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	got := planError(t, env, env.Config(`
data "motherduck_user_tokens" "all" {
  username = "nobody_here"
}
`))
	var headers int
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Error:") {
			headers++
		}
	}
	if headers != 1 {
		t.Errorf("%d lines start with \"Error:\"; want only the diagnostic's own:\n%s", headers, got)
	}
	flat := oneLine(got)
	if !regexp.MustCompile(`Cause: list tokens: HTTP 404 NOT_FOUND from GET http://127\.0\.0\.1:\d+/v1/users/nobody_here/tokens: user not found\.$`).MatchString(flat) {
		t.Errorf("the detail does not end with the cause as one sentence:\n%s", got)
	}
	if n := strings.Count(flat, "user not found"); n != 1 {
		t.Errorf("the API's message appears %d times:\n%s", n, got)
	}
}

// TestAccAPIErrors_unusableAnswer: a 2xx answer whose body cannot be used
// is reported as such, saying what was wrong with it, and not as an
// unreachable API (the network worked); the body itself is never echoed.
func TestAccAPIErrors_unusableAnswer(t *testing.T) {
	t.Parallel()
	const bodySecret = "md_bodySECRETbodySECRETbody01"
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", "<html>sign in " + bodySecret + "</html>", "body is not the expected JSON object"},
		{"missing field", `{"tokens":[{"name":"` + bodySecret + `"}]}`, `token 0: missing field "id"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			config := fmt.Sprintf("provider \"motherduck\" {\n  token   = %q\n  api_url = %q\n}\n", env.Server.AdminToken(), srv.URL) + readTokensOfSvcCI
			got := oneLine(planError(t, env, config))
			for _, want := range []string{"Unusable Answer from the MotherDuck API", "answered HTTP 200", tc.want, "check that api_url points at the MotherDuck API"} {
				if !strings.Contains(got, want) {
					t.Errorf("the error does not say %q:\n%s", want, got)
				}
			}
			for _, wrong := range []string{"Unreachable", "network and", bodySecret, "sign in"} {
				if strings.Contains(got, wrong) {
					t.Errorf("the error says %q:\n%s", wrong, got)
				}
			}
		})
	}
}

// TestAccAPIErrors_routeNotFoundNamesTheURL: a plain-text 404 (no route, as
// a wrong api_url gets) names the URL that was called and points at
// api_url, instead of reading as a missing user.
func TestAccAPIErrors_routeNotFoundNamesTheURL(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 404, PlainText: true})
	got := oneLine(planError(t, env, env.Config(readTokensOfSvcCI)))
	for _, want := range []string{
		"MotherDuck API Route Not Found",
		"GET " + env.URL + "/v1/users/svc_ci/tokens answered a plain 404 Not Found",
		"Check that api_url is the root URL of the MotherDuck API, such as https://api.motherduck.com, without a path.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the error does not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "User Not Found") || strings.Contains(got, env.Server.AdminToken()) {
		t.Errorf("the error reads as a missing user or shows the token:\n%s", got)
	}
}

// TestAccUserToken_mintRefusalsNameTheirCauses: a 403 on a mint names both
// causes the API gives it for (no Admin role, or another human user as the
// target), and a 404 says only that the user does not exist.
func TestAccUserToken_mintRefusalsNameTheirCauses(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.AddHumanUser("alice", false)
	body := func(user string) string {
		return env.Config(fmt.Sprintf("resource \"motherduck_user_token\" \"t\" {\n  username = %q\n  name = \"x\"\n}\n", user))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: body("alice"),
				ExpectError: regexp.MustCompile(`(?s)403\s+Forbidden.*organization\s+Admin\s+role.*"alice"\s+is\s+another\s+human\s+user.*` +
					`only\s+for\s+their\s+own\s+user\s+and\s+for\s+the\s+organization's\s+service\s+accounts`),
			},
			{
				Config:      body("nobody_here"),
				ExpectError: regexp.MustCompile(`(?s)User Not Found.*"nobody_here"\s+does\s+not\s+exist\s+in\s+the\s+organization\.\s+Check\s+the\s+username`),
			},
		},
	})
}
