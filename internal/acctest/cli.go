package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// CLI runs the Terraform (or OpenTofu) CLI under test in a working directory
// of its own, against provider servers running in this process under any
// registry address. terraform-plugin-testing serves every provider under one
// namespace (hashicorp/NAME), so a test that needs two providers of the same
// type under different namespaces, as a move between providers does, drives
// the CLI itself.
type CLI struct {
	t   testing.TB
	bin string
	// Dir is the working directory; the configuration is written to main.tf.
	Dir string
	// Host is the registry host the CLI gives provider addresses:
	// registry.terraform.io, or registry.opentofu.org for OpenTofu.
	Host     string
	reattach string
}

// NewCLI serves each provider under its address (namespace/type, e.g.
// "motherduckdb/motherduck", on the CLI's registry host) until the test ends.
func NewCLI(t *testing.T, providers map[string]func() (tfprotov6.ProviderServer, error)) *CLI {
	t.Helper()
	RequireCLI(t)
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Fatal(err)
		}
	}
	c := &CLI{t: t, bin: bin, Dir: t.TempDir(), Host: "registry.terraform.io"}
	if _, tofu := CLIVersion(t); tofu {
		c.Host = "registry.opentofu.org"
	}
	type addr struct{ Network, String string }
	type reattach struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	all := map[string]reattach{}
	ctx, cancel := context.WithCancel(context.Background())
	for address, factory := range providers {
		server, err := factory()
		if err != nil {
			t.Fatalf("provider %s: %v", address, err)
		}
		ch := make(chan *plugin.ReattachConfig, 1)
		closed := make(chan struct{})
		go func() {
			if err := tf6server.Serve(address, func() tfprotov6.ProviderServer { return server },
				tf6server.WithDebug(ctx, ch, closed), tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
				// Provider logs go where terraform-plugin-testing sends them:
				// nowhere unless TF_LOG is set.
				tf6server.WithLoggingSink(t)); err != nil {
				t.Errorf("serving %s: %v", address, err)
			}
		}()
		cfg := <-ch
		if cfg == nil {
			t.Fatalf("provider %s did not start", address)
		}
		all[c.Host+"/"+address] = reattach{
			Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: true,
			Addr: addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
		}
		t.Cleanup(func() { <-closed })
	}
	t.Cleanup(cancel) // runs before the waits above: cleanups run last-in first-out
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	c.reattach = string(b)
	return c
}

// Write replaces the configuration.
func (c *CLI) Write(config string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// Run runs the CLI with args and returns its exit code and combined output.
// A failure to start it fails the test.
func (c *CLI) Run(args ...string) (int, string) {
	c.t.Helper()
	cmd := exec.CommandContext(c.t.Context(), c.bin, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+c.reattach, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String()
	default:
		c.t.Fatalf("%s %s: %v", c.bin, strings.Join(args, " "), err)
		return -1, ""
	}
}

// Must runs the CLI with args and fails the test unless it exits 0.
func (c *CLI) Must(args ...string) string {
	c.t.Helper()
	code, out := c.Run(args...)
	if code != 0 {
		c.t.Fatalf("%s %s: exit %d\n%s", filepath.Base(c.bin), strings.Join(args, " "), code, out)
	}
	return out
}

// State returns the values of the resource at addr in the root module's
// state (terraform show -json), or nil when it is not in state.
func (c *CLI) State(addr string) map[string]any {
	c.t.Helper()
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	out := c.Must("show", "-json", "-no-color")
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &doc); err != nil {
		c.t.Fatalf("show -json: %v", err)
	}
	for _, r := range doc.Values.RootModule.Resources {
		if r.Address == addr {
			return r.Values
		}
	}
	return nil
}
