package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// testDiveID is the Dive every embed-session test seeds in the emulator.
const testDiveID = "0b6f3c1e-2a4d-4e8f-9c3b-5d7a1e2f4c6b"

// An application stand-in for these tests only: provider "sink" serves
// sink_app, whose write-only argument session_wo takes an embed session the
// way the docs show another provider's write-only argument taking it. It
// records every value it is handed, so a test can see that the session
// arrived, and talks to nothing.
type sinkSeen struct {
	mu     sync.Mutex
	values []string
}

func (s *sinkSeen) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values = append(s.values, v)
}

func (s *sinkSeen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.values...)
}

type sinkProvider struct{ seen *sinkSeen }

func sinkFactory(seen *sinkSeen) func() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&sinkProvider{seen: seen})
}

func (p *sinkProvider) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "sink"
}
func (p *sinkProvider) Schema(context.Context, fwprovider.SchemaRequest, *fwprovider.SchemaResponse) {
}
func (p *sinkProvider) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}
func (p *sinkProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (p *sinkProvider) Resources(context.Context) []func() fwresource.Resource {
	return []func() fwresource.Resource{func() fwresource.Resource { return &sinkApp{seen: p.seen} }}
}

type sinkApp struct{ seen *sinkSeen }

func (r *sinkApp) Metadata(_ context.Context, _ fwresource.MetadataRequest, resp *fwresource.MetadataResponse) {
	resp.TypeName = "sink_app"
}

func (r *sinkApp) Schema(_ context.Context, _ fwresource.SchemaRequest, resp *fwresource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"name":       schema.StringAttribute{Required: true},
		"session_wo": schema.StringAttribute{Optional: true, WriteOnly: true, Sensitive: true},
	}}
}

func (r *sinkApp) Create(ctx context.Context, req fwresource.CreateRequest, resp *fwresource.CreateResponse) {
	var v types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("session_wo"), &v)...)
	if !v.IsNull() {
		r.seen.add(v.ValueString())
	}
	resp.State.Raw = req.Plan.Raw.Copy()
}

func (r *sinkApp) Read(_ context.Context, req fwresource.ReadRequest, resp *fwresource.ReadResponse) {
	resp.State.Raw = req.State.Raw.Copy()
}

func (r *sinkApp) Update(_ context.Context, req fwresource.UpdateRequest, resp *fwresource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}

func (r *sinkApp) Delete(context.Context, fwresource.DeleteRequest, *fwresource.DeleteResponse) {}

// embedSessionBlock is an ephemeral embed session of svc_ci for the test
// Dive, handed to sink_app.app; extra goes into the ephemeral block.
func embedSessionBlock(extra string) string {
	return fmt.Sprintf(`
ephemeral "motherduck_dive_embed_session" "s" {
  dive_id      = %q
  username     = %q
  session_name = "web"
%s
}

resource "sink_app" "app" {
  name       = "app"
  session_wo = ephemeral.motherduck_dive_embed_session.s.session
}
`, testDiveID, acctest.ServiceAccount, extra)
}

// embedEnv is an emulator with the test Dive, and the factories of this
// provider and the sink.
func embedEnv(t *testing.T) (*acctest.Env, map[string]func() (tfprotov6.ProviderServer, error), *sinkSeen) {
	env := acctest.NewEnv(t)
	env.Server.AddDive(testDiveID)
	seen := &sinkSeen{}
	f := env.Factories()
	f["sink"] = sinkFactory(seen)
	return env, f, seen
}

// writeOnlyChecks: ephemeral resources need Terraform 1.10, write-only
// arguments 1.11; older CLIs of the matrix skip these tests.
var writeOnlyChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(version.Must(version.NewVersion("1.11.0")))}

