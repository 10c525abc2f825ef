package provider

import (
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// userTokenModel is the resource's state and plan.
type userTokenModel struct {
	ID           types.String      `tfsdk:"id"`
	Username     types.String      `tfsdk:"username"`
	Name         types.String      `tfsdk:"name"`
	TTL          types.Number      `tfsdk:"ttl"`
	TokenType    types.String      `tfsdk:"token_type"`
	Description  types.String      `tfsdk:"description"`
	Keepers      types.Map         `tfsdk:"keepers"`
	RotateBefore goDuration        `tfsdk:"rotate_before"`
	Token        types.String      `tfsdk:"token"`
	CreatedTS    timetypes.RFC3339 `tfsdk:"created_ts"`
	ExpireAt     timetypes.RFC3339 `tfsdk:"expire_at"`
	ReadOnly     types.Bool        `tfsdk:"read_only"`
	Timeouts     timeouts.Value    `tfsdk:"timeouts"`

	KeepPrevious     types.Bool        `tfsdk:"keep_previous"`
	PreviousID       types.String      `tfsdk:"previous_id"`
	PreviousToken    types.String      `tfsdk:"previous_token"`
	PreviousExpireAt timetypes.RFC3339 `tfsdk:"previous_expire_at"`
	PendingRevokeIDs types.List        `tfsdk:"pending_revoke_ids"`
}

// sameModel reports whether every attribute of a equals b's (attr.Value
// Equal: type and value).
func sameModel(a, b userTokenModel) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		x, okA := va.Field(i).Interface().(attr.Value)
		y, okB := vb.Field(i).Interface().(attr.Value)
		if !okA || !okB || !x.Equal(y) {
			return false
		}
	}
	return true
}

// userTokenIdentity is the resource identity: what names one token.
type userTokenIdentity struct {
	Username types.String `tfsdk:"username"`
	ID       types.String `tfsdk:"id"`
}

// createRequest builds the mint request from Terraform values.
// ttl is a whole number of seconds (ttlValidator); null sends none.
func createRequest(name types.String, ttl types.Number, tokenType, description types.String) client.CreateTokenRequest {
	var secs int64
	if f := ttl.ValueBigFloat(); f != nil {
		secs, _ = f.Int64()
	}
	return client.CreateTokenRequest{
		Name:        name.ValueString(),
		TTL:         secs,
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
	// State from before keep_previous existed, or from import, has none.
	if m.KeepPrevious.IsNull() {
		m.KeepPrevious = types.BoolValue(false)
	}
	m.CreatedTS = rfc3339(t.CreatedTS)
	m.ExpireAt = rfc3339OrNull(t.ExpireAt)
	// A region without descriptions does not return the field: keep what
	// was configured rather than planning a replacement on every run.
	if t.Description != nil {
		m.Description = types.StringValue(*t.Description)
	}
}

// unansweredState is plan as the state of a token whose mint answer was
// lost: its id (or the pending placeholder's), no secret, no timestamps and
// no previous token; read_only follows token_type.
func unansweredState(plan userTokenModel, id string) userTokenModel {
	state := plan
	state.ID = types.StringValue(id)
	state.Token = types.StringNull()
	state.CreatedTS = timetypes.NewRFC3339Null()
	state.ExpireAt = timetypes.NewRFC3339Null()
	state.ReadOnly = types.BoolValue(plan.TokenType.ValueString() == client.TokenTypeReadScaling)
	clearPrevious(&state)
	return state
}

// ttlFromToken derives ttl from expire_at - created_ts for an imported token.
// ttl is a whole number of seconds, so the difference is rounded to the
// second: a server may keep one timestamp with sub-second precision and not
// the other. Outside the accepted range there is no ttl that made the token.
func ttlFromToken(t client.Token) types.Number {
	if t.ExpireAt == nil {
		return types.NumberNull()
	}
	secs := math.Round(t.ExpireAt.Sub(t.CreatedTS).Seconds())
	if secs < minTTL || secs > maxTTL {
		return types.NumberNull()
	}
	return types.NumberValue(big.NewFloat(secs))
}

// rfc3339 maps an API timestamp to state, in UTC and with the sub-second
// digits the API sent (RFC3339Nano): timetypes.NewRFC3339TimeValue would drop
// them, and state would then no longer be what earlier versions wrote.
func rfc3339(t time.Time) timetypes.RFC3339 {
	return timetypes.RFC3339{StringValue: types.StringValue(t.UTC().Format(time.RFC3339Nano))}
}

// rfc3339OrNull maps an optional API timestamp (expire_at) to state.
func rfc3339OrNull(t *time.Time) timetypes.RFC3339 {
	if t == nil {
		return timetypes.NewRFC3339Null()
	}
	return rfc3339(*t)
}
