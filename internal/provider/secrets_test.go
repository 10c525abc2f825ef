package provider_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Where logs go when the provider is served in-process:
//
//   - terraform-plugin-testing runs the CLI through terraform-exec, which
//     strips TF_LOG, TF_LOG_PATH, TF_LOG_CORE and TF_LOG_PROVIDER from the
//     environment it passes on. The CLI logs only when TF_ACC_LOG_PATH (or
//     TF_LOG_PATH_MASK) is set: then at TRACE (or TF_ACC_LOG, TF_LOG_CORE,
//     TF_LOG_PROVIDER) into that file.
//   - The provider runs in the test process; its tflog output goes to the
//     terraform-plugin-log test sink, which reads TF_LOG and TF_LOG_PATH of
//     the test process, overridden by TF_ACC_LOG_PATH (level TRACE) and then
//     TF_LOG_PATH_MASK.
//
// So under plugin-testing, TF_ACC_LOG_PATH puts both logs (and the testing
// framework's own) into one file; TestAccSecrets_pluginTesting does that.
// TestAccSecrets_cliOutput drives the CLI itself, to see its stdout and
// stderr too and to keep the two logs apart: TF_LOG/TF_LOG_PATH for the CLI
// in its environment, TF_LOG/TF_LOG_PATH of the test process for the
// provider's sink.

// secretSet is every secret that must never be printed or logged.
type secretSet map[string]string // secret -> what it is

func (s secretSet) add(secret, what string) {
	if secret == "" {
		return
	}
	s[secret] = what
	// A secret with its md_ prefix cut off is still the secret.
	if body, ok := strings.CutPrefix(secret, "md_"); ok && len(body) >= 16 {
		s[body] = what + " (without its md_ prefix)"
	}
}

// emulatorSecrets returns the admin token and the secret of every token the
// emulator ever minted (seeded, API-minted, revoked), plus extra.
func emulatorSecrets(env *acctest.Env, extra map[string]string) secretSet {
	s := secretSet{}
	s.add(env.Server.AdminToken(), "the provider's admin token")
	for _, tok := range env.Server.AllTokens() {
		s.add(tok.Secret, fmt.Sprintf("the secret of token %s (%s of %s)", tok.ID, tok.Name, tok.Username))
	}
	for secret, what := range extra {
		s.add(secret, what)
	}
	return s
}

// bearerRe finds an Authorization header value that is not redacted.
var bearerRe = regexp.MustCompile(`(?i)bearer\s+([A-Za-z0-9_\-\.]{12,})`)

// findLeaks reports every secret (and every bearer credential) found in text.
func findLeaks(secrets secretSet, where, text string) []string {
	var out []string
	for secret, what := range secrets {
		if i := strings.Index(text, secret); i >= 0 {
			out = append(out, fmt.Sprintf("%s: %s at byte %d: %q", where, what, i, excerpt(text, i, secret)))
		}
	}
	for _, m := range bearerRe.FindAllStringSubmatch(text, -1) {
		if !strings.Contains(m[1], "REDACTED") {
			out = append(out, fmt.Sprintf("%s: a bearer credential: %q", where, m[0][:min(len(m[0]), 16)]+"..."))
		}
	}
	return out
}

// excerpt shows the context of a leak with the secret itself masked, so a
// failing test does not print it either.
func excerpt(text string, i int, secret string) string {
	from, to := max(0, i-60), min(len(text), i+len(secret)+60)
	return strings.ReplaceAll(text[from:to], secret, "<SECRET>")
}

// requireMarkers fails the test unless text holds every marker, so that an
// empty or truncated log cannot pass a leak check.
func requireMarkers(t *testing.T, where, text string, markers ...string) {
	t.Helper()
	if strings.TrimSpace(text) == "" {
		t.Fatalf("%s is empty", where)
	}
	for _, m := range markers {
		if !strings.Contains(text, m) {
			t.Errorf("%s (%d bytes) does not contain %q", where, len(text), m)
		}
	}
}

func wrongToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "wrongtoken-" + hex.EncodeToString(b)
}

func secretsConfig(env *acctest.Env, token string) string {
	return fmt.Sprintf(`provider "motherduck" {
  token   = %q
  api_url = %q
}

resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "secret-keeper"
}
`, token, env.URL)
}

