package provider

import (
	"math"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// userTokenModel is the resource's state and plan.
type userTokenModel struct {
	ID           types.String   `tfsdk:"id"`
	Username     types.String   `tfsdk:"username"`
	Name         types.String   `tfsdk:"name"`
	TTL          types.Int64    `tfsdk:"ttl"`
	TokenType    types.String   `tfsdk:"token_type"`
	Description  types.String   `tfsdk:"description"`
	Keepers      types.Map      `tfsdk:"keepers"`
	RotateBefore types.String   `tfsdk:"rotate_before"`
	Token        types.String   `tfsdk:"token"`
	CreatedTS    types.String   `tfsdk:"created_ts"`
	ExpireAt     types.String   `tfsdk:"expire_at"`
	ReadOnly     types.Bool     `tfsdk:"read_only"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// userTokenIdentity is the resource identity: what names one token.
type userTokenIdentity struct {
	Username types.String `tfsdk:"username"`
	ID       types.String `tfsdk:"id"`
}

// createRequest builds the mint request from Terraform values.
func createRequest(name types.String, ttl types.Int64, tokenType, description types.String) client.CreateTokenRequest {
	return client.CreateTokenRequest{
		Name:        name.ValueString(),
		TTL:         ttl.ValueInt64(),
		TokenType:   tokenType.ValueString(),
		Description: description.ValueString(),
	}
}

// applyListed copies what the API says about a token into the model. It is
// the one mapping from API to state, used by Create, Read and import.
func applyListed(m *userTokenModel, t client.Token) {
	m.ID = types.StringValue(t.ID)
	if t.Name != "" {
		m.Name = types.StringValue(t.Name)
	}
	if t.TokenType != "" {
		m.TokenType = types.StringValue(t.TokenType)
	}
	m.ReadOnly = types.BoolValue(t.ReadOnly)
	m.CreatedTS = types.StringValue(formatTimestamp(t.CreatedTS))
	m.ExpireAt = timestampOrNull(t.ExpireAt)
	// A region without descriptions does not return the field: keep what
	// was configured rather than planning a replacement on every run.
	if t.Description != nil {
		m.Description = types.StringValue(*t.Description)
	}
}

// ttlFromToken derives ttl from expire_at - created_ts for an imported token.
// ttl is a whole number of seconds, so the difference is rounded to the
// second: a server may keep one timestamp with sub-second precision and not
// the other. Outside the accepted range there is no ttl that made the token.
func ttlFromToken(t client.Token) types.Int64 {
	if t.ExpireAt == nil {
		return types.Int64Null()
	}
	secs := math.Round(t.ExpireAt.Sub(t.CreatedTS).Seconds())
	if secs < minTTL || secs > maxTTL {
		return types.Int64Null()
	}
	return types.Int64Value(int64(secs))
}

func formatTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// timestampOrNull maps an optional API timestamp (expire_at) to state.
func timestampOrNull(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(formatTimestamp(*t))
}

func parseTimestamp(v types.String) (time.Time, bool) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v.ValueString())
	return t, err == nil
}
