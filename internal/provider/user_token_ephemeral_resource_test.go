package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// Checks built from plain functions, for assertions that ask the emulator.
type (
	planCheckFunc  func(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse)
	stateCheckFunc func(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse)
)

func (f planCheckFunc) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	f(ctx, req, resp)
}

func (f stateCheckFunc) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	f(ctx, req, resp)
}

// ephemeralName is the name every ephemeral token of these tests is minted with.
const ephemeralName = "eph-run"

// consumerProvider is the local name of a second motherduck provider that
// authenticates with the ephemeral token.
//
// It is a provider of its own rather than an alias of "motherduck": in the
// harness every configuration of one provider name is served by the same
// in-process server (reattach), and the framework keeps only the data of the
// last ConfigureProvider call, so the aliased configuration would also become
// the one the ephemeral resource's Close uses. Real Terraform starts one
// plugin process per provider configuration, where an alias works.
const consumerProvider = "motherduckeph"

// ephemeralFactories are the emulator's provider factories plus the consumer.
func ephemeralFactories(env *acctest.Env) map[string]func() (tfprotov6.ProviderServer, error) {
	f := env.Factories()
	f[consumerProvider] = providerserver.NewProtocol6WithError(provider.NewWithOptions("test", provider.Options{
		Now: env.Server.Now, RetryBaseBackoff: 5 * time.Millisecond,
	})())
	return f
}

// ephemeralConfig mints an ephemeral token for the admin user and consumes it:
// a second provider authenticates with it and reads the admin's token list
// through the data source. extra goes into the ephemeral block.
func ephemeralConfig(env *acctest.Env, extra string) string {
	return env.Config(fmt.Sprintf(`
ephemeral "motherduck_user_token" "x" {
  username = %[1]q
  name     = %[2]q
%[3]s
}

provider %[4]q {
  token   = ephemeral.motherduck_user_token.x.token
  api_url = %[5]q
}

data "motherduck_user_tokens" "seen_by_eph" {
  provider = %[4]s
  username = %[1]q
}
`, emulator.DefaultAdminUsername, ephemeralName, extra, consumerProvider, env.URL))
}

// ephemeralTokens are the tokens the ephemeral resource minted, as the
// emulator recorded them.
func ephemeralTokens(env *acctest.Env) []emulator.Token {
	var out []emulator.Token
	for _, tok := range env.Server.AllTokens() {
		if tok.ViaAPI && tok.Name == ephemeralName {
			out = append(out, tok)
		}
	}
	return out
}

// checkEphemeralClosed asserts, in the emulator, that the ephemeral resource
// minted at least atLeast tokens, one per mint request, each of the user and
// lifetime wanted, and that every one of them is revoked again.
func checkEphemeralClosed(env *acctest.Env, atLeast int, life time.Duration) error {
	toks := ephemeralTokens(env)
	if len(toks) < atLeast {
		return fmt.Errorf("want at least %d ephemeral tokens minted, the emulator saw %d", atLeast, len(toks))
	}
	mints := 0
	for _, r := range env.Server.Requests() {
		if r.Op == emulator.OpMint && r.TokenName == ephemeralName {
			mints++
		}
	}
	if mints != len(toks) {
		return fmt.Errorf("%d mint requests but %d ephemeral tokens", mints, len(toks))
	}
	for _, tok := range toks {
		if tok.Username != emulator.DefaultAdminUsername {
			return fmt.Errorf("ephemeral token %s belongs to %q", tok.ID, tok.Username)
		}
		if !tok.Revoked {
			return fmt.Errorf("ephemeral token %s was not revoked when Terraform closed it", tok.ID)
		}
		if tok.ExpireAt == nil || tok.ExpireAt.Sub(tok.CreatedAt) != life {
			return fmt.Errorf("ephemeral token %s: want a lifetime of %s, got expire_at %v created %v", tok.ID, life, tok.ExpireAt, tok.CreatedAt)
		}
	}
	return nil
}

