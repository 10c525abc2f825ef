package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ ephemeral.EphemeralResource              = (*userTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*userTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*userTokenEphemeralResource)(nil)
)

// defaultEphemeralTTL bounds the life of an ephemeral token whose
// configuration sets no ttl, in case Close never runs (a crashed run).
const defaultEphemeralTTL = 3600

const ephemeralPrivateKey = "token"

type userTokenEphemeralResource struct {
	data *providerData
}

func newUserTokenEphemeralResource() ephemeral.EphemeralResource {
	return &userTokenEphemeralResource{}
}

type userTokenEphemeralModel struct {
	Username    types.String      `tfsdk:"username"`
	Name        types.String      `tfsdk:"name"`
	TTL         types.Number      `tfsdk:"ttl"`
	TokenType   types.String      `tfsdk:"token_type"`
	Description types.String      `tfsdk:"description"`
	ID          types.String      `tfsdk:"id"`
	Token       types.String      `tfsdk:"token"`
	CreatedTS   timetypes.RFC3339 `tfsdk:"created_ts"`
	ExpireAt    timetypes.RFC3339 `tfsdk:"expire_at"`
	ReadOnly    types.Bool        `tfsdk:"read_only"`
}

// ephemeralPrivate is what Close needs to invalidate the token. No secret.
type ephemeralPrivate struct {
	Username string `json:"username"`
	ID       string `json:"id"`
	// ExpireAt (RFC 3339) is for messages; absent in data of older versions.
	ExpireAt string `json:"expire_at,omitempty"`
}

func (e *userTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_token"
}

func (e *userTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived MotherDuck access token that never touches state or plan files (Terraform 1.10 " +
			"or later). It is minted when Terraform opens it and invalidated when Terraform closes it, at the end of the " +
			"run. Terraform opens ephemeral resources during `plan` **and** during `apply`, so each run mints (and then " +
			"invalidates) its own token. Use it to feed another provider's configuration or a write-only attribute.\n\n" +
			"Terraform does not close it when something that uses it fails, nor when the run is interrupted. The " +
			"provider process that opened it then invalidates it itself: when Terraform stops the process at the end " +
			"of the run, when the process gets SIGTERM or SIGHUP, and when it finds Terraform gone (killed). What it " +
			"cannot cover: the provider process killed outright (SIGKILL, the out-of-memory killer, a lost machine), " +
			"or the API unreachable at that moment. Such a token stays valid until its `ttl` ends. When invalidating " +
			"it fails at close, the run fails with an error that names the token's id and how to invalidate it.",
		Attributes: map[string]schema.Attribute{
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user the token belongs to. " + usernameRulesDescription(),
				Validators:          []validator.String{usernameValidator()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: nameDescription(),
				Validators:          []validator.String{tokenNameValidator()},
			},
			"ttl": schema.NumberAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("Lifetime in whole seconds, from %d to %d. Default %d (one hour), so a token "+
					"nobody could invalidate (a provider process killed outright) still dies soon.", minTTL, maxTTL, defaultEphemeralTTL),
				Validators: []validator.Number{ttlValidator{}},
			},
			"token_type": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: fmt.Sprintf("The kind of token: %s. Default `%s`.", quoteList(tokenTypes), tokenTypes[0]),
				Validators:          []validator.String{stringvalidator.OneOf(tokenTypes...)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A description, " + descriptionRule + " (dropped by regions without descriptions).",
				Validators:          []validator.String{descriptionValidator()},
			},
			"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "The token's id."},
			"token":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "The secret."},
			"created_ts": schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "When the token was minted (RFC 3339)."},
			"expire_at":  schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "When the token expires (RFC 3339)."},
			"read_only":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the token can only read."},
		},
	}
}

func (e *userTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredData("ephemeral resource", req.ProviderData, &resp.Diagnostics)
}

