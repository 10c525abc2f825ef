package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

type badInput struct {
	name string
	// attrs is the body of the resource (or, with provider set, of the
	// provider block after token and api_url).
	attrs    string
	provider bool
	// want matches the error: its attribute and what is wrong.
	want string
}

var long256 = strings.Repeat("a", 256)

// A token's arguments start with a valid username (withUser), or a valid
// username and name (withNames), or those and a ttl of an hour (withTTL); or
// they end with a valid name (andName).
const (
	withUser  = "username = \"svc_ci\"\n"
	withNames = withUser + "name = \"x\"\n"
	withTTL   = withNames + "ttl = 3600\n"
	andName   = "\nname = \"x\""
)

// badInputs covers every input of the provider and the resource. Each must
// fail during plan, on its attribute, before any API request.
var badInputs = []badInput{
	// username
	{"username empty", `username = ""` + andName, false, `username`},
	{"username slash", `username = "a/b"` + andName, false, `username[\s\S]*letters, digits`},
	{"username dot-dot", `username = ".."` + andName, false, `username[\s\S]*relative path`},
	{"username dot", `username = "."` + andName, false, `username[\s\S]*relative path`},
	{"username question mark", `username = "a?b"` + andName, false, `username`},
	{"username hash", `username = "a#b"` + andName, false, `username`},
	{"username percent", `username = "a%b"` + andName, false, `username`},
	{"username leading space", `username = " svc_ci"` + andName, false, `username[\s\S]*white space`},
	{"username trailing space", `username = "svc_ci "` + andName, false, `username[\s\S]*white space`},
	{"username zero-width space", `username = "svc\u200bci"` + andName, false, `username`},
	{"username too long", fmt.Sprintf(`username = %q`, long256) + andName, false, `username[\s\S]*at most 255`},
	{"username wrong type", `username = ["svc_ci"]` + andName, false, `username`},
	{"username missing", `name = "x"`, false, `username`},
	// name
	{"name empty", withUser + `name = ""`, false, `name[\s\S]*must not be empty`},
	{"name too long", withUser + fmt.Sprintf(`name = %q`, long256), false, `name[\s\S]*at most 255`},
	{"name reserved extension", withUser + `name = "MotherDuck Extension"`, false, `name[\s\S]*reserved`},
	{"name reserved flights", withUser + `name = "MotherDuck Flights"`, false, `name[\s\S]*reserved`},
	{"name leading space", withUser + `name = " ci"`, false, `name[\s\S]*white space`},
	{"name trailing space", withUser + `name = "ci "`, false, `name[\s\S]*white space`},
	{"name control character", withUser + `name = "ci\u0007"`, false, `name[\s\S]*control`},
	{"name too long in unicode", withUser + fmt.Sprintf(`name = %q`, strings.Repeat("é", 256)), false, `name[\s\S]*at most 255`},
	{"name too long in emoji", withUser + fmt.Sprintf(`name = %q`, strings.Repeat("🦆", 128)), false, `name[\s\S]*at most 255[\s\S]*got 256`},
	// ttl
	{"ttl below minimum", withNames + `ttl = 299`, false, `ttl[\s\S]*300`},
	{"ttl above maximum", withNames + `ttl = 31536001`, false, `ttl[\s\S]*31536000`},
	{"ttl zero", withNames + `ttl = 0`, false, `ttl`},
	{"ttl negative", withNames + `ttl = -300`, false, `ttl`},
	{"ttl fractional", withNames + `ttl = 300.5`, false, `ttl must be a whole\s+number\s+of\s+seconds`},
	{"ttl not a number", withNames + `ttl = "an hour"`, false, `ttl|number`},
	// token_type
	{"token_type unknown", withNames + `token_type = "admin"`, false, `token_type[\s\S]*read_write`},
	{"token_type wrong case", withNames + `token_type = "READ_WRITE"`, false, `token_type`},
	{"token_type empty", withNames + `token_type = ""`, false, `token_type`},
	// description
	{"description empty", withNames + `description = ""`, false, `description`},
	{"description too long", withNames + fmt.Sprintf(`description = %q`, strings.Repeat("d", 1001)), false, `description`},
	{"description too long with an emoji", withNames + fmt.Sprintf(`description = %q`, strings.Repeat("d", 999)+"🦆"), false,
		`description[\s\S]*an\s+emoji\s+counts\s+two\);\s+got\s+1001`},
	{"description leading space", withNames + `description = " ci"`, false, `description[\s\S]*white\s+space`},
	{"description trailing space", withNames + `description = "ci "`, false, `description[\s\S]*white\s+space`},
	// rotate_before
	{"rotate_before not a duration", withTTL + `rotate_before = "soon"`, false, `rotate_before|duration`},
	{"rotate_before without ttl", withNames + `rotate_before = "1h"`, false, `rotate_before[\s\S]*ttl`},
	{"rotate_before longer than ttl", withTTL + `rotate_before = "2h"`, false, `rotate_before[\s\S]*shorter`},
	{"rotate_before negative", withTTL + `rotate_before = "-1h"`, false, `rotate_before`},
	{"rotate_before under a second", withTTL + `rotate_before = "500ms"`, false, `rotate_before must be at\s+least\s+1s,\s+got\s+500ms`},
	// timeouts
	{"timeouts create negative", withNames + "timeouts {\n  create = \"-5m\"\n}", false, `timeouts.create must be a positive duration[\s\S]*"-5m"`},
	{"timeouts delete zero", withNames + "timeouts {\n  delete = \"0s\"\n}", false, `timeouts.delete must be a positive duration`},
	// keepers and unknown arguments
	{"keepers wrong type", withNames + `keepers = "v1"`, false, `keepers`},
	{"unknown argument", withNames + `secret = "y"`, false, `secret`},
	// provider
	{"api_url ftp", `api_url_override = "ftp://example.com"`, true, `api_url[\s\S]*https`},
	{"api_url plain http to a remote host", `api_url_override = "http://api.example.com"`, true, `api_url[\s\S]*loopback`},
	{"api_url plain http to a private address", `api_url_override = "http://10.0.0.1"`, true, `api_url[\s\S]*loopback`},
	{"api_url without scheme", `api_url_override = "api.motherduck.com"`, true, `api_url[\s\S]*absolute`},
	{"api_url without host", `api_url_override = "https://"`, true, `api_url`},
	{"api_url not a url", `api_url_override = "%zz"`, true, `api_url`},
	{"api_url with credentials", `api_url_override = "https://user:pw@api.motherduck.com"`, true, `api_url[\s\S]*user`},
	{"api_url with a path", `api_url_override = "http://localhost:8080/v1"`, true, `api_url[\s\S]*without a path[\s\S]*"/v1"`},
	{"api_url with a deeper path", `api_url_override = "https://api.motherduck.com/v1/"`, true, `api_url[\s\S]*without a path`},
	{"api_url with query", `api_url_override = "https://api.motherduck.com/?x=1"`, true, `api_url[\s\S]*query`},
	{"token empty", `token_override = ""`, true, `token`},
	{"token surrounded by space", `token_override = " abc "`, true, `token[\s\S]*white space`},
	{"request_timeout not a duration", `request_timeout = "fast"`, true, `request_timeout|duration`},
	{"request_timeout too short", `request_timeout = "1ms"`, true, `request_timeout`},
	{"request_timeout too long", `request_timeout = "1h"`, true, `request_timeout`},
	{"max_retries negative", `max_retries = -1`, true, `max_retries`},
	{"max_retries too many", `max_retries = 11`, true, `max_retries`},
}

