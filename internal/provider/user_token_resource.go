package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ resource.Resource                   = (*userTokenResource)(nil)
	_ resource.ResourceWithConfigure      = (*userTokenResource)(nil)
	_ resource.ResourceWithImportState    = (*userTokenResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*userTokenResource)(nil)
	_ resource.ResourceWithValidateConfig = (*userTokenResource)(nil)
	_ resource.ResourceWithIdentity       = (*userTokenResource)(nil)
	_ resource.ResourceWithMoveState      = (*userTokenResource)(nil)
)

const defaultOperationTimeout = 5 * time.Minute

type userTokenResource struct {
	data *providerData
}

func newUserTokenResource() resource.Resource { return &userTokenResource{} }

func (r *userTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_token"
	// With keep_previous a rotation is an update in place that mints a new
	// token, so the identity (username and token id) changes with it.
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *userTokenResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	rotate := []planmodifier.String{stringReplaceUnlessKeepPrevious()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A MotherDuck access token of one user. Creating it mints the token; destroying or replacing it " +
			"invalidates the token (`DELETE /v1/users/{username}/tokens/{token_id}`). A token cannot change, so changing " +
			"`username`, `name`, `ttl`, `token_type`, `description` or `keepers` replaces it: a new token is minted and the old " +
			"one invalidated. With `keep_previous` such a rotation (except a `username` change) is an update in place instead, " +
			"and the token it replaces stays valid until the next rotation. `rotate_before`, `keep_previous` and `timeouts` " +
			"change in place.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The token's id (a UUID). It names the token for invalidation; it is not a secret. " +
					"It is `" + pendingID + "` in a tainted resource left by a mint that failed in a way that may have minted a " +
					"token: the next apply settles what it left (see `pending_revoke_ids`) and mints a new token.",
				PlanModifiers: keep,
			},
			"username": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The user the token belongs to: the admin's own username or a service account of the organization. " +
					usernameRulesDescription(),
				Validators:    []validator.String{usernameValidator()},
				PlanModifiers: replace,
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: nameDescription(),
				Validators:          []validator.String{tokenNameValidator()},
				PlanModifiers:       rotate,
			},
			"ttl": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Lifetime in whole seconds, from %d (5 minutes) to %d (365 days). Without it the token never expires "+
					"and stays valid until it is invalidated.", minTTL, maxTTL),
				Validators:    []validator.Number{ttlValidator{}},
				PlanModifiers: []planmodifier.Number{numberReplaceUnlessKeepPrevious()},
			},
			"token_type": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(tokenTypes[0]),
				MarkdownDescription: fmt.Sprintf("The kind of token: %s. Default `%s`. `read_scaling` tokens are read-only and "+
					"served by read-scaling replicas.", quoteList(tokenTypes), tokenTypes[0]),
				Validators:    []validator.String{stringvalidator.OneOf(tokenTypes...)},
				PlanModifiers: rotate,
			},
			"description": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A description, " + descriptionRule + ", sent when the token is minted. Regions that " +
					"do not support descriptions drop it silently; the configured value is then kept in state as written, " +
					"rather than planning a replacement on every run.",
				Validators:    []validator.String{descriptionValidator()},
				PlanModifiers: rotate,
			},
			"keepers": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Arbitrary strings that, when any of them changes, rotate the token (replace it, or with " +
					"`keep_previous` rotate it in place). Tie a rotation to " +
					"a release, a date or another resource's id. Not `timestamp()` or `plantimestamp()` as such: they change on " +
					"every run and would replace the token on every apply. An empty map is the same as no keepers.",
				// An empty map and null both mean no keepers: going from one
				// to the other is no reason to replace the token.
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplaceIf(
					func(ctx context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = keepersChanged(req.StateValue, req.PlanValue) && replaceUnlessKeepPrevious(ctx, req.Plan)
					},
					"Replaces the token when a keeper changes (unless keep_previous rotates it in place); an empty map and null are the same.",
					"Replaces the token when a keeper changes (unless keep_previous rotates it in place); an empty map and null are the same.",
				)},
			},
			"rotate_before": schema.StringAttribute{
				Optional:   true,
				CustomType: goDurationType{},
				MarkdownDescription: "Rotate the token once the time left before `expire_at` is less than this duration " +
					"(a Go duration such as `\"168h\"`). The plan then replaces the token; with " +
					"`lifecycle { create_before_destroy = true }` the new token exists before the old one is invalidated, in the same " +
					"apply. With `keep_previous` the plan rotates it in place and the old token stays valid until the next rotation. " +
					"Needs `ttl`, and must be shorter than it. The decision is taken when planning, so apply never disagrees with plan.",
				Validators: []validator.String{durationValidator{min: time.Second}},
			},
			"token": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The secret. MotherDuck returns it once, when the token is minted, and never again: it is " +
					"kept in state (mark outputs that use it `sensitive`), and it is `null` after `terraform import`.",
				PlanModifiers: keep,
			},
			"created_ts": schema.StringAttribute{
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				MarkdownDescription: "When the token was minted (RFC 3339).",
				PlanModifiers:       keep,
			},
			"expire_at": schema.StringAttribute{
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				MarkdownDescription: "When the token expires (RFC 3339), or `null` for a token without `ttl`, which never expires.",
				PlanModifiers:       keep,
			},
			"read_only": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the token can only read (true for `read_scaling` tokens).",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: mintTimeoutDescription("minting the token"),
				UpdateDescription: mintTimeoutDescription("an update (with `keep_previous`, a rotation mints the new token)"),
				ReadDescription:   tokenReadTimeoutDescription,
				DeleteDescription: tokenDeleteTimeoutDescription,
			}),
		},
	}
	for name, a := range keepPreviousAttributes() {
		resp.Schema.Attributes[name] = a
	}
}

