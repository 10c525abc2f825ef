// Package noopprovider is a do-nothing Terraform provider used only by the
// benchmark in internal/bench: its one resource, mdnoop_user_token, serves
// the schema and identity schema of motherduck_user_token, built by the real
// resource (attributes, plan modifiers, default, validators, timeouts block),
// but makes no API call. Planning, applying and destroying it measures the floor that every
// plugin-framework provider pays for the protocol, so the real provider can
// be compared against it.
//
// It is never part of the shipped provider: it has its own main under
// internal/bench/cmd/noop-provider and its own address,
// registry.terraform.io/duckops/mdnoop.
package noopprovider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	mdprovider "github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// Address is the provider address the noop provider serves.
const Address = "registry.terraform.io/duckops/mdnoop"

// TypeName is the provider's type name (resource types start with it).
const TypeName = "mdnoop"

var (
	_ provider.Provider                = (*noopProvider)(nil)
	_ resource.Resource                = (*noopTokenResource)(nil)
	_ resource.ResourceWithIdentity    = (*noopTokenResource)(nil)
	_ resource.ResourceWithImportState = (*noopTokenResource)(nil)
	_ resource.ResourceWithConfigure   = (*noopTokenResource)(nil)
)

type noopProvider struct{ version string }

// New returns the provider factory that the noop-provider command serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &noopProvider{version: version} }
}

func (p *noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

// Schema has the attributes of the real provider's configuration, all
// optional and all ignored.
func (p *noopProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerschema.Schema{
		MarkdownDescription: "A do-nothing provider for benchmarks.",
		Attributes: map[string]providerschema.Attribute{
			"token":           providerschema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Ignored."},
			"api_url":         providerschema.StringAttribute{Optional: true, MarkdownDescription: "Ignored."},
			"request_timeout": providerschema.StringAttribute{Optional: true, MarkdownDescription: "Ignored."},
			"max_retries":     providerschema.Int64Attribute{Optional: true, MarkdownDescription: "Ignored."},
		},
	}
}

func (p *noopProvider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

func (p *noopProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &noopTokenResource{} }}
}

func (p *noopProvider) DataSources(_ context.Context) []func() datasource.DataSource { return nil }

// noopTokenResource is motherduck_user_token without the API: the real
// resource's schema and identity schema, and CRUD that touches only state.
type noopTokenResource struct{}

func (r *noopTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_token"
}

func (r *noopTokenResource) Configure(_ context.Context, _ resource.ConfigureRequest, _ *resource.ConfigureResponse) {
}

// Schema is motherduck_user_token's own schema, built by the real resource:
// the same attributes, validators, plan modifiers, default and timeouts
// block, so the floor does the same schema work.
func (r *noopTokenResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	mdprovider.NewUserTokenResource().Schema(ctx, req, resp)
}

func (r *noopTokenResource) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	mdprovider.NewUserTokenResource().IdentitySchema(ctx, req, resp)
}

// Create fills the computed attributes locally, as the real resource does
// from the mint answer.
func (r *noopTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var tokenType types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("token_type"), &tokenType)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.State.Raw = req.Plan.Raw
	computed := map[string]attr.Value{
		"id":         types.StringValue(randomUUID()),
		"token":      types.StringValue("md_" + randomHex(20)),
		"created_ts": timetypes.NewRFC3339TimeValue(time.Now().UTC().Truncate(time.Second)),
		"expire_at":  timetypes.NewRFC3339Null(),
		"read_only":  types.BoolValue(tokenType.ValueString() == "read_scaling"),
		// keep_previous: a new token has no previous one, nothing to revoke.
		"previous_id":        types.StringNull(),
		"previous_token":     types.StringNull(),
		"previous_expire_at": timetypes.NewRFC3339Null(),
		"pending_revoke_ids": types.ListNull(types.StringType),
	}
	for name, v := range computed {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	r.setIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// Read decodes and re-encodes the state, as the real resource does after
// finding the token in the list, and sets the identity.
func (r *noopTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state types.Object
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.setIdentity(ctx, req.State, resp.Identity, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update changes only what the real resource changes in place (every other
// input replaces): rotate_before, timeouts and keepers between null and
// empty. Like the real resource, it sets the identity.
func (r *noopTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
	r.setIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// Delete has nothing to do: the framework removes the resource from state.
func (r *noopTokenResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}

func (r *noopTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// setIdentity sets the identity (username and id) from the state.
func (r *noopTokenResource) setIdentity(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	for _, name := range []string{"username", "id"} {
		var v types.String
		diags.Append(state.GetAttribute(ctx, path.Root(name), &v)...)
		diags.Append(identity.SetAttribute(ctx, path.Root(name), v)...)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms (Go 1.24+)
	return hex.EncodeToString(b)
}

// randomUUID returns a random (version 4) UUID string.
func randomUUID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}