func (e *userTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m userTokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireClient(e.data, &resp.Diagnostics) ||
		!checkTokenPolicyOpen(ctx, e.data, req.Config, &resp.Diagnostics) { // token_policy.go
		return
	}
	if m.TTL.IsNull() {
		m.TTL = types.NumberValue(big.NewFloat(defaultEphemeralTTL))
	}
	if m.TokenType.IsNull() {
		m.TokenType = types.StringValue(tokenTypes[0])
	}
	username := m.Username.ValueString()
	defer e.data.open.begin()()
	created, err := e.data.client.CreateToken(ctx, username, createRequest(m.Name, m.TTL, m.TokenType, m.Description))
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(e.data, fmt.Sprintf("mint ephemeral token %q for user %q", m.Name.ValueString(), username), username, err))
		// What the failed mint left is settled before the provider stops.
		var ambiguous *client.AmbiguousMintError
		if errors.As(err, &ambiguous) {
			e.data.open.owe(e.data.client, username, ambiguous.Owed)
		}
		return
	}
	e.data.open.owe(e.data.client, username, created.Owed)
	ctx = maskSecrets(ctx, created.Secret)
	// Open until Close or the provider's shutdown revokes it.
	e.data.open.add(e.data.client, username, created.ID)

	p := ephemeralPrivate{Username: username, ID: created.ID}
	if created.ExpireAt != nil {
		p.ExpireAt = rfc3339(*created.ExpireAt).ValueString()
	}
	private, err := json.Marshal(p)
	if err == nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, ephemeralPrivateKey, private)...)
	}
	if err != nil || resp.Diagnostics.HasError() {
		// Without private data Close could not invalidate it: do it now.
		resp.Diagnostics.AddError("Could Not Keep Ephemeral Token", fmt.Sprintf("Token %s of user %q was minted but could not "+
			"be recorded for Terraform to close it, so the provider invalidates it now.", created.ID, username))
		resp.Diagnostics.Append(e.revoke(context.WithoutCancel(ctx), p, "right after minting it")...)
		return
	}
	tflog.Info(ctx, "opened ephemeral MotherDuck token", map[string]any{"username": username, "token_id": created.ID})

	m.ID = types.StringValue(created.ID)
	m.Token = types.StringValue(created.Secret)
	m.TokenType = types.StringValue(created.TokenType)
	m.ReadOnly = types.BoolValue(created.ReadOnly)
	m.CreatedTS = rfc3339(created.CreatedTS)
	m.ExpireAt = rfc3339OrNull(created.ExpireAt)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

func (e *userTokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, ephemeralPrivateKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || raw == nil {
		return
	}
	var p ephemeralPrivate
	if err := json.Unmarshal(raw, &p); err != nil {
		resp.Diagnostics.AddError("Corrupt Ephemeral Token Data", "Could not read which token to invalidate: "+err.Error())
		return
	}
	if !requireClient(e.data, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(e.revoke(ctx, p, "when Terraform closed it")...)
}

// revoke invalidates the ephemeral token p, with the client's retries and the
// resource's default time limit, as the resource's Delete does. A token that
// is already invalid counts as invalidated. One still valid stays in the
// provider's open set, so that its shutdown tries again, and the diagnostic
// says so and how to invalidate it by hand. when says when this ran.
func (e *userTokenEphemeralResource) revoke(ctx context.Context, p ephemeralPrivate, when string) diag.Diagnostics {
	ctx, cancel := context.WithTimeout(ctx, defaultOperationTimeout)
	defer cancel()
	err := e.data.client.DeleteToken(ctx, p.Username, p.ID)
	if err != nil && !client.IsNotFound(err) {
		until := ""
		if p.ExpireAt != "" {
			until = " until it expires at " + p.ExpireAt
		}
		return diag.Diagnostics{diag.NewErrorDiagnostic("Ephemeral Token Still Valid", fmt.Sprintf(
			"Could not invalidate ephemeral token %[1]s of user %[2]q %[3]s, so it can still be used%[4]s. "+
				"The provider tries again when Terraform stops it at the end of this run. To be sure, invalidate it "+
				"yourself with an admin token: DELETE /v1/users/%[5]s/tokens/%[1]s on the MotherDuck REST API "+
				"(an answer 404 means it is already invalid).\n\n%[6]s",
			p.ID, p.Username, when, until, url.PathEscape(p.Username), cause(err)))}
	}
	e.data.open.remove(p.Username, p.ID)
	tflog.Info(ctx, "closed ephemeral MotherDuck token", map[string]any{"username": p.Username, "token_id": p.ID})
	return nil
}