// mintTimeoutDescription documents a timeout of an operation that mints: the
// clean-up after a mint of unknown outcome outlasts it (client.RecoveryTimeout).
func mintTimeoutDescription(what string) string {
	short := func(d time.Duration) string { return strings.TrimSuffix(d.String(), "0s") }
	return fmt.Sprintf("How long %s may take, retries included, as a Go duration such as `\"30s\"` or `\"2h45m\"` "+
		"(default `%s`). When a mint's outcome is unknown, the clean-up that finds and invalidates the token it may have "+
		"minted is not cut short by this limit (nor by Ctrl-C): it goes on for up to `%s` more, so that no token is left "+
		"valid and unknown.", what, short(defaultOperationTimeout), short(client.DefaultRecoveryTimeout))
}

func (r *userTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"username": identityschema.StringAttribute{RequiredForImport: true, Description: "The user the token belongs to."},
			"id":       identityschema.StringAttribute{RequiredForImport: true, Description: "The token's id."},
		},
	}
}

func (r *userTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData("resource", req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks rules that span attributes, at plan time. It is not
// written as stringvalidator.AlsoRequires(ttl): that one would only say that
// ttl must be set, not why, nor what to use instead.
func (r *userTokenResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateTimeouts(ctx, req.Config, &resp.Diagnostics)
	// Only rotate_before and ttl matter here: read just those, since this
	// runs for every token of a configuration on every plan.
	var rotateBefore goDuration
	var ttl types.Number
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rotate_before"), &rotateBefore)...)
	if resp.Diagnostics.HasError() || rotateBefore.IsNull() {
		return
	}
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("ttl"), &ttl)...)
	if resp.Diagnostics.HasError() || rotateBefore.IsUnknown() || ttl.IsUnknown() {
		return
	}
	d, diags := rotateBefore.ValueGoDuration()
	if diags.HasError() {
		return // the attribute's type reports it
	}
	if ttl.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("rotate_before"), "rotate_before Needs ttl",
			"A token without ttl never expires, so there is nothing to rotate before. Set ttl, or use keepers to replace the token on demand.")
		return
	}
	secs, _ := ttl.ValueBigFloat().Int64() // a fraction is ttlValidator's to report
	if life := time.Duration(secs) * time.Second; d >= life {
		resp.Diagnostics.AddAttributeError(path.Root("rotate_before"), "rotate_before Too Long",
			fmt.Sprintf("rotate_before (%s) must be shorter than the token's ttl (%s), or every plan would replace the token.", d, life))
	}
}

