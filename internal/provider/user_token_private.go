package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// What motherduck_user_token keeps in private state (never shown in plans):
//
//   - privateEndpointKey (see private_state.go): the API URL the token was
//     minted through (or last seen listed at).
//   - privateLostKey: failed rotation mints (keep_previous) whose token
//     ids could not be learnt; the resource stays as it was, and the next
//     Read adds the token each one minted to pending_revoke_ids.
//   - privatePendingKey: a failed mint whose token's id could not be learnt
//     (client.LostMint: user, name, ttl, type, time window, ids known
//     before). The resource is then a tainted placeholder whose id is
//     pendingID; the next Read settles it.
const (
	privatePendingKey = "pending_mint"
	privateLostKey    = "lost_mints"
	pendingID         = "pending"
)

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

// pendingMint returns the failed mint a placeholder stands for, or nil.
func pendingMint(ctx context.Context, p privateGetter, diags *diag.Diagnostics) *client.LostMint {
	var lost client.LostMint
	if !readPrivate(ctx, p, privatePendingKey, "a failed mint", &lost, diags) {
		return nil
	}
	return &lost
}

// keepPending turns a failed Create whose token's id is unknown (the API
// could not be listed) into a placeholder in state: Terraform keeps it
// tainted, and the next Read settles it (readPending). The error says so,
// rather than asking the operator to look for the token by hand.
func (r *userTokenResource) keepPending(ctx context.Context, plan userTokenModel, action string, err error, lost *client.LostMint, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("Token Mint Outcome Unknown", fmt.Sprintf("Could not %s: the request failed in a way that may have "+
		"minted a token whose secret never arrived (between %s and %s), and the API could not be listed to look for it. "+
		"The resource is kept in state as a tainted placeholder (id %q) that records the request. The next plan or apply "+
		"lists the tokens of user %q: the token this request minted, if any, is then invalidated and replaced; if there is "+
		"none, the placeholder is dropped. Run apply again once the API answers.\n\n%s",
		action, lost.From.UTC().Format(time.RFC3339), lost.To.UTC().Format(time.RFC3339), pendingID, lost.Username, cause(err)))
	b, jerr := json.Marshal(lost)
	if jerr != nil {
		resp.Diagnostics.AddError("Cannot Record the Failed Mint", jerr.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePendingKey, b)...)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
	state := unansweredState(plan, pendingID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readPending settles a placeholder: the one listed token the lost mint
// may have created takes its place (still tainted, so the apply invalidates
// it and mints anew); with none the placeholder goes.
func (r *userTokenResource) readPending(ctx context.Context, state userTokenModel, lost *client.LostMint, resp *resource.ReadResponse) {
	username := state.Username.ValueString()
	found, ok := r.findLost(ctx, lost, &resp.Diagnostics)
	if !ok {
		return
	}
	if len(found) != 1 {
		resp.Diagnostics.AddWarning("Failed Mint Left No Token to Find", lostGoneText(lost, found)+
			" The placeholder was removed from state; the next apply mints a new token.")
		// The framework wants an identity after every Read.
		setIdentity(ctx, resp.Identity, username, pendingID, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	t := found[0]
	tflog.Info(ctx, "found the token of an earlier failed mint", map[string]any{"username": username, "token_id": t.ID})
	applyListed(&state, t)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePendingKey, nil)...)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, username, t.ID, &resp.Diagnostics)
}

// deletePending invalidates the token a placeholder stands for, if it can
// be found (a destroy or replacement planned without refresh).
func (r *userTokenResource) deletePending(ctx context.Context, state userTokenModel, lost *client.LostMint, resp *resource.DeleteResponse) {
	found, ok := r.findLost(ctx, lost, &resp.Diagnostics)
	if !ok {
		return
	}
	if len(found) != 1 {
		resp.Diagnostics.AddWarning("Failed Mint Left No Token to Find", lostGoneText(lost, found))
		return
	}
	id, username := found[0].ID, state.Username.ValueString()
	if err := r.data.client.DeleteToken(ctx, username, id); err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("invalidate token %s of user %q", id, username), username, err))
		return
	}
	tflog.Info(ctx, "invalidated the token of an earlier failed mint", map[string]any{"username": username, "token_id": id})
}

