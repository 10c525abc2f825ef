package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// policyConfig is a provider block with a token_policy block holding policy,
// followed by body.
func policyConfig(env *acctest.Env, policy, body string) string {
	return fmt.Sprintf("provider \"motherduck\" {\n  token   = %q\n  api_url = %q\n  token_policy {\n%s\n  }\n}\n%s",
		env.Server.AdminToken(), env.URL, policy, body)
}

func policyToken(attrs string) string {
	return fmt.Sprintf("resource \"motherduck_user_token\" \"t\" {\n  username = \"svc_ci\"\n  name     = \"policed\"\n%s\n}\n", attrs)
}

// policyBreaches: each way a token can breach the policy. want matches the
// error: the policy's attribute and the token's, and, when the token sets
// the attribute, the configuration line the error is attached to (Terraform
// prints it before the detail).
var policyBreaches = []struct {
	name, policy, token, want string
}{
	{"ttl above max_ttl", "max_ttl = 86400", "ttl = 604800",
		`Token Policy Violation.*with motherduck_user_token.t.*: ttl = 604800 token_policy.max_ttl is 86400 seconds; ttl = 604800 exceeds it. Set ttl to 86400 or less.`},
	{"no ttl under max_ttl", "max_ttl = 86400", "",
		`Token Policy Violation.*token_policy.max_ttl is 86400 seconds; this token sets no ttl, so it would never expire, which exceeds it. Set ttl, in seconds \(from 300 to 86400\)`},
	{"no ttl under require_ttl", "require_ttl = true", "",
		`Token Policy Violation.*token_policy.require_ttl is true; this token sets no ttl, so it would never expire. Set ttl, in seconds \(from 300 to 31536000\)`},
	{"no ttl under both", "require_ttl = true\nmax_ttl = 3600", "",
		`token_policy.require_ttl is true; this token sets no ttl.*token_policy.max_ttl is 3600 seconds; this token sets no ttl`},
	{"token_type not allowed", `allowed_token_types = ["read_scaling"]`, "ttl = 3600\ntoken_type = \"read_write\"",
		`Token Policy Violation.*with motherduck_user_token.t.*: token_type = "read_write" token_policy.allowed_token_types is \["read_scaling"\]; token_type = "read_write" is not in it. Set token_type to "read_scaling".`},
	{"default token_type not allowed", `allowed_token_types = ["read_scaling"]`, "ttl = 3600",
		`token_policy.allowed_token_types is \["read_scaling"\]; token_type = "read_write" \(the default when token_type is unset\) is not in it`},
}

// Every breach of token_policy fails the plan of a new token, naming the
// policy's attribute and the token's, before any API request.
func TestAccTokenPolicy_breachFailsAtPlan(t *testing.T) {
	for _, tc := range policyBreaches {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				Steps: []resource.TestStep{{
					Config:      policyConfig(env, tc.policy, policyToken(tc.token)),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(oneLineRegexp(tc.want)),
				}},
			})
			if n := len(env.Server.Requests()); n != 0 {
				t.Fatalf("a token breaching the policy made %d API requests at plan; want 0", n)
			}
		})
	}
}

// oneLineRegexp lets want match Terraform's error output, which wraps lines
// and frames them: every space in want matches any run of white space and
// the frame's "│".
func oneLineRegexp(want string) string {
	return "(?s)" + regexp.MustCompile(` +`).ReplaceAllString(want, `[\s│]+`)
}

// The policy block itself is checked at plan, before any request.
func TestAccTokenPolicy_invalidPolicy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ policy, want string }{
		{"max_ttl = 299", `Invalid Token Lifetime.*token_policy.max_ttl must be from 300`},
		{"max_ttl = 31536001", `Invalid Token Lifetime.*token_policy.max_ttl must be from 300 \(5 minutes\) to 31536000`},
		{"max_ttl = 3600.5", `token_policy.max_ttl must be a whole number of seconds`},
		{"allowed_token_types = []", `token_policy.allowed_token_types.*at least 1`},
		{`allowed_token_types = ["admin"]`, `token_policy.allowed_token_types.*"read_write".*"read_scaling".*"admin"`},
		{"", `Empty Token Policy.*sets nothing`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      policyConfig(env, tc.policy, policyToken("ttl = 3600")),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(oneLineRegexp(tc.want)),
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.Factories(), Steps: steps})
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("an invalid policy made %d API requests; want 0", n)
	}
}