// TestAccDiveEmbedSession_secrecy runs init, plan, apply and a second plan
// through the CLI with TRACE logs on, the provider in-process, and checks
// that the session reached the application's write-only argument and
// nowhere else: not the state file, not the CLI's output, not the CLI's or
// the provider's TRACE log.
func TestAccDiveEmbedSession_secrecy(t *testing.T) {
	tmp := t.TempDir()
	cliLog, providerLog := filepath.Join(tmp, "cli.log"), filepath.Join(tmp, "provider.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", cliLog)          // the CLI's log
	t.Setenv("TF_ACC_LOG_PATH", providerLog) // the in-process provider's sink
	t.Setenv("TF_LOG_PATH_MASK", "")
	if v, _ := acctest.CLIVersion(t); version.Must(version.NewVersion(v)).LessThan(version.Must(version.NewVersion("1.11.0"))) {
		t.Skipf("Terraform %s: ephemeral resources feeding write-only arguments need Terraform 1.11 or later", v)
	}
	env := acctest.NewEnv(t)
	env.Server.AddDive(testDiveID)
	seen := &sinkSeen{}
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){
		"hashicorp/motherduck": env.Factories()["motherduck"],
		"example/sink":         sinkFactory(seen),
	})
	cli.Write(`terraform {
  required_providers {
    motherduck = { source = "hashicorp/motherduck" }
    sink       = { source = "example/sink" }
  }
}
` + env.Config(embedSessionBlock(`  version = 2
  initial_state = jsonencode({ region = "emea" })
  required_resources = [{ url = "md:_share/sales/abc", alias = "sales" }]`)))
	var output strings.Builder
	run := func(args ...string) string {
		out := cli.Must(append(args, "-no-color", "-input=false")...)
		output.WriteString(out)
		return out
	}
	run("init")
	run("plan", "-out=tfplan")
	planJSON := cli.Must("show", "-json", "tfplan") // the saved plan, as a machine reads it
	output.WriteString(planJSON)
	run("apply", "-auto-approve")
	if code, out := cli.Run("plan", "-no-color", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after apply: exit %d, want a clean plan:\n%s", code, out)
	} else {
		output.WriteString(out)
	}

	minted := env.Server.EmbedSessions()
	if len(minted) < 4 { // plan, apply (its plan and its apply), plan: each opens it
		t.Fatalf("%d sessions minted, want one per plan and apply (4)", len(minted))
	}
	secrets := secretSet{}
	for i, s := range minted {
		secrets.add(s.Secret, fmt.Sprintf("embed session %d", i+1))
		if s.DiveID != testDiveID || s.Username != acctest.ServiceAccount || s.SessionName != "web" {
			t.Fatalf("session %d minted for %+v", i+1, s.DiveID+" "+s.Username+" "+s.SessionName)
		}
	}
	// Positive control: the application received a session the emulator
	// minted, so the value was there to leak.
	got := seen.all()
	if len(got) != 1 || secrets[got[0]] == "" {
		t.Fatalf("the application's write-only argument received %d values, want the one session minted at apply", len(got))
	}
	state, err := os.ReadFile(filepath.Join(cli.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		return string(b)
	}
	cliText, provText := read(cliLog), read(providerLog)
	requireMarkers(t, "the state file", string(state), "sink_app")
	requireMarkers(t, "the saved plan", planJSON, "sink_app", "session_wo")
	requireMarkers(t, "the CLI output", output.String(), "Apply complete!", "ephemeral.motherduck_dive_embed_session.s: Opening", "No changes.")
	requireMarkers(t, "the CLI log", cliText, cliVersionMarker(t), "OpenEphemeralResource")
	requireMarkers(t, "the provider log", provText, "opened Dive embed session", "motherduck api request")
	var leaks []string
	leaks = append(leaks, findLeaks(secrets, "state file", string(state))...)
	leaks = append(leaks, findLeaks(secrets, "CLI output", output.String())...)
	leaks = append(leaks, findLeaks(secrets, "CLI log", cliText)...)
	leaks = append(leaks, findLeaks(secrets, "provider log", provText)...)
	for _, l := range leaks {
		t.Error("session leaked: " + l)
	}
	t.Logf("%d sessions looked for in the state (%d bytes), output (%d), CLI log (%d), provider log (%d): %d leaks",
		len(minted), len(state), output.Len(), len(cliText), len(provText), len(leaks))
}

// TestAccDiveEmbedSession_notRepeated: the call creates a session each time,
// so after a 503 or a dropped connection it is not sent again, and the
// error says a session may exist, expires within 24 hours and cannot be
// revoked. A 429 (refused unperformed) is retried.
func TestAccDiveEmbedSession_notRepeated(t *testing.T) {
	unknown := regexp.MustCompile(`(?s)Embed Session Outcome Unknown.*may\s+have\s+been\s+created.*cannot\s+be\s+listed\s+or\s+revoked.*within\s+24\s+hours`)
	for _, c := range []struct {
		name    string
		fault   emulator.Fault
		minted  int
		failure *regexp.Regexp
	}{
		{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Times: 1}, 0, unknown},
		{"dropped after commit", emulator.Fault{Kind: emulator.FaultDropAfter, Times: 1}, 1, unknown},
		{"dropped before", emulator.Fault{Kind: emulator.FaultDropBefore, Times: 1}, 0, unknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, factories, seen := embedEnv(t)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories,
				TerraformVersionChecks:   writeOnlyChecks,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						f := c.fault
						f.Op = emulator.OpEmbedSession
						env.Server.InjectFault(f)
					},
					Config:      env.Config(embedSessionBlock("")),
					ExpectError: c.failure,
				}},
			})
			if n := env.Server.CountRequests(emulator.OpEmbedSession); n != 1 {
				t.Errorf("%d embed-session requests, want 1: the request was sent again", n)
			}
			if n := len(env.Server.EmbedSessions()); n != c.minted {
				t.Errorf("%d sessions minted, want %d", n, c.minted)
			}
			if len(seen.all()) != 0 {
				t.Error("the application was handed a session although the request failed")
			}
		})
	}
	t.Run("429 retried", func(t *testing.T) {
		env, factories, seen := embedEnv(t)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factories,
			TerraformVersionChecks:   writeOnlyChecks,
			Steps: []resource.TestStep{{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpEmbedSession, Kind: emulator.FaultStatus, Status: 429, Times: 1})
				},
				Config: env.Config(embedSessionBlock("")),
			}},
		})
		// 429 then success at plan; then plan (apply), apply and the
		// post-apply plan each open it once more.
		reqs, minted := env.Server.CountRequests(emulator.OpEmbedSession), len(env.Server.EmbedSessions())
		if reqs != minted+1 {
			t.Errorf("%d requests for %d sessions: want exactly one more request (the 429)", reqs, minted)
		}
		if len(seen.all()) != 1 {
			t.Errorf("the application was handed %d sessions, want 1", len(seen.all()))
		}
	})
}