// TestAccBadInput_failsAtPlanWithoutRequests runs every bad input through
// `terraform plan` and checks that the emulator saw no request at all.
func TestAccBadInput_failsAtPlanWithoutRequests(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	steps := make([]resource.TestStep, 0, len(badInputs))
	for _, in := range badInputs {
		var cfg string
		if in.provider {
			cfg = providerWith(env, in.attrs) + "resource \"motherduck_user_token\" \"t\" {\n  username = \"svc_ci\"\n  name = \"x\"\n}\n"
		} else {
			cfg = env.Config("resource \"motherduck_user_token\" \"t\" {\n" + in.attrs + "\n}\n")
		}
		steps = append(steps, resource.TestStep{
			Config:      cfg,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(in.want),
			PreConfig:   func() { t.Logf("bad input: %s", in.name) },
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.Factories(), Steps: steps})
	if reqs := env.Server.Requests(); len(reqs) != 0 {
		t.Fatalf("bad input must be refused before any API request; the emulator saw %d, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}

// providerWith writes a provider block; token_override and api_url_override
// replace the working values.
func providerWith(env *acctest.Env, attrs string) string {
	token := fmt.Sprintf("token = %q", env.Server.AdminToken())
	apiURL := fmt.Sprintf("api_url = %q", env.URL)
	var rest []string
	for _, line := range strings.Split(attrs, "\n") {
		switch {
		case strings.HasPrefix(line, "token_override"):
			token = "token" + strings.TrimPrefix(line, "token_override")
		case strings.HasPrefix(line, "api_url_override"):
			apiURL = "api_url" + strings.TrimPrefix(line, "api_url_override")
		default:
			rest = append(rest, line)
		}
	}
	return fmt.Sprintf("provider \"motherduck\" {\n  %s\n  %s\n  %s\n}\n", token, apiURL, strings.Join(rest, "\n  "))
}