// secretsIn reports which emulator secrets appear in s.
func secretsIn(env *acctest.Env, s string, only func(emulator.Token) bool) []string {
	var found []string
	for _, tok := range env.Server.AllTokens() {
		if (only == nil || only(tok)) && tok.Secret != "" && strings.Contains(s, tok.Secret) {
			found = append(found, fmt.Sprintf("%s (%s)", tok.ID, tok.Name))
		}
	}
	return found
}

func isEphemeral(tok emulator.Token) bool { return tok.ViaAPI && tok.Name == ephemeralName }

// noEphemeralSecretIn is an error when the JSON form of v (what: "the plan",
// "the state") holds the secret of an ephemeral token.
func noEphemeralSecretIn(env *acctest.Env, what string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if found := secretsIn(env, string(raw), isEphemeral); len(found) > 0 {
		return fmt.Errorf("%s holds the secret of ephemeral tokens %v", what, found)
	}
	return nil
}

// noEphemeralInState checks the state as `terraform show -json` gives it:
// no ephemeral resource in it, and no secret of an ephemeral token anywhere.
func noEphemeralInState(env *acctest.Env) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
			resp.Error = fmt.Errorf("no state to check")
			return
		}
		for _, r := range req.State.Values.RootModule.Resources {
			if strings.HasPrefix(r.Address, "ephemeral.") || (r.Mode != tfjson.ManagedResourceMode && r.Mode != tfjson.DataResourceMode) {
				resp.Error = fmt.Errorf("state holds %s (mode %q)", r.Address, r.Mode)
				return
			}
		}
		resp.Error = noEphemeralSecretIn(env, "the state", req.State)
	})
}

// checkReadWithEphemeral asserts that the data source, read through the
// provider authenticated with the ephemeral token, listed that token: the
// read ran while it was open, and nothing but it authenticated the read.
func checkReadWithEphemeral(env *acctest.Env) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources["data.motherduck_user_tokens.seen_by_eph"]
		if !ok {
			return fmt.Errorf("the data source read through the ephemeral token is not in state")
		}
		eph := map[string]bool{}
		for _, tok := range ephemeralTokens(env) {
			eph[tok.ID] = true
		}
		for k, v := range rs.Primary.Attributes {
			if strings.HasSuffix(k, ".id") && eph[v] {
				return nil
			}
		}
		return fmt.Errorf("the admin's token list read through the ephemeral token does not show an ephemeral token")
	}
}

func TestAccUserTokenEphemeral_consumedAndRevoked(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := ephemeralConfig(env, "")
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: ephemeralFactories(env),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// After `plan`: the token it opened is revoked, and the plan
				// file does not hold its secret.
				planCheckFunc(func(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
					if err := checkEphemeralClosed(env, 1, time.Hour); err != nil {
						resp.Error = fmt.Errorf("after plan: %w", err)
						return
					}
					resp.Error = noEphemeralSecretIn(env, "the plan", req.Plan)
				}),
			}},
			ConfigStateChecks: []statecheck.StateCheck{noEphemeralInState(env)},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkReadWithEphemeral(env),
				// After `apply`: the plan's token and the apply's are all revoked.
				func(*terraform.State) error { return checkEphemeralClosed(env, 1, time.Hour) },
				func(s *terraform.State) error {
					if found := secretsIn(env, s.String(), isEphemeral); len(found) > 0 {
						return fmt.Errorf("the state holds the secret of ephemeral tokens %v", found)
					}
					return nil
				},
			),
		}},
	})
	// Every run the harness made after the last check (refresh, plan, destroy)
	// closed what it opened, too.
	if err := checkEphemeralClosed(env, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	t.Logf("the runs of this test minted and revoked %d ephemeral tokens", len(ephemeralTokens(env)))
}

