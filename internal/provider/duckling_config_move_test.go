package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Stand-ins for the other providers' motherduck_duckling_config, with the
// attribute names and shapes their schemas have (read from their source, not
// copied): the official one flat, the community one in two nested blocks.
// Every attribute is an input; state is what the configuration says; no API
// is called.

type ducklingPeer struct {
	name, source string
	nested       bool
	// body is the source resource's arguments for the configuration
	// moved in these tests.
	body string
}

var ducklingPeers = []ducklingPeer{
	{name: "official", source: "motherduckdb/motherduck", body: `
  read_write_instance_size    = "standard"
  read_write_cooldown_seconds = 300
  read_scaling_instance_size  = "pulse"
  read_scaling_flock_size     = 2
`},
	{name: "community", source: "jpig18/motherduck", nested: true, body: `
  read_write {
    instance_size    = "standard"
    cooldown_seconds = 300
  }
  read_scaling {
    instance_size = "pulse"
    flock_size    = 2
  }
`},
}

// movedDucklings is what the emulator holds for the moved configuration.
var movedDucklings = emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 300, ReadScalingSize: "pulse", FlockSize: 2}

type ducklingPeerProvider struct {
	nested  bool
	deletes *atomic.Int32
}

func (p *ducklingPeerProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "motherduck"
}
func (p *ducklingPeerProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {
}
func (p *ducklingPeerProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p *ducklingPeerProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}
func (p *ducklingPeerProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &ducklingPeerResource{p} }}
}

type ducklingPeerResource struct{ p *ducklingPeerProvider }

func (r *ducklingPeerResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "motherduck_duckling_config"
}

func (r *ducklingPeerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	str := schema.StringAttribute{Optional: true}
	i64 := schema.Int64Attribute{Optional: true}
	f64 := schema.Float64Attribute{Optional: true}
	attrs := map[string]schema.Attribute{"id": str, "username": str}
	if !r.p.nested {
		attrs["read_write_instance_size"], attrs["read_write_cooldown_seconds"] = str, i64
		attrs["read_scaling_instance_size"], attrs["read_scaling_flock_size"], attrs["read_scaling_cooldown_seconds"] = str, f64, i64
		resp.Schema = schema.Schema{Version: 1, Attributes: attrs}
		return
	}
	resp.Schema = schema.Schema{Attributes: attrs, Blocks: map[string]schema.Block{
		"read_write":   schema.SingleNestedBlock{Attributes: map[string]schema.Attribute{"instance_size": str, "cooldown_seconds": i64}},
		"read_scaling": schema.SingleNestedBlock{Attributes: map[string]schema.Attribute{"instance_size": str, "flock_size": f64, "cooldown_seconds": i64}},
	}}
}

func (r *ducklingPeerResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}
func (r *ducklingPeerResource) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw.Copy()
}
func (r *ducklingPeerResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}
func (r *ducklingPeerResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	r.p.deletes.Add(1)
}

func ducklingMoveSetup(t *testing.T, peer ducklingPeer) (*acctest.Env, *acctest.CLI, *atomic.Int32) {
	env := acctest.NewEnv(t)
	env.Server.SetDucklingConfig(acctest.ServiceAccount, movedDucklings)
	deletes := &atomic.Int32{}
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){
		peer.source:            providerserver.NewProtocol6WithError(&ducklingPeerProvider{nested: peer.nested, deletes: deletes}),
		"hashicorp/motherduck": env.Factories()["motherduck"],
	})
	return env, cli, deletes
}

func ducklingSourceConfig(peer ducklingPeer, body string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    src = { source = %q }
  }
}

resource "motherduck_duckling_config" "old" {
  provider = src
  id       = "svc_ci"
  username = "svc_ci"
%s}
`, peer.source, body)
}

func ducklingTargetConfig(env *acctest.Env, peer ducklingPeer) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    src        = { source = %q }
    motherduck = { source = "hashicorp/motherduck" }
  }
}

%s
moved {
  from = motherduck_duckling_config.old
  to   = motherduck_duckling_config.d
}

resource "motherduck_duckling_config" "d" {
  username = "svc_ci"
  read_write = {
    instance_size    = "standard"
    cooldown_seconds = 300
  }
  read_scaling = {
    instance_size = "pulse"
    flock_size    = 2
  }
}
`, peer.source, env.ProviderBlock())
}

