package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ ephemeral.EphemeralResource                   = (*diveEmbedSessionEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure      = (*diveEmbedSessionEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*diveEmbedSessionEphemeralResource)(nil)
)

// Limits of an embed-session request, counted as compact UTF-8 JSON (the
// contract's README).
const (
	maxRequiredResourcesBytes = 8192
	maxInitialStateBytes      = 65536
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

type diveEmbedSessionEphemeralResource struct {
	data *providerData
}

func newDiveEmbedSessionEphemeralResource() ephemeral.EphemeralResource {
	return &diveEmbedSessionEphemeralResource{}
}

type diveEmbedSessionModel struct {
	DiveID            types.String         `tfsdk:"dive_id"`
	Username          types.String         `tfsdk:"username"`
	SessionName       types.String         `tfsdk:"session_name"`
	Version           types.Int64          `tfsdk:"version"`
	RequiredResources []embedResourceModel `tfsdk:"required_resources"`
	InitialState      types.String         `tfsdk:"initial_state"`
	Session           types.String         `tfsdk:"session"`
}

type embedResourceModel struct {
	URL   types.String `tfsdk:"url"`
	Alias types.String `tfsdk:"alias"`
}

func (e *diveEmbedSessionEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dive_embed_session"
}

func (e *diveEmbedSessionEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Dive embed session (`POST /v1/dives/{dive_id}/embed-session`): an opaque credential with " +
			"which an application shows a Dive, run as a service account. It carries a read-only token that expires after " +
			"24 hours, and **no call can revoke it**, so it is only ever an ephemeral value (Terraform 1.10 or later): it " +
			"never reaches state, plan files or plan output, and the provider never logs it. There is deliberately no data " +
			"source, which would keep it in state. Hand it to the application through a write-only argument of another " +
			"provider (Terraform 1.11 or later).\n\n" +
			"Terraform opens ephemeral resources during `plan` **and** during `apply`, so each run creates (at least) two " +
			"sessions; each expires on its own. The request is not idempotent: it is repeated only after a `429` or a " +
			"connection that certainly never reached MotherDuck. After any other failure a session may have been created " +
			"whose value nobody received; the error says so, and that session expires within 24 hours.",
		Attributes: map[string]schema.Attribute{
			"dive_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The Dive's id, a UUID.",
				Validators:          []validator.String{stringvalidator.RegexMatches(uuidPattern, "must be a UUID such as 0b6f3c1e-2a4d-4e8f-9c3b-5d7a1e2f4c6b")},
			},
			"username": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("The service account the embedded Dive runs as, %d to %d characters; it %s. "+
					"The Dive's data must be shared to it.", minServiceAccountUsernameLength, maxUsernameLength, serviceAccountUsernameRule),
				Validators: []validator.String{
					stringvalidator.LengthBetween(minServiceAccountUsernameLength, maxUsernameLength),
					stringvalidator.RegexMatches(serviceAccountUsernamePattern, serviceAccountUsernameRule),
				},
			},
			"session_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Requests with the same name reuse one read-scaling session. Not empty.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "The Dive version to embed, 1 or more; the current version when left out.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"required_resources": schema.ListNestedAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Replaces the databases and shares the Dive declares, for this session only. "+
					"An empty list declares none: the whole workspace of the service account is then attached. At most %d "+
					"bytes as compact JSON.", maxRequiredResourcesBytes),
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"url": schema.StringAttribute{Required: true, MarkdownDescription: "The database or share URL.",
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
					"alias": schema.StringAttribute{Optional: true, MarkdownDescription: "The name to attach it under."},
				}},
			},
			"initial_state": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Starting values of the Dive's state keys: a JSON object, for example "+
					"`jsonencode({ region = \"emea\" })`. At most %d bytes as compact JSON.", maxInitialStateBytes),
				Validators: []validator.String{stringCheck{summary: "Invalid Initial State", desc: "a JSON object", problem: initialStateProblem}},
			},
			"session": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The embed session credential. Valid for 24 hours; it cannot be revoked.",
			},
		},
	}
}

// initialStateProblem says why s is not a usable initial_state, or "".
func initialStateProblem(s string) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		return "must be a JSON object, such as jsonencode({ key = \"value\" })"
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(s)); err == nil && compact.Len() > maxInitialStateBytes {
		return fmt.Sprintf("is %d bytes as compact JSON, more than the %d MotherDuck accepts", compact.Len(), maxInitialStateBytes)
	}
	return ""
}