// TestAccSecrets_pluginTesting runs apply, plan, import, a failing apply
// and destroy through plugin-testing, with faults on the way, and checks
// that no secret reaches the combined CLI and provider log or an error,
// while state holds the minted secret.
func TestAccSecrets_pluginTesting(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")
	env := acctest.NewEnv(t)
	wrong := wrongToken(t)
	cfg := secretsConfig(env, env.Server.AdminToken())

	var id string
	var errTexts []string
	rejected, refusedSpace := false, false
	stateSecretIs := func() statecheck.StateCheck {
		return statecheck.ExpectKnownValue("motherduck_user_token.t", tfjsonpath.New("token"), knownvalue.StringFunc(func(v string) error {
			tok, ok := env.Server.Token(id)
			if !ok {
				return fmt.Errorf("the emulator has no token %q", id)
			}
			if v == "" || v != tok.Secret {
				return errors.New("the token attribute in state is not the secret the emulator minted")
			}
			return nil
		}))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		// Only the failing apply below may fail: its error text is checked
		// for secrets here, where plugin-testing hands it over whole.
		ErrorCheck: func(err error) error {
			errTexts = append(errTexts, err.Error())
			switch {
			case regexp.MustCompile(`(?s)MotherDuck Rejected the Credentials.*401`).MatchString(err.Error()):
				rejected = true
			case regexp.MustCompile(`(?s)Invalid Value.*token\s+must\s+not\s+start\s+or\s+end\s+with\s+white\s+space`).MatchString(err.Error()):
				refusedSpace = true
			default:
				return err
			}
			return nil
		},
		CheckDestroy: env.CheckNoLiveTokens(acctest.ServiceAccount),
		Steps: []resource.TestStep{
			{ // apply through a 503 on the list and a 429 on the mint
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 503, Times: 1})
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 429, Times: 1})
				},
				Config:            cfg,
				Check:             acctest.StateID(tokenAddr, &id),
				ConfigStateChecks: []statecheck.StateCheck{env.ExpectLive(tokenAddr, "svc_ci"), stateSecretIs(), statecheck.ExpectSensitiveValue(tokenAddr, tfjsonpath.New("token"))},
			},
			{ // plan: the refresh meets a 503 and a dropped connection
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 503, Times: 1})
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDropBefore, Times: 1})
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				ResourceName:            tokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc:       func(*terraform.State) (string, error) { return "svc_ci/" + id, nil },
			},
			{ // a wrong admin token: 401, and the error must not show it
				Config: secretsConfig(env, wrong) + `
resource "motherduck_user_token" "second" {
  username = "svc_ci"
  name     = "never-minted"
}
`,
			},
			{ // the right token with a trailing space, as pasted: refused
				// without showing the configuration line that holds it
				Config: secretsConfig(env, env.Server.AdminToken()+" "),
			},
			{ // back to the right token: nothing to change, the secret is still in state
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{stateSecretIs()},
				PostApplyFunc: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503, Times: 1})
				},
			},
		},
	})
	if !rejected || !refusedSpace {
		t.Fatalf("want the wrong token refused with a 401 (%v) and the spaced token refused (%v); errors: %d", rejected, refusedSpace, len(errTexts))
	}
	if tok, _ := env.Server.Token(id); !tok.Revoked {
		t.Fatalf("destroy did not revoke %s", id)
	}

	secrets := emulatorSecrets(env, map[string]string{wrong: "the wrong admin token"})
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	// plugin-testing logs each step's configuration (provider block and
	// admin token included) under sdk.helper_resource: that is the test
	// harness echoing the test's own input, not the CLI or the provider.
	log, harness := splitHarnessRecords(string(raw))
	requireMarkers(t, "the log (TF_ACC_LOG_PATH)", log,
		cliVersionMarker(t),                   // the CLI
		"minted MotherDuck token",             // the provider, on create
		id,                                    // the token id is logged, its secret is not
		"motherduck api call failed",          // a warning of a retried call
		"invalidated MotherDuck token",        // the provider, on destroy
		"motherduck api request",              // the client's debug events
		"MotherDuck Rejected the Credentials", // the failing apply
	)
	// Positive control: the harness records hold the admin token, so the
	// search does find a secret in this file when one is there.
	if len(findLeaks(secretSet{env.Server.AdminToken(): "admin"}, "harness", harness)) == 0 {
		t.Fatal("the leak search did not find the admin token in the harness's own records, which hold it")
	}
	var leaks []string
	leaks = append(leaks, findLeaks(secrets, "log", log)...)
	for i, e := range errTexts {
		leaks = append(leaks, findLeaks(secrets, fmt.Sprintf("error %d", i+1), e)...)
	}
	for _, l := range leaks {
		t.Error("secret leaked: " + l)
	}
	t.Logf("secrets: log %d bytes (%d of them plugin-testing's own records, not searched), %d error texts, %d secrets looked for, %d leaks",
		len(raw), len(harness), len(errTexts), len(secrets), len(leaks))
}