// A move from either other provider plans clean and applies with no API
// write; destroy then writes nothing (no configuration from before
// Terraform was recorded) and says so.
func TestAccDucklingConfig_moveFromOtherProviders(t *testing.T) {
	requireMoveState(t)
	for _, peer := range ducklingPeers {
		t.Run(peer.name, func(t *testing.T) {
			t.Parallel()
			env, cli, deletes := ducklingMoveSetup(t, peer)
			cli.Write(ducklingSourceConfig(peer, peer.body))
			cli.Must("init", "-no-color")
			cli.Must("apply", "-auto-approve", "-no-color")

			env.Server.ResetRequests()
			cli.Write(ducklingTargetConfig(env, peer))
			code, out := cli.Run("plan", "-detailed-exitcode", "-no-color")
			if code != 0 && !(code == 2 && strings.Contains(out, "has moved to") && !strings.Contains(out, "will be updated") &&
				!strings.Contains(out, "will be created") && !strings.Contains(out, "destroyed")) {
				t.Fatalf("the move does not plan clean (exit %d):\n%s", code, out)
			}
			cli.Must("apply", "-auto-approve", "-no-color")
			if n := env.Server.CountRequests(emulator.OpPutInstances); n != 0 || deletes.Load() != 0 {
				t.Fatalf("the move made %d writes, and %d deletes in the source provider", n, deletes.Load())
			}
			st := cli.State("motherduck_duckling_config.d")
			if st == nil {
				t.Fatal("not in state after the move")
			}
			rw, _ := st["read_write"].(map[string]any)
			rs, _ := st["read_scaling"].(map[string]any)
			if st["username"] != "svc_ci" || st["on_destroy"] != "restore" || rw["instance_size"] != "standard" ||
				rw["cooldown_seconds"] != float64(300) || rs["flock_size"] != float64(2) || rs["cooldown_seconds"] != nil {
				t.Fatalf("state after the move: %v", st)
			}
			if code, out := cli.Run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
				t.Fatalf("the plan after the move is not empty (exit %d):\n%s", code, out)
			}

			out = cli.Must("destroy", "-auto-approve", "-no-color")
			if !regexp.MustCompile(`Warning: No Duckling Configuration to Restore`).MatchString(out) {
				t.Fatalf("destroy did not say that nothing was restored:\n%s", out)
			}
			if n := env.Server.CountRequests(emulator.OpPutInstances); n != 0 {
				t.Fatalf("destroy of a moved configuration made %d writes", n)
			}
			if got, _ := env.Server.DucklingConfig(acctest.ServiceAccount); got != movedDucklings {
				t.Fatalf("destroy changed the configuration: %+v", got)
			}
		})
	}
}

// A value this provider cannot take stops the move with an error naming
// the attribute; nothing is moved or written.
func TestAccDucklingConfig_moveRefusesBadValues(t *testing.T) {
	requireMoveState(t)
	for _, tc := range []struct {
		peer       ducklingPeer
		from, to   string
		wantAttr   string
		wantReason string
	}{
		{ducklingPeers[0], "read_scaling_flock_size     = 2", "read_scaling_flock_size     = 2.5", `"read_scaling_flock_size"`, "whole number"},
		{ducklingPeers[1], `instance_size    = "standard"`, `instance_size    = "colossal"`, `"read_write.instance_size"`, "colossal"},
	} {
		t.Run(tc.peer.name, func(t *testing.T) {
			t.Parallel()
			env, cli, deletes := ducklingMoveSetup(t, tc.peer)
			cli.Write(ducklingSourceConfig(tc.peer, strings.Replace(tc.peer.body, tc.from, tc.to, 1)))
			cli.Must("init", "-no-color")
			cli.Must("apply", "-auto-approve", "-no-color")
			env.Server.ResetRequests()
			cli.Write(ducklingTargetConfig(env, tc.peer))
			code, out := cli.Run("plan", "-no-color")
			if code == 0 || !regexp.MustCompile(`(?s)Cannot Move Resource State.*`+regexp.QuoteMeta(tc.wantAttr)+`.*`+tc.wantReason).MatchString(out) {
				t.Fatalf("want the plan to fail naming %s, got exit %d:\n%s", tc.wantAttr, code, out)
			}
			if n := env.Server.CountRequests(emulator.OpPutInstances); n != 0 || deletes.Load() != 0 {
				t.Fatal("a refused move wrote or deleted something")
			}
		})
	}
}
