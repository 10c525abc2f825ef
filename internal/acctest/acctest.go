// Package acctest holds what the provider's acceptance tests share: an
// emulator per test, provider factories wired to it, and CLI discovery.
package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// Service accounts every test emulator starts with.
const (
	ServiceAccount      = "svc_ci"
	OtherServiceAccount = "svc_reporting"
)

// Env is one test's emulator and the provider wired to it.
type Env struct {
	Server *emulator.Server
	URL    string
}

// NewEnv starts an emulator for t, seeded with two service accounts, and
// checks that a Terraform CLI can be found (it fails the test otherwise: a
// skipped acceptance test must never pass for a run).
func NewEnv(t testing.TB) *Env {
	t.Helper()
	RequireCLI(t)
	s := emulator.New()
	s.AddServiceAccount(ServiceAccount)
	s.AddServiceAccount(OtherServiceAccount)
	url := s.Start()
	t.Cleanup(s.Close)
	return &Env{Server: s, URL: url}
}

// Factories returns provider factories whose clock is the emulator's and
// whose retry waits are short.
func (e *Env) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return e.FactoriesAs("test")
}

// FactoriesAs is Factories with the provider version set to version. The
// version is in the User-Agent of every request, so an emulator fault can
// pick one of several runs sharing the emulator (emulator.Fault.UserAgent).
func (e *Env) FactoriesAs(version string) map[string]func() (tfprotov6.ProviderServer, error) {
	return e.factories(version, e.Server.Now)
}

// FactoriesSkewed is Factories with the provider's clock skew behind the
// emulator's (ahead when skew is negative), however the emulator's clock is
// moved: a provider facing an API whose clock is not its own.
func (e *Env) FactoriesSkewed(skew time.Duration) map[string]func() (tfprotov6.ProviderServer, error) {
	return e.factories("test", func() time.Time { return e.Server.Now().Add(-skew) })
}

func (e *Env) factories(version string, now func() time.Time) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"motherduck": providerserver.NewProtocol6WithError(provider.NewWithOptions(version, provider.Options{
			Now:              now,
			RetryBaseBackoff: 5 * time.Millisecond,
			RecoveryTimeout:  3 * time.Second,
		})()),
	}
}

// ProviderBlock is a provider configuration pointing at the emulator.
func (e *Env) ProviderBlock() string {
	return fmt.Sprintf("provider \"motherduck\" {\n  token   = %q\n  api_url = %q\n}\n", e.Server.AdminToken(), e.URL)
}

// Config prepends the provider block to a configuration body.
func (e *Env) Config(body string) string { return e.ProviderBlock() + body }

// RequireCLI makes sure terraform-plugin-testing will find a CLI without
// trying to download one, which cannot work here.
func RequireCLI(t testing.TB) {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("TF_ACC_TERRAFORM_PATH=%s: %v", p, err)
		}
		return
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH (`make test` finds or builds one: scripts/terraform-cli.sh)")
	}
}

// CLIVersion returns the version the CLI under test reports, e.g. "1.11.4",
// and whether it is OpenTofu.
func CLIVersion(t testing.TB) (version string, tofu bool) {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	out, err := exec.CommandContext(t.Context(), bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	// The version line is not always the first: a CLI may print warnings
	// about its configuration before it.
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 2 && (fields[0] == "Terraform" || fields[0] == "OpenTofu") && strings.HasPrefix(fields[1], "v") {
			return strings.TrimPrefix(fields[1], "v"), fields[0] == "OpenTofu"
		}
	}
	t.Fatalf("cannot read a version from %q", out)
	return "", false
}
