package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ datasource.DataSource              = (*usersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)
)

type usersDataSource struct {
	data *providerData
}

func newUsersDataSource() datasource.DataSource { return &usersDataSource{} }

type usersModel struct {
	IsServiceAccount types.Bool  `tfsdk:"is_service_account"`
	IsDeprovisioned  types.Bool  `tfsdk:"is_deprovisioned"`
	Users            []userModel `tfsdk:"users"`
}

// userModel is one user as GET /v1/users lists it.
type userModel struct {
	ID               types.String `tfsdk:"id"`
	Username         types.String `tfsdk:"username"`
	Email            types.String `tfsdk:"email"`
	FirstName        types.String `tfsdk:"first_name"`
	LastName         types.String `tfsdk:"last_name"`
	IsServiceAccount types.Bool   `tfsdk:"is_service_account"`
	IsDeprovisioned  types.Bool   `tfsdk:"is_deprovisioned"`
	Roles            []string     `tfsdk:"roles"`
}

func userModelFromAPI(u client.User) userModel {
	return userModel{
		ID:               types.StringValue(u.ID),
		Username:         types.StringValue(u.Username),
		Email:            types.StringPointerValue(u.Email),
		FirstName:        types.StringPointerValue(u.FirstName),
		LastName:         types.StringPointerValue(u.LastName),
		IsServiceAccount: types.BoolValue(u.IsServiceAccount),
		IsDeprovisioned:  types.BoolValue(u.IsDeprovisioned),
		Roles:            u.Roles,
	}
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organization's users and service accounts, as `GET /v1/users` lists them. Every page is " +
			"read. The provider's token needs the `member_management.view_all_members` privilege (the Admin role has it).",
		Attributes: map[string]schema.Attribute{
			"is_service_account": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`true` lists only service accounts, `false` only people; left out, both.",
			},
			"is_deprovisioned": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`true` lists only deprovisioned users, `false` only active ones; left out, both.",
			},
			"users": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The users, each once (de-duplicated by `id`), sorted by `username` and then `id`, " +
					"whatever order the API answers in, so that the list does not change between runs when the users do not.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                 schema.StringAttribute{Computed: true, MarkdownDescription: "The user's id."},
					"username":           schema.StringAttribute{Computed: true, MarkdownDescription: "The username."},
					"email":              schema.StringAttribute{Computed: true, MarkdownDescription: "The email address, or null (most service accounts)."},
					"first_name":         schema.StringAttribute{Computed: true, MarkdownDescription: "The first name, or null (most service accounts)."},
					"last_name":          schema.StringAttribute{Computed: true, MarkdownDescription: "The last name, or null (most service accounts)."},
					"is_service_account": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the user is a service account."},
					"is_deprovisioned":   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the user is deprovisioned."},
					"roles": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The roles granted directly to the user (not inherited ones)."},
				}},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData("data source", req.ProviderData, &resp.Diagnostics)
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg usersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	users, err := d.data.client.ListUsers(ctx, client.UserFilter{
		IsServiceAccount: cfg.IsServiceAccount.ValueBoolPointer(),
		IsDeprovisioned:  cfg.IsDeprovisioned.ValueBoolPointer(),
	})
	if err != nil {
		resp.Diagnostics.Append(listUsersErrorDiag(d.data, "list the organization's users", err))
		return
	}
	cfg.Users = make([]userModel, 0, len(users))
	for _, u := range users {
		cfg.Users = append(cfg.Users, userModelFromAPI(u))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// listUsersErrorDiag is apiErrorDiag for GET /v1/users, whose 403 and 404
// mean something of their own: a missing privilege (not the Admin role
// alone), and a region without the call.
func listUsersErrorDiag(data *providerData, action string, err error) diag.Diagnostic {
	var apiErr *client.APIError
	switch {
	case client.IsForbidden(err):
		return diag.NewErrorDiagnostic("MotherDuck Refused the Operation", fmt.Sprintf("Could not %s: MotherDuck answered "+
			"403 Forbidden. Listing users needs the member_management.view_all_members privilege; give the user of the "+
			"provider's token a role that holds it (the Admin role does).\n\n%s", action, cause(err)))
	case errors.As(err, &apiErr) && apiErr.StatusCode == 404 && apiErr.Code == "":
		return diag.NewErrorDiagnostic("MotherDuck User List Not Available", fmt.Sprintf("Could not %s: %s %s answered a "+
			"plain 404 Not Found. Either api_url is not the root URL of the MotherDuck API (such as %s), or the region "+
			"does not offer the user list yet (it was released in October 2026).\n\n%s", action, apiErr.Method, apiErr.URL,
			DefaultAPIURL, cause(err)))
	}
	return apiErrorDiag(data, action, "", err)
}