// ModifyPlan rotates a token whose rotation window has opened: in place with
// keep_previous, by replacement without. It reads the clock while planning,
// so the apply carries out exactly what the plan showed.
func (r *userTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // a destroy: never held to the policy
	}
	if req.State.Raw.IsNull() {
		// A create, or the create half of a replacement: it mints.
		checkTokenPolicyPlan(ctx, r.data, req.Config, req.Plan, &resp.Diagnostics) // token_policy.go
		return
	}
	defer r.explainRotation(ctx, req, resp)
	defer policyOfExisting(ctx, r.data, req, resp) // token_policy.go
	defer warnIfReplacementDropsIntents(ctx, req, resp)
	var keepPrevious types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("keep_previous"), &keepPrevious)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if keepPrevious.ValueBool() {
		r.planKeepPrevious(ctx, req, resp)
		return
	}
	r.planWithoutKeepPrevious(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	// Most tokens have no rotate_before: look at it alone before decoding
	// the whole plan and state, since this runs for every token on every plan.
	var rotateBefore goDuration
	var stateExpireAt timetypes.RFC3339
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("rotate_before"), &rotateBefore)...)
	if resp.Diagnostics.HasError() || rotateBefore.IsNull() || rotateBefore.IsUnknown() {
		return
	}
	// A token left behind by a failed mint has no expire_at: it is tainted,
	// and replaced anyway.
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("expire_at"), &stateExpireAt)...)
	if resp.Diagnostics.HasError() || stateExpireAt.IsNull() || stateExpireAt.IsUnknown() {
		return
	}
	window, diags := rotateBefore.ValueGoDuration()
	resp.Diagnostics.Append(diags...)
	expireAt, diags := stateExpireAt.ValueRFC3339Time()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var username types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("username"), &username)...)
	if r.now(ctx, username.ValueString()).Before(expireAt.Add(-window)) {
		return
	}
	var plan, state userTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "token inside its rotation window: planning a replacement", map[string]any{
		"token_id": state.ID.ValueString(), "expire_at": state.ExpireAt.ValueString(), "rotate_before": window.String(),
	})
	markRotation(&plan)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("expire_at"))
}

// now is the API's clock (client.Client.Now): expiry and the rotation
// window are judged on the clock that stamps expire_at. A plan without
// refresh has asked the API nothing yet: the user's token list (shared, the
// one a refresh would make) tells its clock first.
func (r *userTokenResource) now(ctx context.Context, username string) time.Time {
	if r.data != nil && r.data.client != nil {
		if !r.data.client.ClockKnown() && username != "" {
			if _, err := r.data.client.ListTokens(ctx, username); err != nil {
				tflog.Warn(ctx, "could not read the API's clock; judging the rotation window on this machine's clock", map[string]any{"error": err.Error()})
			}
		}
		return r.data.client.Now()
	}
	if r.data != nil && r.data.now != nil {
		return r.data.now()
	}
	return time.Now()
}