// logRecordRe matches the first line of an hclog record.
var logRecordRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\S+ \[[A-Z]+\]\s+`)

// splitHarnessRecords splits a log into the records of the CLI and the
// provider, and those of plugin-testing's own sdk.helper_resource logger.
func splitHarnessRecords(log string) (rest, harness string) {
	var r, h strings.Builder
	inHarness := false
	for _, line := range strings.SplitAfter(log, "\n") {
		if loc := logRecordRe.FindStringIndex(line); loc != nil {
			inHarness = strings.HasPrefix(line[loc[1]:], "sdk.helper_resource:")
		}
		if inHarness {
			h.WriteString(line)
		} else {
			r.WriteString(line)
		}
	}
	return r.String(), h.String()
}

// cliVersionMarker is how the CLI under test logs its version at start-up.
func cliVersionMarker(t *testing.T) string {
	if _, tofu := acctest.CLIVersion(t); tofu {
		return "OpenTofu version: "
	}
	return "Terraform version: "
}

// reattachProviderAddr is the address the CLI under test gives the
// provider: a provider without a source lives on registry.opentofu.org for
// OpenTofu. TF_ACC_PROVIDER_HOST, which plugin-testing honours, wins.
func reattachProviderAddr(t *testing.T) string {
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
		if _, tofu := acctest.CLIVersion(t); tofu {
			host = "registry.opentofu.org"
		}
	}
	return host + "/hashicorp/motherduck"
}

// reattachConfig is the JSON form of TF_REATTACH_PROVIDERS entries.
type reattachConfig struct {
	Protocol        string
	ProtocolVersion int
	Pid             int
	Test            bool
	Addr            struct{ Network, String string }
}

// cliRun is one Terraform CLI invocation against the in-process provider.
type cliRun struct {
	t      *testing.T
	env    *acctest.Env
	dir    string
	cliLog string
	output bytes.Buffer // every command's stdout and stderr
}

// serve starts the provider in-process in debug mode for one CLI command,
// as plugin-testing does, and returns TF_REATTACH_PROVIDERS and a stop func.
func (r *cliRun) serve() (string, func()) {
	r.t.Helper()
	factory := r.env.Factories()["motherduck"]
	srv, err := factory()
	if err != nil {
		r.t.Fatalf("provider factory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cfgCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	go func() {
		err := tf6server.Serve(reattachProviderAddr(r.t), func() tfprotov6.ProviderServer { return srv },
			tf6server.WithDebug(ctx, cfgCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(r.t),
			tf6server.WithoutLogStderrOverride(),
		)
		if err != nil {
			r.t.Errorf("serving the provider: %v", err)
		}
	}()
	var pc *plugin.ReattachConfig
	select {
	case pc = <-cfgCh:
	case <-time.After(10 * time.Second):
		cancel()
		r.t.Fatal("the provider did not start")
	}
	rc := reattachConfig{Protocol: string(pc.Protocol), ProtocolVersion: pc.ProtocolVersion, Pid: pc.Pid, Test: true}
	rc.Addr.Network, rc.Addr.String = pc.Addr.Network(), pc.Addr.String()
	b, err := json.Marshal(map[string]reattachConfig{reattachProviderAddr(r.t): rc})
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b), func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
			r.t.Error("the provider did not stop")
		}
	}
}

// run runs terraform with args; it returns the combined output and the error.
func (r *cliRun) run(args ...string) (string, error) {
	r.t.Helper()
	reattach, stop := r.serve()
	defer stop()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+reattach,
		"TF_LOG=TRACE",
		"TF_LOG_PATH="+r.cliLog,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	fmt.Fprintf(&r.output, "$ terraform %s\n%s\n", strings.Join(args, " "), out.String())
	return out.String(), err
}

func (r *cliRun) mustRun(args ...string) string {
	r.t.Helper()
	out, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (r *cliRun) writeConfig(cfg string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// TestAccSecrets_cliOutput drives the Terraform CLI directly (the provider
// still in-process, reattached) so that its stdout and stderr can be read:
// init, import, apply, plan, show, state show, a failing apply with a wrong
// token, a plan refusing a token with a trailing space, and destroy, with
// faults on the way. No secret may appear in the output, the
// CLI's TRACE log or the provider's TRACE log, while the state file holds
// the minted secret.
func TestAccSecrets_cliOutput(t *testing.T) {
	tmp := t.TempDir()
	providerLog := filepath.Join(tmp, "provider.log")
	t.Setenv("TF_ACC_LOG_PATH", "")
	t.Setenv("TF_LOG_PATH_MASK", "")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", providerLog) // the provider's sink, in this process
	env := acctest.NewEnv(t)
	r := &cliRun{t: t, env: env, dir: filepath.Join(tmp, "work"), cliLog: filepath.Join(tmp, "cli.log")}
	if err := os.Mkdir(r.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	wrong := wrongToken(t)
	// A token made outside Terraform and then imported: its secret was
	// never given to Terraform, and must not appear either.
	adopted := env.Server.MintToken(acctest.OtherServiceAccount, "adopted", 0, "")

	cfg := secretsConfig(env, env.Server.AdminToken()) + `