func TestAccUserTokenEphemeral_configuredTTLAndType(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: ephemeralFactories(env),
		Steps: []resource.TestStep{
			{ // an explicit ttl replaces the one-hour default
				Config: ephemeralConfig(env, "  ttl = 900"),
				Check:  func(*terraform.State) error { return checkEphemeralClosed(env, 1, 15*time.Minute) },
			},
			{ // a read_scaling token cannot act as admin: the consumer is refused, so the token really is what authenticates it
				Config:      ephemeralConfig(env, "  ttl = 900\n  token_type = \"read_scaling\""),
				ExpectError: regexp.MustCompile(`(?i)organization Admin`),
			},
		},
	})
	// When a consumer fails during plan, Terraform 1.11 and OpenTofu 1.12 do
	// not call Close on the ephemeral resource (observed: no
	// CloseEphemeralResource RPC). The provider binary revokes it when
	// Terraform stops the process (TestAccUserTokenEphemeral_leftOpenByFailureRevoked);
	// this harness never stops its in-process provider, so here the token
	// left open lives until its ttl, 15 minutes after it was minted.
	var readScaling int
	for _, tok := range ephemeralTokens(env) {
		if tok.ExpireAt == nil || tok.ExpireAt.Sub(tok.CreatedAt) != 15*time.Minute {
			t.Errorf("ephemeral token %s: want a 15m lifetime, got expire_at %v created %v", tok.ID, tok.ExpireAt, tok.CreatedAt)
		}
		if tok.TokenType == emulator.TokenTypeReadScaling {
			readScaling++
			if !tok.Revoked {
				t.Logf("the CLI did not close read_scaling token %s after the failed plan; it expires at %s", tok.ID, tok.ExpireAt)
			}
			continue
		}
		if !tok.Revoked {
			t.Errorf("ephemeral token %s of a successful run was not revoked", tok.ID)
		}
	}
	if readScaling == 0 {
		t.Error("the failing step minted no read_scaling token")
	}
}

func TestAccUserTokenEphemeral_closeToleratesInvalidToken(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	// Once the consumer has read the list, revoke every open ephemeral token
	// behind Terraform's back: Close then meets a token that is already gone.
	env.Server.OnRequest(func(r emulator.Request) {
		if r.Op != emulator.OpList {
			return
		}
		for _, tok := range ephemeralTokens(env) {
			if !tok.Revoked {
				env.Server.RevokeToken(tok.Username, tok.ID)
			}
		}
	})
	t.Cleanup(func() { env.Server.OnRequest(nil) })
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: ephemeralFactories(env),
		Steps: []resource.TestStep{{
			Config: ephemeralConfig(env, ""),
			Check: func(*terraform.State) error {
				var statuses []int
				for _, r := range env.Server.Requests() {
					if r.Op == emulator.OpRevoke {
						statuses = append(statuses, r.Status)
					}
				}
				// The plan's token was revoked under it (404); a run that did not
				// read the list (apply reuses the planned data) closes a live
				// one (200). Both are a successful close.
				saw404 := false
				for _, st := range statuses {
					switch st {
					case 404:
						saw404 = true
					case 200:
					default:
						return fmt.Errorf("unexpected status closing an ephemeral token: %v", statuses)
					}
				}
				if !saw404 {
					return fmt.Errorf("no close met an already-invalid token; revoke statuses %v", statuses)
				}
				return checkEphemeralClosed(env, 1, time.Hour)
			},
		}},
	})
}

// Ephemeral tokens Terraform never closes
//
// When something that depends on an ephemeral token fails, Terraform (1.11)
// ends the run without calling Close on it. The provider process then revokes
// what it opened when it is stopped (main.go, shutdown.go). The in-process
// harness never stops its providers, so these tests run the real CLI with
// the provider binary built from this module (newLogRun: dev_overrides
// behind a wrapper that records each process started), one process per
// provider configuration, as Terraform runs it.

