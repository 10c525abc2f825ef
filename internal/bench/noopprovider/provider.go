// Package noopprovider is a do-nothing Terraform provider used only by the
// benchmark in internal/bench: its one resource, mdnoop_user_token, has the
// schema of motherduck_user_token (attributes, plan modifiers, default,
// validators of the same kind, timeouts block, identity) but makes no API
// call. Planning, applying and destroying it measures the floor that every
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
	"math/big"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// noopTokenResource is motherduck_user_token without the API.
type noopTokenResource struct{}

// tokenModel mirrors the real resource's model.
type tokenModel struct {
	ID           types.String         `tfsdk:"id"`
	Username     types.String         `tfsdk:"username"`
	Name         types.String         `tfsdk:"name"`
	TTL          types.Number         `tfsdk:"ttl"`
	TokenType    types.String         `tfsdk:"token_type"`
	Description  types.String         `tfsdk:"description"`
	Keepers      types.Map            `tfsdk:"keepers"`
	RotateBefore timetypes.GoDuration `tfsdk:"rotate_before"`
	Token        types.String         `tfsdk:"token"`
	CreatedTS    timetypes.RFC3339    `tfsdk:"created_ts"`
	ExpireAt     timetypes.RFC3339    `tfsdk:"expire_at"`
	ReadOnly     types.Bool           `tfsdk:"read_only"`
	Timeouts     timeouts.Value       `tfsdk:"timeouts"`
}

type tokenIdentity struct {
	Username types.String `tfsdk:"username"`
	ID       types.String `tfsdk:"id"`
}

func (r *noopTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_token"
}

func (r *noopTokenResource) Configure(_ context.Context, _ resource.ConfigureRequest, _ *resource.ConfigureResponse) {
}

// tokenTypes are the accepted token types, the first one the default.
var tokenTypes = []string{"read_write", "read_scaling"}

// Schema is motherduck_user_token's schema. The validators are of the same
// kind and cost (length and range checks); descriptions are short.
func (r *noopTokenResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A token that exists only in state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "A random UUID.", PlanModifiers: keep},
			"username": schema.StringAttribute{
				Required: true, MarkdownDescription: "The user.", PlanModifiers: replace,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "The token's name.", PlanModifiers: replace,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 255),
					stringvalidator.NoneOf("MotherDuck Extension", "MotherDuck Flights"),
				},
			},
			"ttl": schema.NumberAttribute{
				Optional: true, MarkdownDescription: "Lifetime in seconds.",
				Validators:    []validator.Number{numberBetween{300, 31536000}},
				PlanModifiers: []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"token_type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(tokenTypes[0]),
				MarkdownDescription: "The kind of token.",
				Validators:          []validator.String{stringvalidator.OneOf(tokenTypes...)},
				PlanModifiers:       replace,
			},
			"description": schema.StringAttribute{
				Optional: true, MarkdownDescription: "A description.", PlanModifiers: replace,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1000)},
			},
			"keepers": schema.MapAttribute{
				ElementType: types.StringType, Optional: true, MarkdownDescription: "Replace on change.",
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"rotate_before": schema.StringAttribute{
				CustomType: timetypes.GoDurationType{}, Optional: true, MarkdownDescription: "A duration.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(2)},
			},
			"token":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "A random secret.", PlanModifiers: keep},
			"created_ts": schema.StringAttribute{CustomType: timetypes.RFC3339Type{}, Computed: true, MarkdownDescription: "When Create ran.", PlanModifiers: keep},
			"expire_at":  schema.StringAttribute{CustomType: timetypes.RFC3339Type{}, Computed: true, MarkdownDescription: "Always null here.", PlanModifiers: keep},
			"read_only": schema.BoolAttribute{
				Computed: true, MarkdownDescription: "Whether token_type is read_scaling.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}
}

func (r *noopTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"username": identityschema.StringAttribute{RequiredForImport: true},
			"id":       identityschema.StringAttribute{RequiredForImport: true},
		},
	}
}

// Create fills the computed attributes locally, as the real resource does
// from the mint answer.
func (r *noopTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m tokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID = types.StringValue(randomUUID())
	m.Token = types.StringValue("md_" + randomHex(20))
	m.CreatedTS = timetypes.NewRFC3339TimeValue(time.Now().UTC().Truncate(time.Second))
	m.ExpireAt = timetypes.NewRFC3339Null()
	m.ReadOnly = types.BoolValue(m.TokenType.ValueString() == "read_scaling")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if resp.Identity != nil {
		resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentity{Username: m.Username, ID: m.ID})...)
	}
}

// Read decodes and re-encodes the state, as the real resource does after
// finding the token in the list, and sets the identity.
func (r *noopTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m tokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if resp.Identity != nil {
		resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentity{Username: m.Username, ID: m.ID})...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update is never called with a real change (every input replaces).
func (r *noopTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state tokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.RotateBefore = plan.RotateBefore
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete has nothing to do: the framework removes the resource from state.
func (r *noopTokenResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}

func (r *noopTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// numberBetween is a number validator of the real ttl's kind: a whole
// number within bounds.
type numberBetween struct{ min, max int64 }

func (v numberBetween) Description(context.Context) string { return "a whole number within bounds" }
func (v numberBetween) MarkdownDescription(context.Context) string {
	return "a whole number within bounds"
}

func (v numberBetween) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n, acc := req.ConfigValue.ValueBigFloat().Int64()
	if acc != big.Exact || n < v.min || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid ttl", "Out of bounds.")
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
