package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ list.ListResource              = (*userTokenListResource)(nil)
	_ list.ListResourceWithConfigure = (*userTokenListResource)(nil)
)

// userTokenListResource serves `terraform query` (Terraform 1.14+): it lists
// a user's tokens so that import blocks can be generated for them.
type userTokenListResource struct {
	data *providerData
}

func newUserTokenListResource() list.ListResource { return &userTokenListResource{} }

type userTokenListConfig struct {
	Username types.String `tfsdk:"username"`
	Name     types.String `tfsdk:"name"`
}

func (l *userTokenListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_token"
}

func (l *userTokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the valid tokens of one user, for `terraform query` and generated import configuration, " +
			"oldest first (by `created_ts`, then `id`; `limit` keeps the oldest). Secrets are never listed.",
		Attributes: map[string]schema.Attribute{
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user whose tokens to list.",
				Validators:          []validator.String{usernameValidator()},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "List only the tokens with exactly this name.",
			},
		},
	}
}

func (l *userTokenListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredData("list resource", req.ProviderData, &resp.Diagnostics)
}

func (l *userTokenListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg userTokenListConfig
	var diags diag.Diagnostics
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if diags.HasError() || !requireClient(l.data, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	username := cfg.Username.ValueString()
	tokens, err := l.data.client.ListTokens(ctx, username)
	if err != nil {
		diags.Append(apiErrorDiag(l.data, fmt.Sprintf("list the tokens of user %q", username), username, err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var sent int64
		for _, t := range byCreation(tokens) {
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			if !cfg.Name.IsNull() && t.Name != cfg.Name.ValueString() {
				continue
			}
			result := req.NewListResult(ctx)
			result.DisplayName = fmt.Sprintf("%s (%s)", t.Name, t.ID)
			result.Diagnostics.Append(result.Identity.Set(ctx, userTokenIdentity{
				Username: types.StringValue(username), ID: types.StringValue(t.ID),
			})...)
			if req.IncludeResource {
				// What an import would read: like ImportState, start from
				// username and id with every other attribute null; like Read,
				// map the API's token onto that.
				res := result.Resource
				result.Diagnostics.Append(res.SetAttribute(ctx, path.Root("username"), username)...)
				result.Diagnostics.Append(res.SetAttribute(ctx, path.Root("id"), t.ID)...)
				var m userTokenModel
				result.Diagnostics.Append(res.Get(ctx, &m)...)
				if !result.Diagnostics.HasError() {
					applyListed(&m, t)
					m.TTL = ttlFromToken(t)
					result.Diagnostics.Append(res.Set(ctx, &m)...)
				}
			}
			sent++
			if !push(result) {
				return
			}
		}
	}
}
