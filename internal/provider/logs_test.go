package provider_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// The provider binary turns its loggers off when nobody asked for logs
// (main.go, internal/quietlogs). These tests build that binary, let the CLI under
// test start it through dev_overrides behind a wrapper that copies its
// stderr into a file (and on to the CLI), and read what it wrote.

// logRun is one working directory served by the built provider binary.
type logRun struct {
	t         *testing.T
	env       *acctest.Env
	dir       string
	stderrLog string // everything the provider processes wrote to stderr
	startsLog string // one line per provider process started
	cliConfig string
}

// newLogRun builds the provider binary into a temporary directory, wraps it
// and writes a CLI configuration serving it with dev_overrides.
func newLogRun(t *testing.T, env *acctest.Env, binary string) *logRun {
	t.Helper()
	tmp := t.TempDir()
	r := &logRun{
		t: t, env: env, dir: filepath.Join(tmp, "work"),
		stderrLog: filepath.Join(tmp, "provider-stderr.log"),
		startsLog: filepath.Join(tmp, "provider-starts.log"),
		cliConfig: filepath.Join(tmp, "terraformrc"),
	}
	wrapDir := filepath.Join(tmp, "plugins")
	for _, d := range []string{r.dir, wrapDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// exec keeps the process the CLI talks to; tee keeps the CLI's own view
	// of the provider's stderr, so the CLI log can be checked too.
	wrapper := fmt.Sprintf("#!/usr/bin/env bash\necho $$ >>%q\nexec %q \"$@\" 2> >(exec tee -a %q >&2)\n",
		r.startsLog, binary, r.stderrLog)
	if err := os.WriteFile(filepath.Join(wrapDir, "terraform-provider-motherduck"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/duckops/motherduck", wrapDir)
	if err := os.WriteFile(r.cliConfig, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`terraform {
  required_providers {
    motherduck = {
      source = "registry.terraform.io/duckops/motherduck"
    }
  }
}

%s
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "logs"
}
`, env.ProviderBlock())
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// buildProvider builds the provider binary (the module root) once per test.
func buildProvider(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "terraform-provider-motherduck")
	cmd := exec.Command("go", "build", "-o", out, "github.com/duckops/terraform-provider-motherduck")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, b)
	}
	return out
}

// cliEnv is the test's environment without any variable that asks for logs
// or changes the CLI's behaviour, plus logEnv.
func (r *logRun) cliEnv(logEnv []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(strings.ToUpper(k), "MOTHERDUCK_") {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "TF_CLI_CONFIG_FILE="+r.cliConfig, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	return append(out, logEnv...)
}

// terraform runs one CLI command with logEnv and returns what the provider
// processes it started wrote to stderr during it.
func (r *logRun) terraform(logEnv []string, args ...string) string {
	r.t.Helper()
	before := readFile(r.t, r.stderrLog)
	starts := len(strings.Fields(readFile(r.t, r.startsLog)))
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "-no-color", "-input=false")...)
	cmd.Dir = r.dir
	cmd.Env = r.cliEnv(logEnv)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("terraform %s with %v: %v\n%s", strings.Join(args, " "), logEnv, err, out.String())
	}
	if len(strings.Fields(readFile(r.t, r.startsLog))) == starts {
		r.t.Fatalf("terraform %s started no provider process through the wrapper:\n%s", strings.Join(args, " "), out.String())
	}
	return strings.TrimPrefix(readFile(r.t, r.stderrLog), before)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// logLine is the part of a provider's JSON log line the tests look at.
type logLine struct {
	Level   string `json:"@level"`
	Module  string `json:"@module"`
	Message string `json:"@message"`
}

// parseLogLines decodes the provider's JSON log lines; anything else on its
// stderr fails the test.
func parseLogLines(t *testing.T, stderr string) []logLine {
	t.Helper()
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("the provider wrote a line that is not a JSON log line: %q", sc.Text())
		}
		out = append(out, l)
	}
	return out
}

// countLines counts lines of module (and, if level is not empty, of that
// level) whose message contains msg.
func countLines(lines []logLine, module, level, msg string) int {
	n := 0
	for _, l := range lines {
		if l.Module == module && (level == "" || l.Level == level) && strings.Contains(l.Message, msg) {
			n++
		}
	}
	return n
}

const (
	mintedMsg = "minted MotherDuck token"
	revokeMsg = "invalidated MotherDuck token"
	retryMsg  = "motherduck api call failed, retrying"
)