// requiredResources maps the configuration to the request's field: nil when
// left out, an empty (non-nil) list for [].
func requiredResources(in []embedResourceModel) []client.EmbedResource {
	if in == nil {
		return nil
	}
	out := make([]client.EmbedResource, 0, len(in))
	for _, r := range in {
		out = append(out, client.EmbedResource{URL: r.URL.ValueString(), Alias: r.Alias.ValueString()})
	}
	return out
}

// ValidateConfig checks, at plan, the size of required_resources, which no
// attribute validator sees whole.
func (e *diveEmbedSessionEphemeralResource) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var list types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("required_resources"), &list)...)
	if resp.Diagnostics.HasError() || list.IsNull() || !fullyKnown(list) {
		return // nothing to check, or checked again once known
	}
	var res []embedResourceModel
	resp.Diagnostics.Append(list.ElementsAs(ctx, &res, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b, err := client.CompactJSON(requiredResources(res)) // as the request sends it
	if err != nil {
		return
	}
	if n := len(b); n > maxRequiredResourcesBytes {
		resp.Diagnostics.AddAttributeError(path.Root("required_resources"), "Required Resources Too Large",
			fmt.Sprintf("required_resources is %d bytes as compact JSON, more than the %d MotherDuck accepts. List fewer "+
				"resources, or leave required_resources out to use the ones the Dive declares.", n, maxRequiredResourcesBytes))
	}
}

// fullyKnown reports whether v holds no unknown value, at any depth.
func fullyKnown(v attr.Value) bool {
	raw, err := v.ToTerraformValue(context.Background())
	return err == nil && raw.IsFullyKnown()
}

func (e *diveEmbedSessionEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredData("ephemeral resource", req.ProviderData, &resp.Diagnostics)
}

func (e *diveEmbedSessionEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m diveEmbedSessionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireClient(e.data, &resp.Diagnostics) {
		return
	}
	diveID, username := m.DiveID.ValueString(), m.Username.ValueString()
	body := client.EmbedSessionRequest{
		Username:          username,
		SessionName:       m.SessionName.ValueString(),
		Version:           m.Version.ValueInt64(),
		RequiredResources: requiredResources(m.RequiredResources),
	}
	if !m.InitialState.IsNull() {
		body.InitialState = json.RawMessage(m.InitialState.ValueString())
	}
	ctx, cancel := context.WithTimeout(ctx, defaultOperationTimeout)
	defer cancel()
	session, err := e.data.client.CreateEmbedSession(ctx, diveID, body)
	if err != nil {
		resp.Diagnostics.Append(embedSessionErrorDiag(e.data, diveID, username, err))
		return
	}
	ctx = maskSecrets(ctx, session.Secret)
	tflog.Info(ctx, "opened Dive embed session", map[string]any{"dive_id": diveID, "username": username})
	m.Session = types.StringValue(session.Secret)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// embedSessionErrorDiag is apiErrorDiag for the embed-session call, whose
// ambiguous failure, 404 and 403 mean something of their own.
func embedSessionErrorDiag(data *providerData, diveID, username string, err error) diag.Diagnostic {
	action := fmt.Sprintf("create an embed session for Dive %s as %q", diveID, username)
	var ambiguous *client.AmbiguousEmbedSessionError
	switch {
	case errors.As(err, &ambiguous):
		return diag.NewErrorDiagnostic("Embed Session Outcome Unknown", fmt.Sprintf("Could not %s: the request failed after "+
			"it may have reached MotherDuck, so a session may have been created whose value never arrived. It was not sent "+
			"again, because every request creates a new session. Such a session cannot be listed or revoked; nobody holds "+
			"its value, and it expires on its own within 24 hours. Run again to create a new session.\n\n%s", action, cause(err)))
	case client.IsNotFound(err):
		return diag.NewErrorDiagnostic("Dive or Service Account Not Found", fmt.Sprintf("Could not %s: MotherDuck answered "+
			"404 Not Found: the Dive or the service account does not exist in the organization of the provider's token. "+
			"Check dive_id and username. No session was created.\n\n%s", action, cause(err)))
	case client.IsForbidden(err):
		return diag.NewErrorDiagnostic("MotherDuck Refused the Operation", fmt.Sprintf("Could not %s: MotherDuck answered "+
			"403 Forbidden. Embedding a Dive needs the Business plan, and the provider's token must belong to an account "+
			"allowed to create embed sessions (the Admin role is). No session was created.\n\n%s", action, cause(err)))
	}
	return apiErrorDiag(data, action, username, err)
}