// TestAccDiveEmbedSession_badInput: every invalid input is refused at plan
// with no API request.
func TestAccDiveEmbedSession_badInput(t *testing.T) {
	env, factories, _ := embedEnv(t)
	block := func(attrs string) string {
		return env.Config(fmt.Sprintf(`
ephemeral "motherduck_dive_embed_session" "s" {
%s
}

resource "sink_app" "app" {
  name       = "app"
  session_wo = ephemeral.motherduck_dive_embed_session.s.session
}
`, attrs))
	}
	ok := fmt.Sprintf("  dive_id = %q\n  username = %q\n", testDiveID, acctest.ServiceAccount)
	var steps []resource.TestStep
	for _, c := range []struct {
		attrs string
		want  string
	}{
		{fmt.Sprintf("  dive_id = \"not-a-uuid\"\n  username = %q", acctest.ServiceAccount), `must\s+be\s+a\s+UUID`},
		{fmt.Sprintf("  dive_id = %q\n  username = \"9lives\"", testDiveID), `must\s+start\s+with\s+an\s+ASCII\s+letter`},
		{fmt.Sprintf("  dive_id = %q\n  username = \"ab\"", testDiveID), `string\s+length\s+must\s+be\s+between\s+3\s+and\s+255`},
		{ok + `  session_name = ""`, `session_name.*at\s+least\s+1`},
		{ok + `  version = 0`, `version.*at\s+least\s+1`},
		{ok + `  initial_state = "[1, 2]"`, `Invalid\s+Initial\s+State.*must\s+be\s+a\s+JSON\s+object`},
		{ok + `  initial_state = "{not json"`, `Invalid\s+Initial\s+State`},
		{ok + fmt.Sprintf(`  initial_state = jsonencode({ k = %q })`, strings.Repeat("x", 65536)), `more\s+than\s+the\s+65536`},
		{ok + `  required_resources = [{ url = "" }]`, `url.*at\s+least\s+1`},
		{ok + fmt.Sprintf(`  required_resources = [{ url = %q }]`, strings.Repeat("u", 8192)), `Required\s+Resources\s+Too\s+Large.*more\s+than\s+the\s+8192`},
	} {
		steps = append(steps, resource.TestStep{Config: block(c.attrs), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)` + c.want)})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   writeOnlyChecks,
		Steps:                    steps,
	})
	if n := env.Server.CountRequests(""); n != 0 {
		t.Fatalf("bad input made %d API requests, want 0", n)
	}
}

// TestAccDiveEmbedSession_unknownDive: a JSON 404 says which inputs to
// check and that no session was created.
func TestAccDiveEmbedSession_unknownDive(t *testing.T) {
	env, factories, _ := embedEnv(t)
	other := strings.Replace(testDiveID, "0b6f", "1b6f", 1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   writeOnlyChecks,
		Steps: []resource.TestStep{{
			Config:      env.Config(strings.Replace(embedSessionBlock(""), testDiveID, other, 1)),
			ExpectError: regexp.MustCompile(`(?s)Dive or Service Account Not Found.*Check\s+dive_id\s+and\s+username.*No\s+session\s+was\s+created`),
		}},
	})
	if n := env.Server.CountRequests(emulator.OpEmbedSession); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestAccDiveEmbedSession_unknownAtPlan: inputs known only at apply pass the
// plan-time checks untouched (they are checked again once known), and the
// session is created and handed over at apply.
func TestAccDiveEmbedSession_unknownAtPlan(t *testing.T) {
	env, factories, seen := embedEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   writeOnlyChecks,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "terraform_data" "share" {
  input = "md:_share/sales/abc"
}
` + embedSessionBlock(`  required_resources = [{ url = terraform_data.share.output, alias = "sales" }]
  initial_state      = jsonencode({ share = terraform_data.share.output })`)),
		}},
	})
	// The whole list unknown at plan.
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   writeOnlyChecks,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "terraform_data" "resources" {
  input = [{ url = "md:_share/sales/abc", alias = "sales" }]
}
` + embedSessionBlock(`  required_resources = terraform_data.resources.output`)),
		}},
	})
	if len(seen.all()) != 2 {
		t.Fatalf("the application was handed %d sessions, want 2 (one per apply)", len(seen.all()))
	}
	var withResources int
	for _, r := range env.Server.Requests() {
		if r.Op == emulator.OpEmbedSession && r.Status == 200 {
			withResources++
		}
	}
	if withResources == 0 {
		t.Fatal("no embed session was created")
	}
}
