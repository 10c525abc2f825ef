package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

var (
	_ resource.Resource                   = (*serviceAccountResource)(nil)
	_ resource.ResourceWithConfigure      = (*serviceAccountResource)(nil)
	_ resource.ResourceWithImportState    = (*serviceAccountResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serviceAccountResource)(nil)
	_ resource.ResourceWithIdentity       = (*serviceAccountResource)(nil)
	_ resource.ResourceWithMoveState      = (*serviceAccountResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serviceAccountResource)(nil)
)

// ValidateConfig refuses a timeout that is not positive, at plan.
func (r *serviceAccountResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateTimeouts(ctx, req.Config, &resp.Diagnostics)
}

const serviceAccountType = "motherduck_service_account"

// Service-account usernames, as the service enforces them (the contract's
// README): an ASCII letter, then ASCII letters, digits and "_".
const minServiceAccountUsernameLength = 3

var serviceAccountUsernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

const serviceAccountUsernameRule = "must start with an ASCII letter and hold only ASCII letters, digits and `_`"

type serviceAccountResource struct {
	data *providerData
}

func newServiceAccountResource() resource.Resource { return &serviceAccountResource{} }

// serviceAccountModel is the resource's state and plan.
type serviceAccountModel struct {
	ID                 types.String   `tfsdk:"id"`
	Username           types.String   `tfsdk:"username"`
	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// serviceAccountIdentity names one service account.
type serviceAccountIdentity struct {
	Username types.String `tfsdk:"username"`
}

func (r *serviceAccountResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service_account"
}

func (r *serviceAccountResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A MotherDuck service account: a user of the organization that is not a person, to which " +
			"`motherduck_user_token` resources can mint tokens. Creating it calls `POST /v1/users`; destroying it calls " +
			"`DELETE /v1/users/{username}`, which **permanently deletes every database, share and token the account owns**. " +
			"`deletion_protection` (on by default) stops any plan that would do that.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The username (service accounts are named by their username).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"username": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("The account's username, %d to %d characters; it %s. Changing it replaces "+
					"the account (a delete, so `deletion_protection` must be off first).",
					minServiceAccountUsernameLength, maxUsernameLength, serviceAccountUsernameRule),
				Validators: []validator.String{
					stringvalidator.LengthBetween(minServiceAccountUsernameLength, maxUsernameLength),
					stringvalidator.RegexMatches(serviceAccountUsernamePattern, serviceAccountUsernameRule),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "While `true` (the default), a plan that would destroy or replace the account fails " +
					"before anything changes. Set it to `false` and apply before destroying the account. Changing it makes " +
					"no API call. To stop managing the account without deleting it, use a `removed` block with " +
					"`lifecycle { destroy = false }`, which works whatever this is set to.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true,
				CreateDescription: serviceAccountCreateTimeoutDescription, ReadDescription: serviceAccountReadTimeoutDescription,
				DeleteDescription: serviceAccountDeleteTimeoutDescription}),
		},
	}
}

func (r *serviceAccountResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"username": identityschema.StringAttribute{RequiredForImport: true, Description: "The service account's username."},
		},
	}
}

func (r *serviceAccountResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData("resource", req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan stops, while planning, a destroy or a replacement of a
// protected account, so that nothing is touched.
func (r *serviceAccountResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return // a create
	}
	var protected types.Bool
	var username types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("deletion_protection"), &protected)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("username"), &username)...)
	if resp.Diagnostics.HasError() || protected.IsNull() || !protected.ValueBool() {
		return
	}
	if req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(protectedDiag(username.ValueString(), "destroy"))
		return
	}
	var planned types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("username"), &planned)...)
	if resp.Diagnostics.HasError() || planned.Equal(username) {
		return
	}
	resp.Diagnostics.Append(diag.WithPath(path.Root("username"),
		protectedDiag(username.ValueString(), "replace (its username changes, and a username cannot be renamed)")))
}

// protectedDiag refuses to delete a protected account; what says why the
// account would be deleted.
func protectedDiag(username, what string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Service Account Is Protected From Deletion",
		fmt.Sprintf("This plan would %s service account %q, which deletes it. Deleting a MotherDuck user permanently "+
			"deletes every database, share and access token it owns, and cannot be undone. deletion_protection is true, "+
			"so the plan was stopped before anything changed.\n\n"+
			"To delete the account: set deletion_protection = false on it, apply, then run this again.\n"+
			"To stop managing it with Terraform and keep it: remove its resource block and add\n"+
			"  removed {\n    from = <the resource's address>\n    lifecycle {\n      destroy = false\n    }\n  }\n"+
			"(Terraform 1.7+), or run terraform state rm on it.", what, username))
}

