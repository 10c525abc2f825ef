package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ datasource.DataSource              = (*ducklingConfigDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*ducklingConfigDataSource)(nil)
)

type ducklingConfigDataSource struct {
	data *providerData
}

func newDucklingConfigDataSource() datasource.DataSource { return &ducklingConfigDataSource{} }

func (d *ducklingConfigDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_duckling_config"
}

func (d *ducklingConfigDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	cooldown := schema.NumberAttribute{Computed: true, MarkdownDescription: fmt.Sprintf(
		"Seconds a Duckling stays running after its last query (%d to %d), or null for `%s`.", minCooldownSeconds, maxCooldownSeconds, pulseSize)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Duckling (compute) configuration of a MotherDuck user or service account, as MotherDuck " +
			"holds it now (`GET /v1/users/{username}/instances`, which needs the Admin role). A user that never set " +
			"anything reads the organization's defaults.",
		Attributes: map[string]schema.Attribute{
			"id": computed("The username."),
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user or service account to read. " + usernameRulesDescription(),
				Validators:          []validator.String{usernameValidator()},
			},
			"read_write": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The read/write Duckling.",
				Attributes: map[string]schema.Attribute{
					"instance_size":    computed(fmt.Sprintf("Its size: one of %s.", quoteList(instanceSizes))),
					"cooldown_seconds": cooldown,
				},
			},
			"read_scaling": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The read-scaling Ducklings.",
				Attributes: map[string]schema.Attribute{
					"instance_size":    computed(fmt.Sprintf("Their size: one of %s.", quoteList(instanceSizes))),
					"flock_size":       schema.NumberAttribute{Computed: true, MarkdownDescription: flockSizeDescription()},
					"cooldown_seconds": cooldown,
				},
			},
		},
	}
}

func (d *ducklingConfigDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData("data source", req.ProviderData, &resp.Diagnostics)
}

func (d *ducklingConfigDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m ducklingConfigDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	username := m.Username.ValueString()
	cfg, err := d.data.client.GetDucklingConfig(ctx, username)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(d.data, fmt.Sprintf("read the Duckling configuration of user %q", username), username, err))
		return
	}
	m.ID = m.Username
	m.ReadWrite, m.ReadScaling = ducklingHalves(ctx, cfg, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
