package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ list.ListResource              = (*serviceAccountListResource)(nil)
	_ list.ListResourceWithConfigure = (*serviceAccountListResource)(nil)
)

// serviceAccountListResource serves `terraform query` (Terraform 1.14+): it
// lists the organization's service accounts so that import blocks can be
// generated for those nobody manages yet.
type serviceAccountListResource struct {
	data *providerData
}

func newServiceAccountListResource() list.ListResource { return &serviceAccountListResource{} }

func (l *serviceAccountListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service_account"
}

func (l *serviceAccountListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the organization's service accounts that are not deprovisioned (`GET /v1/users`, every " +
			"page), for `terraform query` and generated import configuration, sorted by username (`limit` keeps the first). " +
			"The provider's token needs the `member_management.view_all_members` privilege (the Admin role has it).",
	}
}

func (l *serviceAccountListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredData("list resource", req.ProviderData, &resp.Diagnostics)
}

func (l *serviceAccountListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	if !requireClient(l.data, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	yes, no := true, false
	users, err := l.data.client.ListUsers(ctx, client.UserFilter{IsServiceAccount: &yes, IsDeprovisioned: &no})
	if err != nil {
		diags.Append(listUsersErrorDiag(l.data, "list the organization's service accounts", err))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var sent int64
		for _, u := range users { // sorted by username
			// The filters are the API's; a region that ignored them must
			// not offer a person's account for import.
			if !u.IsServiceAccount || u.IsDeprovisioned {
				continue
			}
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = u.Username
			result.Diagnostics.Append(result.Identity.Set(ctx, serviceAccountIdentity{Username: types.StringValue(u.Username)})...)
			if req.IncludeResource {
				// What an import followed by Read would hold: ImportState
				// sets username and id, Read turns deletion_protection on.
				res := result.Resource
				result.Diagnostics.Append(res.SetAttribute(ctx, path.Root("username"), u.Username)...)
				result.Diagnostics.Append(res.SetAttribute(ctx, path.Root("id"), u.Username)...)
				result.Diagnostics.Append(res.SetAttribute(ctx, path.Root("deletion_protection"), true)...)
			}
			sent++
			if !push(result) {
				return
			}
		}
	}
}
