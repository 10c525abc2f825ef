package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ datasource.DataSource              = (*userTokensDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*userTokensDataSource)(nil)
)

type userTokensDataSource struct {
	data *providerData
}

func newUserTokensDataSource() datasource.DataSource { return &userTokensDataSource{} }

type userTokensModel struct {
	Username types.String       `tfsdk:"username"`
	Tokens   []listedTokenModel `tfsdk:"tokens"`
}

// listedTokenModel is one token as the API lists it: never a secret.
type listedTokenModel struct {
	ID          types.String      `tfsdk:"id"`
	Name        types.String      `tfsdk:"name"`
	TokenType   types.String      `tfsdk:"token_type"`
	ReadOnly    types.Bool        `tfsdk:"read_only"`
	CreatedTS   timetypes.RFC3339 `tfsdk:"created_ts"`
	ExpireAt    timetypes.RFC3339 `tfsdk:"expire_at"`
	Description types.String      `tfsdk:"description"`
}

func (d *userTokensDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_tokens"
}

func (d *userTokensDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The valid (not invalidated, not expired) access tokens of one user, as the API lists them. " +
			"Secrets are never listed: MotherDuck returns a token's secret only once, when it is minted.",
		Attributes: map[string]schema.Attribute{
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user whose tokens to list. " + usernameRulesDescription(),
				Validators:          []validator.String{usernameValidator()},
			},
			"tokens": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The user's tokens, oldest first (by `created_ts`, then `id`), whatever order the API answers in, so that " +
					"the list does not change between runs when the tokens do not.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "The token's id."},
					"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "The token's name."},
					"token_type":  schema.StringAttribute{Computed: true, MarkdownDescription: "`read_write` or `read_scaling`."},
					"read_only":   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the token can only read."},
					"created_ts":  schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "When the token was minted (RFC 3339)."},
					"expire_at":   schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "When it expires (RFC 3339), or null if never."},
					"description": schema.StringAttribute{Computed: true, MarkdownDescription: "Its description, where the API returns one."},
				}},
			},
		},
	}
}

func (d *userTokensDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData("data source", req.ProviderData, &resp.Diagnostics)
}

func (d *userTokensDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg userTokensModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireClient(d.data, &resp.Diagnostics) {
		return
	}
	username := cfg.Username.ValueString()
	tokens, err := d.data.client.ListTokens(ctx, username)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(d.data, fmt.Sprintf("list the tokens of user %q", username), username, err))
		return
	}
	// An empty slice, not nil: a user without tokens lists [], not null.
	cfg.Tokens = make([]listedTokenModel, 0, len(tokens))
	for _, t := range byCreation(tokens) { // the client lists only unexpired tokens
		cfg.Tokens = append(cfg.Tokens, listedTokenModel{
			ID:          types.StringValue(t.ID),
			Name:        types.StringValue(t.Name),
			TokenType:   types.StringValue(t.TokenType),
			ReadOnly:    types.BoolValue(t.ReadOnly),
			CreatedTS:   rfc3339(t.CreatedTS),
			ExpireAt:    rfc3339OrNull(t.ExpireAt),
			Description: types.StringPointerValue(t.Description),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// byCreation sorts tokens oldest first, by created_ts and then id: the API
// answers in no particular order, and outputs must not churn between runs.
func byCreation(tokens []client.Token) []client.Token {
	slices.SortStableFunc(tokens, func(a, b client.Token) int {
		if c := a.CreatedTS.Compare(b.CreatedTS); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return tokens
}