func (r *serviceAccountResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan serviceAccountModel
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
	recovered, err := r.data.client.CreateNewServiceAccount(ctx, username)
	var exists *client.UserExistsError
	var ambiguous *client.AmbiguousCreateError
	switch {
	case errors.As(err, &exists):
		// Import takes service accounts only: point there only when the
		// user may be one.
		if kind, kerr := r.data.client.LookupUserKind(ctx, username); kerr == nil && kind.Kind == client.UserKindHuman {
			resp.Diagnostics.AddAttributeError(path.Root("username"), "Username Taken by a Person's Account",
				fmt.Sprintf("User %q is a person's account (a human member of the organization), so no service account "+
					"of that name can be created, and %s cannot import it. Nothing was created. Choose another username.",
					username, serviceAccountType))
			return
		}
		resp.Diagnostics.AddAttributeError(path.Root("username"), "Service Account Already Exists",
			fmt.Sprintf("A user named %q already exists in the organization, so it was not created. To manage it with "+
				"Terraform, import it instead:\n\n  terraform import <the resource's address> %s\n\n"+
				"or an import block with id = %q. Otherwise choose another username.", username, username, username))
		return
	case errors.As(err, &ambiguous):
		// The account may exist, or still come to: it is this apply's
		// (it did not exist before the request), so the resource is kept
		// in state with the request on record, and the next plan settles
		// it (settleCreate). A rerun must never meet "already exists".
		resp.Diagnostics.AddWarning("Service Account Creation Outcome Unknown",
			fmt.Sprintf("The request to create service account %q failed in a way that may or may not have created it. "+
				"It is kept in state with the request on record: the next plan checks whether the account exists, and "+
				"keeps it if it does, or removes it from state (so that the apply creates it) once the API can no longer "+
				"create it, after %s on the API's clock. Resources that use the account may fail until it exists.\n\n%s",
				username, stamp(ambiguous.Intent.Closes()), cause(err)))
		b, jerr := json.Marshal(ambiguous.Intent)
		if jerr != nil {
			resp.Diagnostics.AddError("Cannot Record the Create", jerr.Error())
			return
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCreateKey, b)...)
	case err != nil:
		// "" : the account is not an existing user whose absence a 404 means.
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("create service account %q", username), "", err))
		return
	case recovered != nil:
		resp.Diagnostics.AddWarning("Service Account Created Despite an Error",
			fmt.Sprintf("The request to create service account %q failed (%s), but the account exists now and did not "+
				"before the request, so this apply created it. It is in state.", username, recovered))
	}
	tflog.Info(ctx, "created MotherDuck service account", map[string]any{"username": username})
	state := plan
	state.ID = types.StringValue(username)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setServiceAccountIdentity(ctx, resp.Identity, username, &resp.Diagnostics)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
}

func (r *serviceAccountResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serviceAccountModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := beginOperation(ctx, r.data, state.Timeouts.Read, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	username := state.Username.ValueString()
	setServiceAccountIdentity(ctx, resp.Identity, username, &resp.Diagnostics)
	if !r.sameEndpoint(ctx, req.Private, username, &resp.Diagnostics) {
		return
	}
	// Shares the token list of this user with the token resources: a plan
	// of an account and its tokens lists the user once.
	exists, err := r.data.client.UserExists(ctx, username)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("check that service account %q exists", username), username, err))
		return
	}
	switch r.settleCreate(ctx, req.Private, resp.Private, username, exists, &resp.Diagnostics) {
	case createOpen:
		return // kept as it is
	case createNothing:
		resp.Diagnostics.AddWarning("Service Account Was Not Created",
			fmt.Sprintf("The earlier request to create service account %q, whose answer was lost, created nothing. "+
				"It was removed from state; the next apply creates it.", username))
		resp.State.RemoveResource(ctx)
		return
	}
	if !exists {
		resp.Diagnostics.AddWarning("MotherDuck Service Account No Longer Exists",
			fmt.Sprintf("Service account %q no longer exists: it was deleted outside Terraform, and its databases, shares "+
				"and tokens with it. It was removed from state; the next apply creates it again.", username))
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(username)
	if state.DeletionProtection.IsNull() { // after an import
		state.DeletionProtection = types.BoolValue(true)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// An account from before the endpoint was recorded is pinned now.
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
}

// Update changes only settings that need no API call: deletion_protection
// and timeouts (a new username replaces the account).
func (r *serviceAccountResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan serviceAccountModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setServiceAccountIdentity(ctx, resp.Identity, plan.Username.ValueString(), &resp.Diagnostics)
}

func (r *serviceAccountResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state serviceAccountModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username := state.Username.ValueString()
	// The plan refuses this already; a replacement Terraform decides alone
	// (a tainted resource, -replace) reaches here without that check.
	if state.DeletionProtection.ValueBool() {
		resp.Diagnostics.Append(protectedDiag(username, "delete"))
		return
	}
	ctx, cancel, ok := beginOperation(ctx, r.data, state.Timeouts.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	if !r.sameEndpoint(ctx, req.Private, username, &resp.Diagnostics) {
		return
	}
	kind, err := r.data.client.LookupUserKind(ctx, username)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("check that user %q is a service account before deleting it", username), username, err))
		return
	}
	if kind.Kind == client.UserKindHuman {
		resp.Diagnostics.Append(humanUserDeleteDiag(username))
		return
	}
	if kind.Kind == client.UserKindUnknown && privateFlag(ctx, req.Private, privateUnverifiedKey, &resp.Diagnostics) {
		if kind.NotListed {
			// The list works and does not show the user: gone already?
			exists, err := r.data.client.UserExists(ctx, username)
			if err != nil {
				resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("check that service account %q exists", username), username, err))
				return
			}
			if !exists {
				tflog.Info(ctx, "service account was already deleted", map[string]any{"username": username})
				return
			}
		}
		resp.Diagnostics.Append(unverifiedDeleteDiag(username, kind))
		return
	}
	err = r.data.client.DeleteUser(ctx, username)
	if client.IsNotFound(err) {
		tflog.Info(ctx, "service account was already deleted", map[string]any{"username": username})
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("delete service account %q", username), username, err))
		return
	}
	tflog.Info(ctx, "deleted MotherDuck service account", map[string]any{"username": username})
}

