package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// keep_previous: a rotation is an update in place that keeps the token it
// replaced valid until the next rotation. This file holds its schema, its
// plan, the rotation itself and the bookkeeping of tokens still to revoke.

// keepPreviousAttributes are the schema attributes of keep_previous.
func keepPreviousAttributes() map[string]schema.Attribute {
	keep := []planmodifier.String{noneWhenMinted{}}
	return map[string]schema.Attribute{
		"keep_previous": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "Keep the token a rotation replaces valid until the next rotation. A rotation (the `rotate_before` " +
				"window opening, a `keepers` change, or a change of `name`, `ttl`, `token_type` or `description`) is then an " +
				"update in place: the new token becomes `token`/`id`, the one it replaces becomes `previous_token`/`previous_id` " +
				"and stays valid, and the token that was previous before is invalidated. At most two tokens are live at a time. " +
				"A `username` change still replaces the resource. Turning it off invalidates the previous token. Default `false`. " +
				"A consumer takes `token` after every apply that changed it, even one that failed later: the token it holds is " +
				"then `previous_token`, and the next rotation invalidates it.",
		},
		"previous_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "With `keep_previous`, the id of the token the last rotation replaced, while it is still valid; otherwise `null`.",
			PlanModifiers:       keep,
		},
		"previous_token": schema.StringAttribute{
			Computed:  true,
			Sensitive: true,
			MarkdownDescription: "With `keep_previous`, the secret of the token the last rotation replaced, while it is still valid; " +
				"otherwise `null`. It stays valid until the next rotation (or its own `previous_expire_at`).",
			PlanModifiers: keep,
		},
		"previous_expire_at": schema.StringAttribute{
			Computed:            true,
			CustomType:          timetypes.RFC3339Type{},
			MarkdownDescription: "When the previous token expires (RFC 3339), or `null` when there is none or it never expires.",
			PlanModifiers:       keep,
		},
		"pending_revoke_ids": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "Ids of tokens this resource still has to invalidate: tokens it replaced whose invalidation " +
				"failed, and tokens that a mint of unknown outcome (a lost answer) was found to have created. The next apply " +
				"invalidates them; `null` when there are none.",
			PlanModifiers: []planmodifier.List{noneWhenMinted{}},
		},
	}
}

// noneWhenMinted plans null for what a newly minted token never has (a
// previous token, ids still to revoke), so that a create, or the create half
// of a replacement, shows none rather than a value known only after apply.
// In an update it keeps the prior state's value, as UseStateForUnknown does;
// ModifyPlan plans a rotation's values itself.
type noneWhenMinted struct{}

const noneWhenMintedDesc = "Null for a newly minted token; otherwise the prior state's value until a rotation changes it."

func (noneWhenMinted) Description(context.Context) string         { return noneWhenMintedDesc }
func (noneWhenMinted) MarkdownDescription(context.Context) string { return noneWhenMintedDesc }

func (noneWhenMinted) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() {
		resp.PlanValue = types.StringNull()
		return
	}
	stringplanmodifier.UseStateForUnknown().PlanModifyString(ctx, req, resp)
}

func (noneWhenMinted) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.State.Raw.IsNull() {
		resp.PlanValue = types.ListNull(types.StringType)
		return
	}
	listplanmodifier.UseStateForUnknown().PlanModifyList(ctx, req, resp)
}

// replaceUnlessKeepPrevious replaces the token when an input changes, unless
// keep_previous is planned true: then ModifyPlan plans a rotation in place.
func replaceUnlessKeepPrevious(ctx context.Context, plan interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}) bool {
	var keepPrevious types.Bool
	if diags := plan.GetAttribute(ctx, path.Root("keep_previous"), &keepPrevious); diags.HasError() {
		return true
	}
	return !keepPrevious.ValueBool()
}

const replaceUnlessKeepPreviousDesc = "Replaces the token when it changes, unless keep_previous is true: then it rotates in place."

func stringReplaceUnlessKeepPrevious() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = replaceUnlessKeepPrevious(ctx, req.Plan)
	}, replaceUnlessKeepPreviousDesc, replaceUnlessKeepPreviousDesc)
}

// clearPrevious sets what a freshly minted token has: no previous token and
// nothing to revoke.
func clearPrevious(m *userTokenModel) {
	m.PreviousID = types.StringNull()
	m.PreviousToken = types.StringNull()
	m.PreviousExpireAt = timetypes.NewRFC3339Null()
	m.PendingRevokeIDs = types.ListNull(types.StringType)
}