// ephemeralCLIConfig mints an ephemeral token of the admin and configures the
// alias motherduck.eph with it; body uses that alias.
func ephemeralCLIConfig(env *acctest.Env, providerExtra, body string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    motherduck = {
      source = "registry.terraform.io/duckops/motherduck"
    }
  }
}

provider "motherduck" {
  token   = %[1]q
  api_url = %[2]q
%[3]s
}

ephemeral "motherduck_user_token" "x" {
  username = %[4]q
  name     = %[5]q
}

provider "motherduck" {
  alias   = "eph"
  token   = ephemeral.motherduck_user_token.x.token
  api_url = %[2]q
}
%[6]s`, env.Server.AdminToken(), env.URL, providerExtra, emulator.DefaultAdminUsername, ephemeralName, body)
}

// skipBelowEphemeral skips a test on a CLI without ephemeral resources:
// Terraform before 1.10, OpenTofu before 1.11.
func skipBelowEphemeral(t *testing.T) {
	t.Helper()
	v, tofu := acctest.CLIVersion(t)
	cli, need := "Terraform", "1.10.0"
	if tofu {
		cli, need = "OpenTofu", "1.11.0"
	}
	if version.Must(version.NewVersion(v)).LessThan(version.Must(version.NewVersion(need))) {
		t.Skipf("ephemeral resources need %s %s or later; the CLI under test is %s", cli, need, v)
	}
}

// newEphemeralCLIRun builds the provider and writes config into a working
// directory the real CLI runs. It stops every provider process it started
// that is still running when the test ends.
func newEphemeralCLIRun(t *testing.T, env *acctest.Env, config string) *logRun {
	t.Helper()
	r := newLogRun(t, env, buildProvider(t))
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// Kill every provider process, until none has started for a moment: a
	// wrapper that starts during the cleanup would recreate its log files
	// while t.TempDir's cleanup removes the directory.
	t.Cleanup(func() {
		killed := map[int]bool{}
		for quiet, deadline := 0, time.Now().Add(10*time.Second); quiet < 5 && time.Now().Before(deadline); {
			quiet++
			for _, pid := range providerPIDs(r) {
				if !killed[pid] {
					killed[pid], quiet = true, 0
					if p, err := os.FindProcess(pid); err == nil {
						_ = p.Kill()
					}
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return r
}

// providerPIDs are the provider processes the run's CLI started so far.
func providerPIDs(r *logRun) []int {
	var pids []int
	for _, f := range strings.Fields(readFile(r.t, r.startsLog)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// startCLI starts one CLI command in the run's directory, with the log
// settings logEnv and no other, writing its output into out.
func startCLI(ctx context.Context, r *logRun, out io.Writer, logEnv []string, args ...string) *exec.Cmd {
	r.t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "-no-color", "-input=false")...)
	cmd.Dir = r.dir
	cmd.Env = r.cliEnv(logEnv)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return cmd
}

// runFailingCLI runs one CLI command that must fail, and returns its output.
func runFailingCLI(r *logRun, args ...string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := startCLI(ctx, r, &out, nil, args...).Wait(); err == nil {
		r.t.Fatalf("terraform %s succeeded; this test needs it to fail:\n%s", strings.Join(args, " "), out.String())
	}
	return out.String()
}

// liveEphemeral are the ephemeral tokens still valid in the emulator, and
// how many were minted in all.
func liveEphemeral(env *acctest.Env) (live []string, minted int) {
	for _, tok := range ephemeralTokens(env) {
		minted++
		if !tok.Revoked {
			live = append(live, tok.ID)
		}
	}
	return live, minted
}

// checkNoneLeftOpen fails the test unless at least minMinted ephemeral tokens
// were minted and none of them is still valid.
func checkNoneLeftOpen(t *testing.T, env *acctest.Env, minMinted int, output string) {
	t.Helper()
	live, minted := liveEphemeral(env)
	// A row of the fault table, as the fault tests log theirs.
	t.Logf("fault=ephemeral/%s minted=%d revoked=%d leaked=%d", t.Name(), minted, minted-len(live), len(live))
	if minted < minMinted {
		t.Fatalf("want at least %d ephemeral tokens minted, the emulator saw %d:\n%s", minMinted, minted, output)
	}
	if len(live) > 0 {
		t.Fatalf("%d of %d ephemeral tokens are still valid after the run: %v\n%s", len(live), minted, live, output)
	}
}

// TestAccUserTokenEphemeral_leftOpenByFailureRevoked: an ephemeral token
// configures an aliased provider whose resource (at apply) or data source (at
// plan) fails, so Terraform never closes it. The provider process that
// opened it revokes it when Terraform stops it: no ephemeral token is left
// valid after the failed run.
func TestAccUserTokenEphemeral_leftOpenByFailureRevoked(t *testing.T) {
	t.Parallel()
	skipBelowEphemeral(t)
	cases := []struct {
		name    string
		command []string
		body    string
		// minted: the failed apply opens the token at plan and at apply.
		minted int
	}{
		{"failed apply", []string{"apply", "-auto-approve"}, `