resource "motherduck_user_token" "adopted" {
  username = "svc_reporting"
  name     = "adopted"
}
`
	r.writeConfig(cfg)
	r.mustRun("init", "-no-color", "-input=false")

	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 503, Times: 1})
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 429, Times: 1})
	r.mustRun("import", "-no-color", "-input=false", "motherduck_user_token.adopted", "svc_reporting/"+adopted.ID)
	applyOut := r.mustRun("apply", "-no-color", "-input=false", "-auto-approve")

	stateAfterApply, err := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	st := stateTokens(t, tmp)
	if len(st) != 2 {
		t.Fatalf("want 2 tokens in state, got %d", len(st))
	}
	var id string
	for tid, entry := range st {
		secret := entry.Secret
		if tid == adopted.ID {
			if secret != "" {
				t.Fatal("an imported token must have no secret in state")
			}
			continue
		}
		id = tid
		tok, ok := env.Server.Token(tid)
		if !ok || secret == "" || secret != tok.Secret {
			t.Fatalf("the state file must hold the secret of the minted token %s", tid)
		}
	}
	if !strings.Contains(applyOut, "[id="+id+"]") {
		t.Errorf("the apply output does not name the minted token %s:\n%s", id, applyOut)
	}

	env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDropAfter, Times: 1})
	if out, err := r.run("plan", "-no-color", "-input=false", "-detailed-exitcode"); err != nil {
		t.Fatalf("plan after apply must show no changes: %v\n%s", err, out)
	}
	showOut := r.mustRun("show", "-no-color")
	if !strings.Contains(showOut, "(sensitive value)") {
		t.Errorf("terraform show must mask the token:\n%s", showOut)
	}
	r.mustRun("state", "show", "-no-color", "motherduck_user_token.t")

	// A wrong admin token: the plan's refresh is refused.
	r.writeConfig(secretsConfig(env, wrong))
	failOut, err := r.run("apply", "-no-color", "-input=false", "-auto-approve")
	if err == nil {
		t.Fatalf("apply with a wrong token must fail:\n%s", failOut)
	}
	if !regexp.MustCompile(`(?s)MotherDuck Rejected the Credentials.*401`).MatchString(failOut) {
		t.Errorf("the failing apply does not say the credentials were rejected:\n%s", failOut)
	}

	// The right token with a trailing space, as pasted: refused at plan
	// without printing the configuration line that holds it.
	r.writeConfig(secretsConfig(env, env.Server.AdminToken()+" "))
	spaceOut, err := r.run("plan", "-no-color", "-input=false")
	if err == nil || !regexp.MustCompile(`(?s)Invalid Value.*token\s+must\s+not\s+start\s+or\s+end\s+with\s+white\s+space`).MatchString(spaceOut) {
		t.Errorf("a token with a trailing space must be refused: %v\n%s", err, spaceOut)
	}

	r.writeConfig(cfg)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503, Times: 1})
	r.mustRun("destroy", "-no-color", "-input=false", "-auto-approve")
	if tok, _ := env.Server.Token(id); !tok.Revoked {
		t.Fatalf("destroy did not revoke %s", id)
	}
	if tok, _ := env.Server.Token(adopted.ID); !tok.Revoked {
		t.Fatalf("destroy did not revoke the imported token %s", adopted.ID)
	}

	secrets := emulatorSecrets(env, map[string]string{wrong: "the wrong admin token"})
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		return string(b)
	}
	output, cliLog, provLog := r.output.String(), read(r.cliLog), read(providerLog)
	requireMarkers(t, "the CLI output", output, "Apply complete!", "[id="+id+"]", "Import successful!",
		"(sensitive value)", "MotherDuck Rejected the Credentials", "Destroy complete!")
	requireMarkers(t, "the CLI log", cliLog, cliVersionMarker(t), `overridden as an "unmanaged provider"`, "ApplyResourceChange")
	requireMarkers(t, "the provider log", provLog, "minted MotherDuck token", id, "motherduck api call failed",
		"motherduck api request", "invalidated MotherDuck token", adopted.ID)

	// Positive control: the same search finds the minted secret in the
	// state file that held it, so a leak would not go unnoticed.
	if len(findLeaks(secrets, "state", string(stateAfterApply))) == 0 {
		t.Fatal("the leak search did not find the minted secret in the state file that held it")
	}

	var leaks []string
	leaks = append(leaks, findLeaks(secrets, "CLI output", output)...)
	leaks = append(leaks, findLeaks(secrets, "CLI log", cliLog)...)
	leaks = append(leaks, findLeaks(secrets, "provider log", provLog)...)
	for _, l := range leaks {
		t.Error("secret leaked: " + l)
	}
	t.Logf("secrets: output %d bytes, CLI log %d bytes, provider log %d bytes, %d secrets looked for, %d leaks",
		len(output), len(cliLog), len(provLog), len(secrets), len(leaks))
}