// markRotation plans a new token: everything the mint answers is unknown.
func markRotation(m *userTokenModel) {
	m.ID = types.StringUnknown()
	m.Token = types.StringUnknown()
	m.CreatedTS = timetypes.NewRFC3339Unknown()
	m.ExpireAt = timetypes.NewRFC3339Unknown()
	m.ReadOnly = types.BoolUnknown()
}

// inputsChanged reports whether an input that a token is minted from differs
// between the prior state and the plan.
func inputsChanged(plan, state userTokenModel) bool {
	return !plan.Name.Equal(state.Name) || !plan.TTL.Equal(state.TTL) || !plan.TokenType.Equal(state.TokenType) ||
		!plan.Description.Equal(state.Description) || keepersChanged(state.Keepers, plan.Keepers)
}

// inRotationWindow reports whether the token's rotate_before window is open.
func inRotationWindow(now time.Time, rotateBefore goDuration, expireAt timetypes.RFC3339) bool {
	if rotateBefore.IsNull() || rotateBefore.IsUnknown() || expireAt.IsNull() || expireAt.IsUnknown() {
		return false
	}
	window, d1 := rotateBefore.ValueGoDuration()
	exp, d2 := expireAt.ValueRFC3339Time()
	return !d1.HasError() && !d2.HasError() && !now.Before(exp.Add(-window))
}

// planKeepPrevious plans an update of a resource with keep_previous true: a
// rotation in place when one is due, the ids still to revoke otherwise.
func (r *userTokenResource) planKeepPrevious(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, state userTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !plan.Username.Equal(state.Username) {
		return // a username change replaces the resource; the create is planned apart
	}
	gone := loadDebt(ctx, req.Private, &resp.Diagnostics).CurrentGone
	window := inRotationWindow(r.now(ctx, state.Username.ValueString()), plan.RotateBefore, state.ExpireAt)
	if !gone && !window && !inputsChanged(plan, state) {
		if len(state.PendingRevokeIDs.Elements()) > 0 {
			plan.PendingRevokeIDs = types.ListNull(types.StringType)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		}
		return
	}
	tflog.Info(ctx, "planning a rotation in place (keep_previous)", map[string]any{
		"token_id": state.ID.ValueString(), "current_gone": gone, "rotation_window": window,
	})
	markRotation(&plan)
	// A rotation invalidates what it lets go and settles what is owed
	// (some of it only in private state); what it cannot is kept here, and
	// the rotation still succeeds (with a warning): known after apply.
	plan.PendingRevokeIDs = types.ListUnknown(types.StringType)
	if gone {
		plan.PreviousID, plan.PreviousToken, plan.PreviousExpireAt = types.StringNull(), types.StringNull(), timetypes.NewRFC3339Null()
	} else {
		plan.PreviousID, plan.PreviousToken, plan.PreviousExpireAt = state.ID, state.Token, state.ExpireAt
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planWithoutKeepPrevious plans, for keep_previous false, what is left of an
// earlier keep_previous: the previous token and the ids still to revoke are
// invalidated in place, and a current token found gone is replaced.
func (r *userTokenResource) planWithoutKeepPrevious(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var previousID types.String
	var pending types.List
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("previous_id"), &previousID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("pending_revoke_ids"), &pending)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !previousID.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("previous_id"), types.StringNull())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("previous_token"), types.StringNull())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("previous_expire_at"), timetypes.NewRFC3339Null())...)
	}
	if len(pending.Elements()) > 0 {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("pending_revoke_ids"), types.ListNull(types.StringType))...)
	}
	if loadDebt(ctx, req.Private, &resp.Diagnostics).CurrentGone {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
	}
}