func (r *userTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := beginOperation(ctx, r.data, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	username := plan.Username.ValueString()
	defer r.data.open.begin()()
	created, err := r.data.client.CreateToken(ctx, username, createRequest(plan.Name, plan.TTL, plan.TokenType, plan.Description))
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("mint token %q for user %q", plan.Name.ValueString(), username), username, err))
		var ambiguous *client.AmbiguousMintError
		if errors.As(err, &ambiguous) {
			// Something is owed and no token is held: a placeholder in
			// state (Terraform keeps it tainted) carries the record until
			// the next plan and apply settle it.
			// Ids owed are shown at once (pending_revoke_ids).
			state := unansweredState(plan, pendingID)
			state.PendingRevokeIDs = idList(ambiguous.Owed.Revoke)
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			setIdentity(ctx, resp.Identity, username, pendingID, &resp.Diagnostics)
			recordDebt(ctx, nil, resp.Private, client.Debt{Intents: ambiguous.Owed.Intents}, &resp.Diagnostics)
			recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
		}
		return
	}
	ctx = maskSecrets(ctx, created.Secret)
	tflog.Info(ctx, "minted MotherDuck token", map[string]any{"username": username, "token_id": created.ID})
	if !created.Owed.Empty() {
		resp.Diagnostics.AddWarning("Earlier Mint Attempt Kept on Record", fmt.Sprintf("Token %s of user %q was minted, "+
			"but an earlier attempt failed in a way that may have minted a token whose secret never arrived. %s",
			created.ID, username, keptOnRecord))
	}

	state := plan
	state.Token = types.StringValue(created.Secret)
	applyListed(&state, created.Token)
	clearPrevious(&state)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, username, created.ID, &resp.Diagnostics)
	recordDebt(ctx, nil, resp.Private, created.Owed, &resp.Diagnostics)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
}