// findLost lists the lost mint's user and returns the tokens it may have
// created; ok is false when the list failed (diagnosed). A user that no
// longer exists has no tokens.
func (r *userTokenResource) findLost(ctx context.Context, lost *client.LostMint, diags *diag.Diagnostics) (found []client.Token, ok bool) {
	tokens, err := r.data.client.ListTokens(ctx, lost.Username)
	if err != nil && !client.IsNotFound(err) {
		diags.Append(apiErrorDiag(r.data, fmt.Sprintf("list the tokens of user %q to find the token of a failed mint", lost.Username), lost.Username, err))
		return nil, false
	}
	return lost.Matches(tokens), true
}

// lostGoneText says why a lost mint left no single token to act on.
func lostGoneText(lost *client.LostMint, found []client.Token) string {
	window := fmt.Sprintf("between %s and %s", lost.From.UTC().Format(time.RFC3339), lost.To.UTC().Format(time.RFC3339))
	if len(found) == 0 {
		return fmt.Sprintf("The failed mint of token %q for user %q (%s) left no valid token: none of that name, type and ttl "+
			"created then is listed.", lost.Name, lost.Username, window)
	}
	ids := make([]string, 0, len(found))
	for _, t := range found {
		ids = append(ids, t.ID)
	}
	return fmt.Sprintf("The failed mint of token %q for user %q (%s) may have created any of the tokens %s: they match it and "+
		"were created in that window, so one of them may be another workspace's. None was invalidated. Invalidate the one "+
		"that no Terraform state holds.", lost.Name, lost.Username, window, strings.Join(ids, ", "))
}

// listsToken reports whether toks holds the token id.
func listsToken(toks []client.Token, id string) bool {
	for _, t := range toks {
		if t.ID == id {
			return true
		}
	}
	return false
}

// keepLostMint adds lost to the failed rotation mints kept in private state.
func keepLostMint(ctx context.Context, p privateSetter, lost *client.LostMint, diags *diag.Diagnostics) {
	if !present(p) {
		return
	}
	var all []client.LostMint
	if g, ok := p.(privateGetter); ok {
		all = lostMints(ctx, g, diags)
	}
	b, err := json.Marshal(append(all, *lost))
	if err != nil {
		diags.AddError("Cannot Record the Failed Mint", err.Error())
		return
	}
	diags.Append(p.SetKey(ctx, privateLostKey, b)...)
}

// lostMints returns the failed rotation mints kept in private state.
func lostMints(ctx context.Context, p privateGetter, diags *diag.Diagnostics) []client.LostMint {
	var all []client.LostMint
	if !readPrivate(ctx, p, privateLostKey, "failed mints", &all, diags) {
		return nil
	}
	return all
}

// settleLostMints looks, in the user's listed tokens, for the token each
// failed rotation mint may have created: one found joins pending_revoke_ids
// (the next apply invalidates it); none, or several that cannot be told
// apart, is said in a warning. The records are then dropped.
func settleLostMints(ctx context.Context, from privateGetter, to privateSetter, m *userTokenModel, tokens []client.Token, diags *diag.Diagnostics) {
	all := lostMints(ctx, from, diags)
	if len(all) == 0 || !present(to) {
		return
	}
	for i := range all {
		lost := &all[i]
		found := lost.Matches(tokens)
		if len(found) != 1 {
			diags.AddWarning("Failed Mint Left No Token to Find", lostGoneText(lost, found))
			continue
		}
		tflog.Info(ctx, "found the token of an earlier failed rotation mint", map[string]any{"username": lost.Username, "token_id": found[0].ID})
		m.PendingRevokeIDs = idList(append(listIDs(m.PendingRevokeIDs), found[0].ID))
	}
	diags.Append(to.SetKey(ctx, privateLostKey, nil)...)
}