// ImportState takes the username, as an import ID or (Terraform 1.12+) an
// identity. It refuses a person's account and a missing user (see
// checkImportable); Read then fills in the rest.
func (r *serviceAccountResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	username := req.ID
	if username == "" {
		var ident serviceAccountIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if resp.Diagnostics.HasError() {
			return
		}
		username = ident.Username.ValueString()
	}
	if msg := serviceAccountUsernameProblem(username); msg != "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Could not import %s: the import ID is the account's username, which %s (got %q).", serviceAccountType, msg, username))
		return
	}
	verified, ok := r.checkImportable(ctx, username, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("username"), username)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), username)...)
	setServiceAccountIdentity(ctx, resp.Identity, username, &resp.Diagnostics)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
	if !verified {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnverifiedKey, []byte("true"))...)
	}
}

// checkImportable refuses to import a user the organization's user list
// shows to be a person, or a user that does not exist. When the list cannot
// tell, the import goes on (ok) with a warning saying why it was not
// verified (verified false).
func (r *serviceAccountResource) checkImportable(ctx context.Context, username string, diags *diag.Diagnostics) (verified, ok bool) {
	kind, err := r.data.client.LookupUserKind(ctx, username)
	if err != nil {
		diags.Append(apiErrorDiag(r.data, fmt.Sprintf("check that user %q is a service account before importing it", username), username, err))
		return false, false
	}
	switch kind.Kind {
	case client.UserKindHuman:
		diags.AddError("Cannot Import a Person's Account as a Service Account",
			fmt.Sprintf("User %q is a person's account (a human member of the organization), not a service account. "+
				"%s manages service accounts only, and destroying one deletes the user: for this user that would "+
				"permanently delete the person's account and every database, share and token they own. Nothing was "+
				"imported. Check the username. Tokens of a person cannot be managed for them: MotherDuck lets an admin mint "+
				"tokens only for its own user and for service accounts. For credentials Terraform manages, create a service "+
				"account with %s and mint its tokens with motherduck_user_token.",
				username, serviceAccountType, serviceAccountType))
		return false, false
	case client.UserKindServiceAccount:
		return true, true
	}
	exists, err := r.data.client.UserExists(ctx, username)
	if err != nil {
		diags.Append(apiErrorDiag(r.data, fmt.Sprintf("check that service account %q exists before importing it", username), username, err))
		return false, false
	}
	if !exists {
		diags.AddError("Cannot Import Service Account: Account Not Found",
			fmt.Sprintf("Service account %q does not exist in the organization reached at %s, so there is nothing to "+
				"import. Check the username in the import ID and the provider configuration's token and api_url; to "+
				"create the account, remove the import and apply the resource.", username, r.data.client.Endpoint()))
		return false, false
	}
	diags.AddWarning("Could Not Verify That the User Is a Service Account",
		fmt.Sprintf("User %q was imported, but the provider could not check that it is a service account and not a "+
			"person: %s. Destroying this resource would delete the user and all of its data, so destroy refuses to "+
			"delete it until the user list shows it to be a service account.", username, kind.Why))
	return false, true
}

// privateCreateKey holds the client.Intent of a create whose outcome is
// unknown, until settleCreate settles it.
const privateCreateKey = "create_intent"

// Outcomes of settleCreate.
const (
	createSettled = iota // no create on record, or the account exists: Read goes on
	createOpen           // still unknown: the resource stays as it is
	createNothing        // the create can no longer make it: not created
)