// rotate carries out a rotation planned in place: it mints the new token, then
// lists the tokens the rotation lets go in pending_revoke_ids (Update pays
// them). It returns what the mint left owed, for the record. A failed mint
// leaves the state as it was.
func (r *userTokenResource) rotate(ctx context.Context, plan, state userTokenModel, gone bool, diags *diag.Diagnostics) (next userTokenModel, owed client.Debt, ok bool) {
	username := state.Username.ValueString()
	created, err := r.data.client.CreateToken(ctx, username, createRequest(plan.Name, plan.TTL, plan.TokenType, plan.Description))
	if err != nil {
		action := fmt.Sprintf("mint token %q for user %q to rotate token %s", plan.Name.ValueString(), username, state.ID.ValueString())
		d := apiErrorDiag(r.data, action, username, err)
		diags.AddError(d.Summary(), d.Detail()+"\n\nThe rotation did not happen: the current and the previous token are "+
			"unchanged in state and still valid. Run apply again to rotate.")
		var ambiguous *client.AmbiguousMintError
		if errors.As(err, &ambiguous) {
			owed = ambiguous.Owed
		}
		return state, owed, false
	}
	ctx = maskSecrets(ctx, created.Secret)
	tflog.Info(ctx, "minted MotherDuck token (rotation in place)", map[string]any{"username": username, "token_id": created.ID})

	next = plan
	next.PendingRevokeIDs = state.PendingRevokeIDs
	revoke := []string{}
	if !state.PreviousID.IsNull() {
		revoke = append(revoke, state.PreviousID.ValueString())
	}
	if gone {
		revoke = append(revoke, state.ID.ValueString())
		next.PreviousID, next.PreviousToken, next.PreviousExpireAt = types.StringNull(), types.StringNull(), timetypes.NewRFC3339Null()
	} else {
		next.PreviousID, next.PreviousToken, next.PreviousExpireAt = state.ID, state.Token, state.ExpireAt
		r.warnIfPreviousGone(ctx, username, state.ID.ValueString(), diags)
	}
	next.PendingRevokeIDs = idList(append(listIDs(next.PendingRevokeIDs), revoke...))
	next.Token = types.StringValue(created.Secret)
	applyListed(&next, created.Token)
	return next, created.Owed, true
}

// warnIfPreviousGone warns when the token a rotation keeps as previous was
// invalidated since the plan (a saved plan applied later): the plan promised
// it as previous_id, so it stays there until the next refresh clears it, but
// nobody should count on it. A list that fails says nothing: the rotation
// itself succeeded.
func (r *userTokenResource) warnIfPreviousGone(ctx context.Context, username, id string, diags *diag.Diagnostics) {
	tokens, err := r.data.client.ListTokens(ctx, username)
	if err != nil || isListed(tokens, id) {
		return
	}
	diags.AddWarning("Previous Token No Longer Valid",
		fmt.Sprintf("Token %s of user %q, which this rotation keeps as previous_token, is no longer valid: it was "+
			"invalidated outside Terraform, or expired, after the plan was made. It stays in previous_id until the next "+
			"refresh clears it. Anything still using it must take the new token now.", id, username))
}

// refreshPrevious drops a previous token that is no longer listed or has
// expired: that is no drift. It reports whether a previous token is live.
func refreshPrevious(m *userTokenModel, tokens []client.Token) bool {
	if m.PreviousID.IsNull() {
		return false
	}
	if t, ok := listedToken(tokens, m.PreviousID.ValueString()); ok {
		m.PreviousExpireAt = rfc3339OrNull(t.ExpireAt)
		return true
	}
	m.PreviousID, m.PreviousToken, m.PreviousExpireAt = types.StringNull(), types.StringNull(), timetypes.NewRFC3339Null()
	return false
}

// refreshPending drops ids still to revoke that are no longer live.
func refreshPending(m *userTokenModel, tokens []client.Token) {
	var live []string
	for _, id := range listIDs(m.PendingRevokeIDs) {
		if _, ok := listedToken(tokens, id); ok {
			live = append(live, id)
		}
	}
	m.PendingRevokeIDs = idList(live)
}

// isListed reports whether the client's list holds the token id.
func isListed(tokens []client.Token, id string) bool {
	_, ok := listedToken(tokens, id)
	return ok
}

// listedToken finds a token in a list from the client, which lists only
// unexpired tokens: one not listed was invalidated or has expired.
func listedToken(tokens []client.Token, id string) (client.Token, bool) {
	for _, t := range tokens {
		if t.ID == id {
			return t, true
		}
	}
	return client.Token{}, false
}

// listIDs reads a list of token ids from state.
func listIDs(l types.List) []string {
	var ids []string
	for _, e := range l.Elements() {
		if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			ids = append(ids, s.ValueString())
		}
	}
	return ids
}

// idList is the state form of a list of ids: null when empty.
func idList(ids []string) types.List {
	if len(ids) == 0 {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	return types.ListValueMust(types.StringType, elems)
}

func numberReplaceUnlessKeepPrevious() planmodifier.Number {
	return numberplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.NumberRequest, resp *numberplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = replaceUnlessKeepPrevious(ctx, req.Plan)
	}, replaceUnlessKeepPreviousDesc, replaceUnlessKeepPreviousDesc)
}

// keepersChanged compares keepers, an empty map being the same as null.
func keepersChanged(state, plan types.Map) bool {
	empty := func(m types.Map) bool { return !m.IsUnknown() && len(m.Elements()) == 0 }
	return !(empty(state) && empty(plan)) && !state.Equal(plan)
}