func (r *userTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prior := state
	ctx, cancel, ok := beginOperation(ctx, r.data, state.Timeouts.Read, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	debt := loadDebt(ctx, req.Private, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	username, id := state.Username.ValueString(), state.ID.ValueString()
	// The framework wants an identity after every Read, also one that
	// removes the resource.
	setIdentity(ctx, resp.Identity, username, id, &resp.Diagnostics)
	// Import sets only username and id: the rest comes from the list.
	importing := state.Name.IsNull()
	// The API's time before the list (a window closing meanwhile counts as
	// open), once the API's clock is known; before any answer, after it.
	listedAt, clockKnown := r.data.client.Now(), r.data.client.ClockKnown()
	tokens, err := r.data.client.ListTokens(ctx, username)
	if !clockKnown {
		listedAt = r.data.client.Now()
	}
	if err == nil {
		r.settleInRead(ctx, &state, &debt, tokens, listedAt, &resp.Diagnostics)
		storeDebt(ctx, resp.Private, debt, &resp.Diagnostics)
	}
	if id == pendingID && err == nil {
		// A placeholder holds no token: it stays while something is owed
		// (tainted, so the next apply pays it and mints), else it goes.
		refreshPending(&state, tokens)
		if len(debt.Intents) > 0 {
			// Terraform replaces the tainted placeholder without handing
			// its private state to the delete: the record would be lost
			// while the mint may still commit. The plan stops instead.
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			resp.Diagnostics.AddError("Earlier Mint Still Unsettled", fmt.Sprintf("This resource holds no token: its mint failed "+
				"in a way that may still create one. %s Until then nothing is minted in its place, so that no token is left "+
				"that no state holds: run the same command again after the time given.", openIntentText(&debt.Intents[0])))
			return
		}
		if !state.PendingRevokeIDs.IsNull() {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			return
		}
		resp.State.RemoveResource(ctx)
		return
	}
	if client.IsNotFound(err) || (err == nil && !isListed(tokens, id)) {
		// A token minted through another API is not listed by this one:
		// dropping it would leave it valid there, untracked.
		current := r.data.client.Endpoint()
		if other := recordedElsewhere(ctx, req.Private, current, &resp.Diagnostics); other != "" {
			resp.Diagnostics.Append(movedEndpointDiag(username, id, other, current))
			return
		}
		if importing {
			resp.Diagnostics.Append(importNotFoundDiag(username, id, current, err))
			return
		}
	}
	if client.IsNotFound(err) {
		resp.Diagnostics.AddWarning("MotherDuck User No Longer Exists",
			fmt.Sprintf("User %q no longer exists, so its token %s is gone too. It was removed from state; "+
				"the next apply mints a new token if the user exists again.", username, id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("list the tokens of user %q", username), username, err))
		return
	}

	// The client lists only unexpired tokens: one not listed was invalidated
	// or has expired.
	previousLive := refreshPrevious(&state, tokens)
	refreshPending(&state, tokens)
	listed, found := listedToken(tokens, id)
	if !found {
		reason := "it is no longer listed: it was invalidated outside Terraform"
		if exp, diags := state.ExpireAt.ValueRFC3339Time(); !diags.HasError() && !r.now(ctx, "").Before(exp) { // null: no expiry
			reason = "it expired at " + exp.UTC().Format(time.RFC3339)
		}
		if previousLive || !state.PendingRevokeIDs.IsNull() || len(debt.Intents) > 0 {
			// Removing the resource would forget live tokens: keep it, and
			// let the next apply mint a new token and invalidate the rest.
			resp.Diagnostics.AddWarning("MotherDuck Token No Longer Valid",
				fmt.Sprintf("Token %s of user %q is no longer valid because %s. The resource still holds live tokens "+
					"(the previous token or ids to invalidate); the next apply mints a new token and invalidates them.", id, username, reason))
			debt.CurrentGone = true
			storeDebt(ctx, resp.Private, debt, &resp.Diagnostics)
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			return
		}
		resp.Diagnostics.AddWarning("MotherDuck Token No Longer Valid",
			fmt.Sprintf("Token %s of user %q was removed from state because %s. The next apply mints a new token.", id, username, reason))
		resp.State.RemoveResource(ctx)
		return
	}

	// An imported token's ttl is derived from the token.
	applyListed(&state, listed)
	if importing {
		state.TTL = ttlFromToken(listed)
	}
	// resp.State starts as the prior state: most refreshes change nothing,
	// and encoding the whole model again was half of Read's CPU time.
	if !sameModel(prior, state) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
	// Listed here, so it belongs to this API (also a token from before the
	// endpoint was recorded, or one that moved to a URL of the same API).
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
}

// Update carries settings that need no API call (timeouts, rotate_before,
// keep_previous, keepers going between empty and null), and with
// keep_previous the rotation ModifyPlan planned in place (the planned id is
// unknown). It then invalidates what the resource lets go: the old previous
// token, a previous token keep_previous no longer keeps, and ids an earlier
// apply could not invalidate.
func (r *userTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := beginOperation(ctx, r.data, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	username := state.Username.ValueString()
	debt := loadDebt(ctx, req.Private, &resp.Diagnostics)
	next := state
	next.RotateBefore, next.Timeouts, next.KeepPrevious, next.Keepers = plan.RotateBefore, plan.Timeouts, plan.KeepPrevious, plan.Keepers
	defer r.data.open.begin()()
	if plan.ID.IsUnknown() {
		var owed client.Debt
		next, owed, ok = r.rotate(ctx, plan, state, debt.CurrentGone, &resp.Diagnostics)
		debt.Add(owed)
		if !ok {
			// Keep the prior state (the old inputs too), so the next plan
			// shows the same rotation again.
			resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
			setIdentity(ctx, resp.Identity, username, next.ID.ValueString(), &resp.Diagnostics)
			storeDebt(ctx, resp.Private, debt, &resp.Diagnostics)
			return
		}
		debt.CurrentGone = false
	} else if plan.PreviousID.IsNull() && !state.PreviousID.IsNull() {
		next.PendingRevokeIDs = idList(append(listIDs(next.PendingRevokeIDs), state.PreviousID.ValueString()))
		next.PreviousID, next.PreviousToken, next.PreviousExpireAt = types.StringNull(), types.StringNull(), timetypes.NewRFC3339Null()
	}
	// The settle step: what is owed is paid. After a rotation, a clean-up
	// that fails must not fail the apply: the new token is in state, and a
	// pipeline that takes `token` only after a successful apply would keep
	// the old one until the next rotation invalidates it. What is left
	// stays in pending_revoke_ids and the record, with a warning.
	owed, err := r.payDebt(ctx, username, listIDs(next.PendingRevokeIDs), debt.Debt, heldIDs(&next))
	next.PendingRevokeIDs = idList(owed.Revoke)
	debt.Revoke, debt.Intents = nil, owed.Intents
	if !owed.Empty() {
		d := debtError(username, owed, err)
		if plan.ID.IsUnknown() {
			resp.Diagnostics.AddWarning(d.Summary(), "The rotation succeeded: `token` is the new token. "+d.Detail())
		} else if len(owed.Revoke) > 0 {
			resp.Diagnostics.Append(d)
		} else {
			resp.Diagnostics.AddWarning(d.Summary(), d.Detail())
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
	setIdentity(ctx, resp.Identity, username, next.ID.ValueString(), &resp.Diagnostics)
	storeDebt(ctx, resp.Private, debt, &resp.Diagnostics)
}

func (r *userTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := beginOperation(ctx, r.data, state.Timeouts.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	debt := loadDebt(ctx, req.Private, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	username, id := state.Username.ValueString(), state.ID.ValueString()
	if id == pendingID {
		r.deleteRest(ctx, state, debt, resp)
		return
	}
	err := r.data.client.DeleteToken(ctx, username, id)
	switch {
	case client.IsNotFound(err):
		current := r.data.client.Endpoint()
		if other := recordedElsewhere(ctx, req.Private, current, &resp.Diagnostics); other != "" {
			resp.Diagnostics.Append(movedEndpointDiag(username, id, other, current))
			return
		}
		tflog.Info(ctx, "token was already invalid", map[string]any{"username": username, "token_id": id})
	case err != nil:
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("invalidate token %s of user %q", id, username), username, err))
		return
	default:
		tflog.Info(ctx, "invalidated MotherDuck token", map[string]any{"username": username, "token_id": id})
	}
	r.deleteRest(ctx, state, debt, resp)
}

// deleteRest pays, after the token itself, what the resource still owes:
// the previous token (keep_previous), ids an earlier apply could not
// invalidate, and mints of unknown outcome. After a failed destroy
// Terraform keeps the resource in state with its record; a second destroy
// finds the ids already invalid.
func (r *userTokenResource) deleteRest(ctx context.Context, state userTokenModel, debt tokenDebt, resp *resource.DeleteResponse) {
	username := state.Username.ValueString()
	var more []string
	if !state.PreviousID.IsNull() {
		more = append(more, state.PreviousID.ValueString())
	}
	more = append(more, listIDs(state.PendingRevokeIDs)...)
	owed, err := r.payDebt(ctx, username, more, debt.Debt, nil)
	switch {
	case len(owed.Revoke) > 0 || (err != nil && len(owed.Intents) > 0):
		// Ids still live, or mints that could not even be looked for (the
		// list failed): the resource stays, with its record.
		resp.Diagnostics.Append(debtError(username, owed, err))
		// The framework keeps the prior state after an error: the record
		// must say what is still owed, not what was.
		storeDebt(ctx, resp.Private, tokenDebt{Debt: owed}, &resp.Diagnostics)
	case len(owed.Intents) > 0:
		// A mint still open cannot hold a destroy: its window may stay
		// open for minutes, and candidates that another state may hold
		// would hold it for ever. Each is named, with its candidates or
		// when it closes, and the resource goes (never silently).
		for i := range owed.Intents {
			in := &owed.Intents[i]
			resp.Diagnostics.AddWarning("Unsettled Mint Dropped With the Resource", openIntentText(in)+
				" This resource is being destroyed, so its record goes with it. A token it names, or one of that name "+
				"created before the time given, that no Terraform state holds is left over from that mint "+
				"(the data source motherduck_user_tokens lists them).")
		}
	}
}

func setIdentity(ctx context.Context, ident *tfsdk.ResourceIdentity, username, id string, diags *diag.Diagnostics) {
	if ident == nil {
		return
	}
	diags.Append(ident.Set(ctx, userTokenIdentity{Username: types.StringValue(username), ID: types.StringValue(id)})...)
}