resource "motherduck_user_token" "fails" {
  provider = motherduck.eph
  username = "no_such_user"
  name     = "x"
}
`, 2},
		{"failed plan", []string{"plan"}, `
data "motherduck_user_tokens" "fails" {
  provider = motherduck.eph
  username = "no_such_user"
}
`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			r := newEphemeralCLIRun(t, env, ephemeralCLIConfig(env, "", tc.body))
			out := runFailingCLI(r, tc.command...)
			if !strings.Contains(out, "User Not Found") {
				t.Fatalf("terraform %s did not fail on the missing user:\n%s", tc.command[0], out)
			}
			checkNoneLeftOpen(t, env, tc.minted, out)
		})
	}
}

// TestAccUserTokenEphemeral_closeFailureReported: when the revocation at
// Close fails (503 twice, with max_retries = 1), the error names the token id
// (never its secret), says that it is still valid and how to invalidate it,
// and the provider tries again when Terraform stops it, which succeeds.
func TestAccUserTokenEphemeral_closeFailureReported(t *testing.T) {
	t.Parallel()
	skipBelowEphemeral(t)
	env := acctest.NewEnv(t)
	r := newEphemeralCLIRun(t, env, ephemeralCLIConfig(env, "  max_retries = 1", `
data "motherduck_user_tokens" "seen_by_eph" {
  provider = motherduck.eph
  username = "admin"
}
`))
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503, Times: 2})
	out := runFailingCLI(r, "plan")

	toks := ephemeralTokens(env)
	if len(toks) != 1 {
		t.Fatalf("want one ephemeral token minted by the plan, got %d:\n%s", len(toks), out)
	}
	tok := toks[0]
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Ephemeral Token Still Valid",
		fmt.Sprintf("Could not invalidate ephemeral token %s of user %q when Terraform closed it, so it can still be used until it expires at", tok.ID, tok.Username),
		"The provider tries again when Terraform stops it",
		fmt.Sprintf("DELETE /v1/users/%s/tokens/%s", tok.Username, tok.ID),
		"503",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan's output does not say %q:\n%s", want, out)
		}
	}
	if found := secretsIn(env, out, nil); len(found) > 0 {
		t.Errorf("the plan's output holds the secrets of %v", found)
	}
	var statuses []int
	for _, q := range env.Server.Requests() {
		if q.Op == emulator.OpRevoke && strings.HasSuffix(q.Path, "/"+tok.ID) {
			statuses = append(statuses, q.Status)
		}
	}
	// Close: the first attempt and its retry; then the shutdown's.
	if fmt.Sprint(statuses) != "[503 503 200]" {
		t.Errorf("revocations of %s answered %v, want [503 503 200]", tok.ID, statuses)
	}
	checkNoneLeftOpen(t, env, 1, out)
}

// openedLogEnv makes the provider log its own Info lines, and nothing of the
// SDK's, so that a test can see on its stderr when it opened a token.
var openedLogEnv = []string{"TF_LOG_PROVIDER_MOTHERDUCK=INFO", "TF_LOG_SDK=OFF", "TF_LOG_SDK_PROTO=OFF", "TF_LOG_SDK_FRAMEWORK=OFF"}

// planHangingOnEphemeral starts `terraform plan` of a configuration whose data
// source, read through the ephemeral token, hangs (a delayed list of svc_ci),
// and returns once the provider has opened that token: Terraform is then
// running and will not close it before the read ends.
func planHangingOnEphemeral(t *testing.T, env *acctest.Env, out *acctest.SyncBuffer) (*logRun, *exec.Cmd) {
	t.Helper()
	r := newEphemeralCLIRun(t, env, ephemeralCLIConfig(env, "", fmt.Sprintf(`
