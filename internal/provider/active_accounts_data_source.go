package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ datasource.DataSource              = (*activeAccountsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*activeAccountsDataSource)(nil)
)

type activeAccountsDataSource struct {
	data *providerData
}

func newActiveAccountsDataSource() datasource.DataSource { return &activeAccountsDataSource{} }

type activeAccountsModel struct {
	Accounts []activeAccountModel `tfsdk:"accounts"`
}

type activeAccountModel struct {
	Username  types.String    `tfsdk:"username"`
	Ducklings []ducklingModel `tfsdk:"ducklings"`
}

type ducklingModel struct {
	ID     types.String `tfsdk:"id"`
	Type   types.String `tfsdk:"type"`
	Status types.String `tfsdk:"status"`
}

func activeAccountFromAPI(a client.ActiveAccount) activeAccountModel {
	m := activeAccountModel{Username: types.StringValue(a.Username), Ducklings: make([]ducklingModel, 0, len(a.Ducklings))}
	for _, d := range a.Ducklings {
		m.Ducklings = append(m.Ducklings, ducklingModel{ID: types.StringValue(d.ID), Type: types.StringValue(d.Type), Status: types.StringValue(d.Status)})
	}
	return m
}

func (d *activeAccountsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_active_accounts"
}

func (d *activeAccountsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The accounts of the organization that have Ducklings running now (active or cooling down), " +
			"with those Ducklings, as `GET /v1/active_accounts` (a preview call that needs the Admin role) lists them.\n\n" +
			"This is information to read, not something to converge on: the answer changes by itself as Ducklings start " +
			"and stop, so a resource argument built from it would change between runs. It names accounts, so `accounts` " +
			"is marked sensitive; wrap it in `nonsensitive()` where you mean to show it.",
		Attributes: map[string]schema.Attribute{
			"accounts": schema.ListNestedAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The accounts with at least one Duckling running, sorted by `username`; each account's " +
					"Ducklings sorted by `id`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"username": schema.StringAttribute{Computed: true, MarkdownDescription: "The account's username."},
					"ducklings": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The account's running Ducklings.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id":     schema.StringAttribute{Computed: true, MarkdownDescription: "`rw` for the read/write Duckling, `rs.N` for read-scaling replica N."},
							"type":   schema.StringAttribute{Computed: true, MarkdownDescription: "`read_write` or `read_scaling`."},
							"status": schema.StringAttribute{Computed: true, MarkdownDescription: "`active` or `cooldown`."},
						}},
					},
				}},
			},
		},
	}
}

func (d *activeAccountsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData("data source", req.ProviderData, &resp.Diagnostics)
}

func (d *activeAccountsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	accounts, err := d.data.client.ListActiveAccounts(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(d.data, "list the accounts with running Ducklings", "", err))
		return
	}
	m := activeAccountsModel{Accounts: make([]activeAccountModel, 0, len(accounts))}
	for _, a := range accounts {
		m.Accounts = append(m.Accounts, activeAccountFromAPI(a))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
