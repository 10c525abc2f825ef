package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// What a motherduck_user_token still owes the API lives in one record per
// resource: ids of tokens to invalidate, shown to the user as
// pending_revoke_ids, and, in private state under privateDebtKey, mints of
// unknown outcome (client.Intent) and whether the current token is gone.
// It is written in one step where a mint leaves something owed
// (recordDebt), and settled in one step at the top of Read (settleInRead:
// it looks, and moves what it finds into pending_revoke_ids), Update and
// Delete (payDebt: it invalidates).
const (
	privateDebtKey = "debt"
	// pendingID is the id of a resource whose mint failed with something
	// owed and no token to hold: a tainted placeholder that the next
	// apply replaces once the debt is paid.
	pendingID = "pending"
)

// Keys of earlier versions, read once and folded into the record.
const (
	legacyPendingKey     = "pending_mint"
	legacyLostKey        = "lost_mints"
	legacyCurrentGoneKey = "current_gone"
)

// tokenDebt is the private half of the record: the client's Debt (its ids
// are those owed since the last Read, which moves them into
// pending_revoke_ids; a Create cannot, its plan promised none) and whether
// the current token is gone.
type tokenDebt struct {
	client.Debt
	CurrentGone bool `json:"current_gone,omitempty"`
}

// loadDebt reads the record, with what earlier versions kept under other keys.
func loadDebt(ctx context.Context, p privateGetter, diags *diag.Diagnostics) tokenDebt {
	var d tokenDebt
	readPrivate(ctx, p, privateDebtKey, "what the token owes", &d, diags)
	var one client.Intent
	if readPrivate(ctx, p, legacyPendingKey, "a failed mint", &one, diags) {
		d.Intents = append(d.Intents, one)
	}
	var many []client.Intent
	if readPrivate(ctx, p, legacyLostKey, "failed mints", &many, diags) {
		d.Intents = append(d.Intents, many...)
	}
	if privateFlag(ctx, p, legacyCurrentGoneKey, diags) {
		d.CurrentGone = true
	}
	return d
}

// storeDebt writes the record (and clears the keys of earlier versions).
func storeDebt(ctx context.Context, p privateSetter, d tokenDebt, diags *diag.Diagnostics) {
	if !present(p) {
		return
	}
	var b []byte
	if len(d.Revoke) > 0 || len(d.Intents) > 0 || d.CurrentGone {
		var err error
		if b, err = json.Marshal(d); err != nil {
			diags.AddError("Cannot Record What the Token Owes", err.Error())
			return
		}
	}
	diags.Append(p.SetKey(ctx, privateDebtKey, b)...)
	for _, k := range []string{legacyPendingKey, legacyLostKey, legacyCurrentGoneKey} {
		diags.Append(p.SetKey(ctx, k, nil)...)
	}
}

// recordDebt adds what a mint left owed to the record: the record step of
// every place that mints.
func recordDebt(ctx context.Context, from privateGetter, to privateSetter, owed client.Debt, diags *diag.Diagnostics) {
	if owed.Empty() {
		return
	}
	d := tokenDebt{}
	if present(from) {
		d = loadDebt(ctx, from, diags)
	}
	d.Add(owed)
	storeDebt(ctx, to, d, diags)
}

// settleInRead is the settle step of Read: each open intent is read
// against the user's listed tokens (tokens) on the API's clock. A token
// found joins pending_revoke_ids, for the next apply to invalidate (a read
// never writes); an intent still ambiguous stays on record and is shown as
// a warning; one that provably created nothing is dropped with a warning.
func (r *userTokenResource) settleInRead(ctx context.Context, m *userTokenModel, d *tokenDebt, tokens []client.Token, listedAt time.Time, diags *diag.Diagnostics) {
	pending := append(listIDs(m.PendingRevokeIDs), d.Revoke...)
	d.Revoke = nil
	found, open, closed := r.data.client.Settle(m.Username.ValueString(), d.Intents, tokens, listedAt, heldIDs(m)...)
	if len(found) > 0 {
		tflog.Info(ctx, "found tokens of earlier mints of unknown outcome", map[string]any{"username": m.Username.ValueString(), "token_ids": found})
	}
	for i := range open {
		diags.AddWarning("Earlier Mint Still Unsettled", openIntentText(&open[i])+keptText)
	}
	for _, in := range closed {
		diags.AddWarning("Earlier Mint Left No Token", fmt.Sprintf("The mint of token %q for user %q sent at %s, whose "+
			"answer was lost, created no token that is still valid: none is listed, and it could no longer commit after %s "+
			"(the API's clock). Its record was dropped.", in.Name, in.Username, stamp(in.From), stamp(in.Closes())))
	}
	d.Intents = open
	pending = append(pending, found...)
	slices.Sort(pending)
	m.PendingRevokeIDs = idList(slices.Compact(pending))
}