// A token that meets the policy is minted, and plans clean after. A change
// of an existing token that would breach it fails at plan without writing
// anything; destroying the token is never blocked by the policy.
func TestAccTokenPolicy_compliantTokenApplies(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const policy = "max_ttl = 86400\nrequire_ttl = true\nallowed_token_types = [\"read_write\"]"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{
				Config:            policyConfig(env, policy, policyToken("ttl = 86400")),
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{
				Config:            policyConfig(env, policy, policyToken("ttl = 86400")),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci")},
			},
			{ // the existing token, changed to breach the policy: refused, nothing minted or revoked
				PreConfig:   env.Server.ResetRequests,
				Config:      policyConfig(env, policy, policyToken("ttl = 86401")),
				ExpectError: regexp.MustCompile(oneLineRegexp(`token_policy.max_ttl is 86400 seconds; ttl = 86401 exceeds it`)),
			},
			{ // the post-test destroy runs with this configuration, which breaches the policy
				PreConfig: func() {
					if err := env.CheckNoTokenWrites("a plan breaching the policy")(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:      policyConfig(env, policy, policyToken("")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(oneLineRegexp(`token_policy.require_ttl is true`)),
			},
		},
	})
	if mints, revokes := env.Server.CountRequests(emulator.OpMint), env.Server.CountRequests(emulator.OpRevoke); mints != 0 || revokes != 1 {
		t.Fatalf("after the refused plans, want only the destroy's revoke; saw %d mints and %d revokes", mints, revokes)
	}
}

// The ephemeral token is checked when Terraform opens it, during plan, before
// its mint: the one-hour default ttl counts as its ttl.
func TestAccTokenPolicy_ephemeralToken(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	ephemeral := func(attrs string) string {
		return fmt.Sprintf("ephemeral \"motherduck_user_token\" \"x\" {\n  username = %q\n  name     = %q\n%s\n}\n",
			emulator.DefaultAdminUsername, ephemeralName, attrs)
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config:   policyConfig(env, "max_ttl = 1800", ephemeral("")),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(oneLineRegexp(
					`Token Policy Violation.*token_policy.max_ttl is 1800 seconds; ttl = 3600 \(the default when ttl is unset\) exceeds it`)),
			},
			{
				Config:      policyConfig(env, `allowed_token_types = ["read_scaling"]`, ephemeral("  ttl = 900\n  token_type = \"read_write\"")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(oneLineRegexp(`token_policy.allowed_token_types is \["read_scaling"\]; token_type = "read_write" is not in it`)),
			},
			{
				PreConfig: func() {
					if n := len(env.Server.Requests()); n != 0 {
						t.Fatalf("an ephemeral token breaching the policy made %d API requests; want 0", n)
					}
				},
				Config: policyConfig(env, "max_ttl = 1800\nallowed_token_types = [\"read_write\"]", ephemeral("  ttl = 900")),
				Check: func(*terraform.State) error {
					return checkEphemeralClosed(env, 1, 15*time.Minute)
				},
			},
		},
	})
}

// A policy that is not known while planning (it depends on a resource not
// created yet) cannot be checked then: the plan passes. Terraform plans the
// token again during apply, with the policy known, and the breach stops it
// there, before the mint. One unknown element of allowed_token_types makes
// the whole set unknown: the known ones alone would refuse a type the
// unknown one may allow.
func TestAccTokenPolicy_unknownAtPlanEnforcedBeforeMint(t *testing.T) {
	for _, tc := range []struct{ name, input, policy, token, want string }{
		{"max_ttl", "3600", "max_ttl = terraform_data.limit.output", "ttl = 7200",
			`token_policy.max_ttl is 3600 seconds; ttl = 7200 exceeds it`},
		{"allowed_token_types", `"read_scaling"`, `allowed_token_types = ["read_scaling", terraform_data.limit.output]`,
			"ttl = 3600\ntoken_type = \"read_write\"", `token_policy.allowed_token_types is \["read_scaling"\]; token_type = "read_write" is not in it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			config := fmt.Sprintf("resource \"terraform_data\" \"limit\" {\n  input = %s\n}\n", tc.input) +
				policyConfig(env, tc.policy, policyToken(tc.token))
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				Steps: []resource.TestStep{
					{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
					{Config: config, ExpectError: regexp.MustCompile(oneLineRegexp(tc.want))},
				},
			})
			if n := env.Server.CountRequests(emulator.OpMint); n != 0 {
				t.Fatalf("a token breaching the policy known at apply was minted (%d mint requests)", n)
			}
		})
	}
}

// A token minted before the policy and breaching it is kept (a warning, not an
// error): the plan goes through, and so does destroy, whose refresh plans
// every token first.
func TestAccTokenPolicy_existingTokenDoesNotBlockDestroy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{
			{Config: policyConfig(env, "max_ttl = 604800", policyToken("ttl = 604800"))},
			{
				// The policy narrows: the existing token breaches it and is kept.
				Config:           policyConfig(env, "max_ttl = 86400", policyToken("ttl = 604800")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// The post-test destroy runs with this configuration.
		},
	})
}