// settleCreate is the settle step of an account whose create's outcome was
// unknown: the account exists (it did not before the request, so it is
// this resource's), the create can no longer make it, or it stays open
// (with a warning).
func (r *serviceAccountResource) settleCreate(ctx context.Context, from privateGetter, to privateSetter, username string, exists bool, diags *diag.Diagnostics) int {
	var in client.Intent
	if !readPrivate(ctx, from, privateCreateKey, "an account create of unknown outcome", &in, diags) {
		return createSettled
	}
	open := !exists && r.data.client.Now().Before(in.Closes())
	if open {
		diags.AddWarning("Service Account Creation Still Unsettled", fmt.Sprintf("Service account %q does not exist yet, "+
			"but the request that created it lost its answer, and the API may still carry it out until %s (the API's "+
			"clock). It stays in state until then.", username, stamp(in.Closes())))
		return createOpen
	}
	diags.Append(to.SetKey(ctx, privateCreateKey, nil)...)
	if !exists {
		return createNothing
	}
	return createSettled
}

// privateUnverifiedKey marks, in private state, an account imported while
// the user list could not tell whether it is a service account: destroy then
// refuses to delete it while that still cannot be told.
const privateUnverifiedKey = "unverified_kind"

// sameEndpoint reports whether the account belongs to the API the provider
// now talks to. When it was created or imported through another one, a user
// of that name here may be another organization's: it is neither read nor
// deleted, and the error says how to finish.
func (r *serviceAccountResource) sameEndpoint(ctx context.Context, p privateGetter, username string, diags *diag.Diagnostics) bool {
	current := r.data.client.Endpoint()
	other := recordedElsewhere(ctx, p, current, diags)
	if other == "" {
		return true
	}
	diags.AddError("Service Account Managed Through Another MotherDuck API",
		fmt.Sprintf("Service account %q was created or imported through %s, but this resource's provider configuration now "+
			"talks to %s. A user of that name there may be another organization's account, so it was neither read nor "+
			"deleted, and the resource is kept in state.\n\nTo finish cleanly:\n"+
			"  1. Point the resource back at a provider configuration for %s (its `provider` argument, or api_url).\n"+
			"  2. Then destroy it there, or stop managing it without deleting it (`terraform state rm`, or a removed "+
			"block with lifecycle { destroy = false }).\n"+
			"  3. To manage an account at %s, import it under the new provider configuration.",
			username, other, current, other, current))
	return false
}

// unverifiedDeleteDiag refuses to delete an account imported unverified
// while the user list still cannot tell what it is.
func unverifiedDeleteDiag(username string, kind client.UserKindAnswer) diag.Diagnostic {
	next := "Give the provider's token the member_management.view_all_members privilege so the check can run; or check in " +
		"MotherDuck that the user is a service account, delete it there, and run terraform state rm on this resource."
	if kind.NotListed {
		next = "Check in MotherDuck what the user is; if it is a service account, delete it there and run terraform state " +
			"rm on this resource."
	}
	return diag.NewErrorDiagnostic("Refusing to Delete an Unverified Account",
		fmt.Sprintf("User %q was imported while the organization's user list could not tell whether it is a service "+
			"account or a person, and it still cannot: %s. Deleting a person's account would permanently delete it and "+
			"every database, share and token they own, so nothing was deleted and the resource stays in state. %s",
			username, kind.Why, next))
}

// humanUserDeleteDiag refuses to delete a user the organization's user list
// shows to be a person.
func humanUserDeleteDiag(username string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Refusing to Delete a Person's Account",
		fmt.Sprintf("User %q is a person's account (a human member of the organization), not a service account, so %s "+
			"will not delete it: that would permanently delete the person's account and every database, share and token "+
			"they own. Nothing was deleted, and the resource stays in state. To stop managing the user with Terraform "+
			"without deleting it, remove the resource block and add a removed block with lifecycle { destroy = false } "+
			"(Terraform 1.7+), or run terraform state rm on it.", username, serviceAccountType))
}

// serviceAccountUsernameProblem applies the username attribute's rules
// where no validator runs (import).
func serviceAccountUsernameProblem(s string) string {
	if n := len(s); n < minServiceAccountUsernameLength || n > maxUsernameLength {
		return fmt.Sprintf("must be %d to %d characters long", minServiceAccountUsernameLength, maxUsernameLength)
	}
	if !serviceAccountUsernamePattern.MatchString(s) {
		return serviceAccountUsernameRule
	}
	return ""
}

func setServiceAccountIdentity(ctx context.Context, ident *tfsdk.ResourceIdentity, username string, diags *diag.Diagnostics) {
	if ident == nil {
		return
	}
	diags.Append(ident.Set(ctx, serviceAccountIdentity{Username: types.StringValue(username)})...)
}