data "motherduck_user_tokens" "hangs" {
  provider = motherduck.eph
  username = %q
}
`, acctest.ServiceAccount)))
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Username: acctest.ServiceAccount, Kind: emulator.FaultDelay, Delay: 2 * time.Minute})
	cmd := startCLI(t.Context(), r, out, openedLogEnv, "plan")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(readFile(t, r.stderrLog), "opened ephemeral MotherDuck token") {
		if time.Now().After(deadline) {
			t.Fatalf("the plan did not open the ephemeral token in a minute:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return r, cmd
}

// waitNoneLeftOpen waits up to a minute for every ephemeral token to be
// revoked, then checks it.
func waitNoneLeftOpen(t *testing.T, env *acctest.Env, output func() string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for live, _ := liveEphemeral(env); len(live) > 0 && time.Now().Before(deadline); live, _ = liveEphemeral(env) {
		time.Sleep(100 * time.Millisecond)
	}
	checkNoneLeftOpen(t, env, 1, output())
}

// TestAccUserTokenEphemeral_runStopped: a run stopped while an ephemeral
// token is open (a data source read through it hangs) leaves no token valid:
//   - Ctrl-C, once or twice: Terraform stops the provider processes, which
//     revoke what they opened;
//   - Terraform killed outright (SIGKILL): go-plugin leaves the provider
//     processes running, orphaned; they notice, revoke and end;
//   - a SIGTERM to the provider processes (a CI runner or service manager
//     stopping the job): they revoke before they end.
func TestAccUserTokenEphemeral_runStopped(t *testing.T) {
	t.Parallel()
	skipBelowEphemeral(t)
	send := func(sig os.Signal, pids ...int) {
		for _, pid := range pids {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Signal(sig)
			}
		}
	}
	cases := []struct {
		name string
		stop func(r *logRun, terraform *os.Process)
	}{
		{"Ctrl-C", func(_ *logRun, tf *os.Process) { send(os.Interrupt, tf.Pid) }},
		{"Ctrl-C twice", func(_ *logRun, tf *os.Process) {
			send(os.Interrupt, tf.Pid)
			time.Sleep(100 * time.Millisecond)
			send(os.Interrupt, tf.Pid)
		}},
		{"Terraform killed", func(_ *logRun, tf *os.Process) { send(os.Kill, tf.Pid) }},
		{"provider processes terminated", func(r *logRun, _ *os.Process) { send(syscall.SIGTERM, providerPIDs(r)...) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			var out acctest.SyncBuffer // read while the CLI still writes it
			r, cmd := planHangingOnEphemeral(t, env, &out)
			tc.stop(r, cmd.Process)
			waitNoneLeftOpen(t, env, out.String)
			// Whether the CLI has ended by now is not the point (OpenTofu
			// 1.12 was seen to take a minute after its providers ended).
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
}