// payDebt is the settle step of Update and Delete: it invalidates the ids
// owed and settles each open intent against a fresh list, invalidating the
// token it finds. It returns what is still owed: ids that could not be
// invalidated, and intents still ambiguous.
func (r *userTokenResource) payDebt(ctx context.Context, username string, ids []string, d client.Debt, held []string) (client.Debt, error) {
	return r.data.client.SettleDebt(ctx, username, client.Debt{Revoke: append(ids, d.Revoke...), Intents: d.Intents}, true, held...)
}

// heldIDs are the ids the resource holds as its tokens: never the token of
// an intent.
func heldIDs(m *userTokenModel) []string {
	var ids []string
	for _, v := range []string{m.ID.ValueString(), m.PreviousID.ValueString()} {
		if v != "" && v != pendingID {
			ids = append(ids, v)
		}
	}
	return ids
}

// openIntentText says what an unsettled mint is and why it is not settled;
// callers add what happens to its record. It never asks anyone to
// invalidate a token that another state may hold.
func openIntentText(in *client.Intent) string {
	what := fmt.Sprintf("The mint of token %q for user %q sent at %s lost its answer, so it may have created a token "+
		"whose secret nobody has.", in.Name, in.Username, stamp(in.From))
	if len(in.Candidates) > 0 {
		return what + fmt.Sprintf(" Tokens %s all match it: one may be held by another Terraform state (another workspace "+
			"minting the same name at the same time), so none is invalidated, and none should be by hand unless you know "+
			"which state holds each.", strings.Join(in.Candidates, ", "))
	}
	return what + fmt.Sprintf(" None is listed yet, and the API may still commit it until %s (the API's clock).", stamp(in.Closes()))
}

// keptText is what happens to an unsettled mint's record while the resource lives.
const keptText = " The record stays in this resource's state and is checked on every plan and apply: a token found to be " +
	"its alone is invalidated; when none can be any more, the record is dropped with a warning."

// debtError is the error of a delete or update that could not pay all it
// owes: the resource stays in state, with what is still owed.
func debtError(username string, owed client.Debt, err error) diag.Diagnostic {
	var parts []string
	if len(owed.Revoke) > 0 {
		parts = append(parts, fmt.Sprintf("token(s) %s could not be invalidated", strings.Join(owed.Revoke, ", ")))
	}
	for i := range owed.Intents {
		parts = append(parts, openIntentText(&owed.Intents[i]))
	}
	detail := fmt.Sprintf("For user %q: %s. The resource stays in state with this record; run the same command again "+
		"(after the time named, for a mint that may still commit).", username, strings.Join(parts, "; "))
	if err != nil {
		detail += "\n\n" + cause(err)
	}
	return diag.NewErrorDiagnostic("MotherDuck Token Clean-Up Unfinished", detail)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// movedEndpointDiag is the error for a token that the API now configured
// does not know, minted through another one.
func movedEndpointDiag(username, id, mintedAt, current string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Token Minted Through Another MotherDuck API",
		fmt.Sprintf("Token %s of user %q was minted through %s, but this resource's provider configuration now talks to %s, "+
			"which does not know the token. It is kept in state: dropping it would leave it valid at %s with nobody "+
			"tracking it.\n\nTo finish cleanly:\n"+
			"  1. Point the resource back at a provider configuration for %s (its `provider` argument, or api_url).\n"+
			"  2. Remove the resource from the configuration (or run `terraform destroy -target` on it) and apply: "+
			"that invalidates the token at %s.\n"+
			"  3. Add it under the new provider configuration and apply: that mints a new token through %s.\n\n"+
			"If the token is already invalid at %s, `terraform state rm` on this resource is enough.",
			id, username, mintedAt, current, mintedAt, mintedAt, mintedAt, current, mintedAt))
}

// warnIfReplacementDropsIntents warns, in a plan that replaces the token,
// that the mints of unknown outcome on record go with it: Terraform hands
// the delete of a replacement no private state. A token found by then is
// in pending_revoke_ids (state), which the delete does invalidate.
func warnIfReplacementDropsIntents(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if resp.Diagnostics.HasError() || resp.Plan.Raw.IsNull() {
		return
	}
	d := loadDebt(ctx, req.Private, &resp.Diagnostics)
	if len(d.Intents) == 0 {
		return
	}
	var plan, state userTokenModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	replaced := len(resp.RequiresReplace) > 0 || !plan.Username.Equal(state.Username) ||
		(!plan.KeepPrevious.ValueBool() && inputsChanged(plan, state))
	if !replaced {
		return
	}
	for i := range d.Intents {
		resp.Diagnostics.AddWarning("Replacement Drops an Unsettled Mint", openIntentText(&d.Intents[i])+
			" This plan replaces the token, and the record of that mint goes with it. To keep it checked, apply this "+
			"change after the time given.")
	}
}
