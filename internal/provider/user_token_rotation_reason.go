package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// explainRotation warns, in a plan that mints a new token in place of the
// current one, why it does: the rotate_before window opened, the current
// token is gone, or an input changed. ModifyPlan defers it, so it sees the
// plan as ModifyPlan left it; it decides nothing itself.
func (r *userTokenResource) explainRotation(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() || resp.Plan.Raw.IsNull() || resp.Plan.Raw.Equal(req.State.Raw) {
		return
	}
	var plan, state userTokenModel
	var diags diag.Diagnostics
	diags.Append(resp.Plan.Get(ctx, &plan)...)
	diags.Append(req.State.Get(ctx, &state)...)
	if diags.HasError() {
		return // ModifyPlan read the same values; nothing to explain
	}
	// ModifyPlan plans a new token (an unknown id) for the window, a gone
	// current token, and with keep_previous any input change; without
	// keep_previous an input change replaces the resource.
	decided := plan.ID.IsUnknown()
	usernameChanged := !plan.Username.Equal(state.Username)
	if !decided && !usernameChanged && !inputsChanged(plan, state) {
		return
	}
	gone := decided && loadDebt(ctx, req.Private, &diags).CurrentGone
	var now time.Time
	if decided {
		now = r.now(ctx, state.Username.ValueString()) // the API's clock, as ModifyPlan read it
	}
	reasons := rotationReasons(plan, state, decided, usernameChanged, gone, now)
	if len(reasons) == 0 {
		return
	}
	var what string
	switch inPlace := plan.KeepPrevious.ValueBool() && !usernameChanged; {
	case inPlace && gone:
		what = "It rotates the token in place, without a `previous_token`."
	case inPlace:
		what = "It rotates the token in place: the current token becomes `previous_token` and stays valid until the next rotation."
	case gone:
		what = "It replaces the resource."
	default:
		what = "It replaces the resource, and the current token is invalidated."
	}
	resp.Diagnostics.AddWarning("Token Rotation Planned", fmt.Sprintf("This plan mints a new token for user %q in place of token "+
		"%s, because %s. %s Whatever uses the token must take the new `token` after the apply.",
		state.Username.ValueString(), state.ID.ValueString(), strings.Join(reasons, "; "), what))
}

// rotationReasons says, in words, why a plan rotates the token.
func rotationReasons(plan, state userTokenModel, decided, usernameChanged, gone bool, now time.Time) []string {
	var reasons []string
	if gone {
		reasons = append(reasons, "the current token is no longer valid (invalidated or expired outside Terraform)")
	}
	if decided && inRotationWindow(now, plan.RotateBefore, state.ExpireAt) {
		window, _ := plan.RotateBefore.ValueGoDuration()
		expireAt, _ := state.ExpireAt.ValueRFC3339Time()
		reasons = append(reasons, fmt.Sprintf("the rotate_before window opened at %s (%s before the token expires at %s)",
			expireAt.Add(-window).UTC().Format(time.RFC3339), window, expireAt.UTC().Format(time.RFC3339)))
	}
	if usernameChanged {
		reasons = append(reasons, "username changed")
	}
	if keepersChanged(state.Keepers, plan.Keepers) {
		reasons = append(reasons, "keepers changed")
	}
	var changed []string
	for _, in := range []struct {
		name string
		same bool
	}{
		{"name", plan.Name.Equal(state.Name)},
		{"ttl", plan.TTL.Equal(state.TTL)},
		{"token_type", plan.TokenType.Equal(state.TokenType)},
		{"description", plan.Description.Equal(state.Description)},
	} {
		if !in.same {
			changed = append(changed, in.name)
		}
	}
	if len(changed) > 0 {
		reasons = append(reasons, strings.Join(changed, ", ")+" changed")
	}
	return reasons
}