// TestAccLogs_noneUnlessAsked: with no log setting in the environment, the
// provider process writes nothing at all to stderr in apply, plan and
// destroy, while it mints and revokes as usual.
func TestAccLogs_noneUnlessAsked(t *testing.T) {
	env := acctest.NewEnv(t)
	r := newLogRun(t, env, buildProvider(t))
	// terraform-exec hands its CLI these set but empty: they ask for nothing.
	unasked := []string{"TF_LOG=", "TF_LOG_PATH=", "TF_LOG_PROVIDER=", "TF_LOG_CORE="}
	for _, step := range [][]string{
		{"apply", "-auto-approve"},
		{"plan", "-detailed-exitcode"},
		{"destroy", "-auto-approve"},
	} {
		if got := r.terraform(unasked, step...); got != "" {
			lines := strings.Split(strings.TrimSpace(got), "\n")
			t.Errorf("terraform %s without log settings: the provider wrote %d lines to stderr, want none; first: %s",
				step[0], len(lines), lines[0])
		}
	}
	mints, revokes := 0, 0
	for _, q := range env.Server.Requests() {
		switch q.Op {
		case emulator.OpMint:
			mints++
		case emulator.OpRevoke:
			revokes++
		}
	}
	if mints != 1 || revokes != 1 {
		t.Errorf("the provider made %d mints and %d revokes, want 1 and 1", mints, revokes)
	}
}

// TestAccLogs_asToday: once any log setting is present, the provider writes
// what terraform-plugin-log makes it write: the SDK's and the framework's
// TRACE lines, and this provider's own lines at their levels (Info on mint
// and revoke, Warn on a retry) wherever the provider's level allows them.
func TestAccLogs_asToday(t *testing.T) {
	env := acctest.NewEnv(t)
	binary := buildProvider(t)
	cases := []struct {
		name   string
		logEnv []string
		// info: our Info lines are written; sdkLines: the SDK's and the
		// framework's lines are.
		info, sdkLines bool
	}{
		{"TF_LOG=TRACE", []string{"TF_LOG=TRACE"}, true, true},
		{"TF_LOG=INFO", []string{"TF_LOG=INFO"}, true, true},
		{"TF_LOG_PROVIDER=DEBUG", []string{"TF_LOG_PROVIDER=DEBUG"}, true, true},
		{"TF_LOG_PROVIDER_MOTHERDUCK=WARN", []string{"TF_LOG_PROVIDER_MOTHERDUCK=WARN"}, false, true},
		{"TF_LOG_SDK_FRAMEWORK=OFF", []string{"TF_LOG_SDK_FRAMEWORK=OFF"}, true, true},
		{"TF_LOG_PATH alone", []string{"TF_LOG_PATH=" + filepath.Join(t.TempDir(), "cli.log")}, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newLogRun(t, env, binary)
			apply := parseLogLines(t, r.terraform(tc.logEnv, "apply", "-auto-approve"))
			plan := parseLogLines(t, r.terraform(tc.logEnv, "plan", "-detailed-exitcode"))
			env.Server.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503, Times: 1})
			destroy := parseLogLines(t, r.terraform(tc.logEnv, "destroy", "-auto-approve"))

			for phase, lines := range map[string][]logLine{"apply": apply, "plan": plan, "destroy": destroy} {
				if tc.sdkLines && countLines(lines, "sdk.proto", "trace", "Received request") == 0 {
					t.Errorf("%s: no sdk.proto TRACE lines", phase)
				}
				frameworkOff := strings.Contains(tc.name, "TF_LOG_SDK_FRAMEWORK=OFF")
				if got := countLines(lines, "sdk.framework", "", ""); tc.sdkLines && !frameworkOff && got == 0 {
					t.Errorf("%s: no sdk.framework lines", phase)
				} else if frameworkOff && got != 0 {
					t.Errorf("%s: %d sdk.framework lines with TF_LOG_SDK_FRAMEWORK=OFF", phase, got)
				}
			}
			wantInfo := 0
			if tc.info {
				wantInfo = 1
			}
			if got := countLines(apply, "motherduck", "info", mintedMsg); got != wantInfo {
				t.Errorf("apply: %d Info lines %q, want %d", got, mintedMsg, wantInfo)
			}
			if got := countLines(destroy, "motherduck", "info", revokeMsg); got != wantInfo {
				t.Errorf("destroy: %d Info lines %q, want %d", got, revokeMsg, wantInfo)
			}
			if got := countLines(destroy, "motherduck", "warn", retryMsg); got != 1 {
				t.Errorf("destroy: %d Warn lines %q, want 1", got, retryMsg)
			}
		})
	}
}
