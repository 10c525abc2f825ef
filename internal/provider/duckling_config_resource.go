package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	_ resource.Resource                   = (*ducklingConfigResource)(nil)
	_ resource.ResourceWithConfigure      = (*ducklingConfigResource)(nil)
	_ resource.ResourceWithImportState    = (*ducklingConfigResource)(nil)
	_ resource.ResourceWithIdentity       = (*ducklingConfigResource)(nil)
	_ resource.ResourceWithValidateConfig = (*ducklingConfigResource)(nil)
	_ resource.ResourceWithMoveState      = (*ducklingConfigResource)(nil)
)

const ducklingConfigType = "motherduck_duckling_config"

// privateOriginalKey holds, in private state, the configuration found when
// Terraform took the user over (at create or import): what destroy puts back.
// Beside it, privateEndpointKey names the API it was read from.
const privateOriginalKey = "duckling_original"

type ducklingConfigResource struct {
	data *providerData
}

func newDucklingConfigResource() resource.Resource { return &ducklingConfigResource{} }

func (r *ducklingConfigResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_duckling_config"
}

func (r *ducklingConfigResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	cooldown := func(which string) schema.NumberAttribute {
		return schema.NumberAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: cooldownDescription(which),
			Validators:          []validator.Number{wholeBetween{minCooldownSeconds, maxCooldownSeconds}},
			PlanModifiers:       []planmodifier.Number{keepCooldownWhileSizeStays{}},
		}
	}
	size := func(which string) schema.StringAttribute {
		return schema.StringAttribute{
			Required:            true,
			MarkdownDescription: instanceSizeDescription(which),
			Validators:          []validator.String{stringvalidator.OneOf(instanceSizes...)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Duckling (compute) configuration of a MotherDuck user or service account: the size and " +
			"cooldown of its read/write Duckling, and the size, flock and cooldown of its read-scaling Ducklings " +
			"(`GET` and `PUT /v1/users/{username}/instances`, which need the Admin role).\n\n" +
			"Every write sends the whole configuration, and what MotherDuck then stores is read back into state. Changes made " +
			"outside Terraform (the web UI changes the same settings) show in the next plan.\n\n" +
			"MotherDuck has no call that deletes or resets a configuration. Destroy therefore puts back, in one write, the " +
			"configuration found when Terraform took the user over (recorded at create or import): `on_destroy = \"restore\"`, " +
			"the default. `on_destroy = \"keep\"` leaves the configuration as it is. The configuration stays bound to " +
			"the API it was taken over through: pointed at another `api_url`, the provider neither reads, writes nor restores it.\n\n" +
			"`read_write` and `read_scaling` are nested attributes, not blocks: the API needs both halves on every write, so " +
			"both are required as a whole, and each can be set from an expression (an object variable, another resource's value).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The username (one configuration per user).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"username": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The user or service account whose Ducklings are configured. " + usernameRulesDescription() +
					" Changing it destroys this resource (with its `on_destroy`) and configures the new user.",
				Validators:    []validator.String{usernameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"read_write": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "The read/write Duckling.",
				Attributes: map[string]schema.Attribute{
					"instance_size":    size("read/write Duckling"),
					"cooldown_seconds": cooldown("read/write"),
				},
			},
			"read_scaling": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "The read-scaling Ducklings, which serve `read_scaling` tokens.",
				Attributes: map[string]schema.Attribute{
					"instance_size": size("read-scaling Ducklings"),
					"flock_size": schema.NumberAttribute{
						Required:            true,
						MarkdownDescription: flockSizeDescription(),
						Validators:          []validator.Number{wholeBetween{0, maxFlockSize}},
					},
					"cooldown_seconds": cooldown("read-scaling"),
				},
			},
			"on_destroy": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(onDestroyRestore),
				MarkdownDescription: fmt.Sprintf("What destroy does: `%s` (the default) writes back, in one request, the "+
					"configuration found when Terraform took the user over (at create or import); `%s` writes nothing and "+
					"leaves the configuration as it is. A configuration moved from another provider has no such record, so "+
					"its destroy writes nothing either, and says so. One of %s; changing it makes no API call.",
					onDestroyRestore, onDestroyKeep, quoteList(onDestroyValues)),
				Validators: []validator.String{stringvalidator.OneOf(onDestroyValues...)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *ducklingConfigResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"username": identityschema.StringAttribute{RequiredForImport: true, Description: "The user whose Ducklings are configured."},
		},
	}
}

func (r *ducklingConfigResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData("resource", req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses, with 0 requests, a cooldown on a pulse half: the
// API would refuse it.
func (r *ducklingConfigResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateTimeouts(ctx, req.Config, &resp.Diagnostics)
	validatePulseCooldown(ctx, req.Config, &resp.Diagnostics)
}

func validatePulseCooldown(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	for _, half := range []string{"read_write", "read_scaling"} {
		var size types.String
		var cooldown types.Number
		diags.Append(config.GetAttribute(ctx, path.Root(half).AtName("instance_size"), &size)...)
		diags.Append(config.GetAttribute(ctx, path.Root(half).AtName("cooldown_seconds"), &cooldown)...)
		if diags.HasError() {
			return
		}
		if size.ValueString() == pulseSize && !cooldown.IsNull() {
			diags.AddAttributeError(path.Root(half).AtName("cooldown_seconds"), "Cooldown Not Allowed With Pulse",
				fmt.Sprintf("%[1]s.instance_size is %[2]q, and MotherDuck refuses a cooldown for it (%[3]q). Remove "+
					"%[1]s.cooldown_seconds, or choose another size: one of %[4]s.", half, pulseSize, pulseCooldownRefusal,
					quoteList(instanceSizes[1:])))
		}
	}
}

// keepCooldownWhileSizeStays plans a cooldown left out of the configuration:
// while its half's size stays the same, the value in state (the service's
// default, or one set in the web UI) is kept and sent again, since a write
// without it would put back the default; when the size changes, the new
// size's default lands, so it stays unknown.
type keepCooldownWhileSizeStays struct{}

func (keepCooldownWhileSizeStays) Description(context.Context) string {
	return "Keeps a cooldown left out of the configuration while the size stays the same."
}

func (m keepCooldownWhileSizeStays) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepCooldownWhileSizeStays) PlanModifyNumber(ctx context.Context, req planmodifier.NumberRequest, resp *planmodifier.NumberResponse) {
	if !req.ConfigValue.IsNull() || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !req.PlanValue.IsUnknown() {
		return
	}
	sizePath := req.Path.ParentPath().AtName("instance_size")
	var planned, current types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, sizePath, &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, sizePath, &current)...)
	if resp.Diagnostics.HasError() || planned.IsUnknown() || planned.IsNull() || !planned.Equal(current) {
		return
	}
	if req.StateValue.IsNull() && planned.ValueString() != pulseSize {
		return // nothing known to keep: the service's default lands
	}
	resp.PlanValue = req.StateValue
}

func (r *ducklingConfigResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ducklingConfigModel
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
	original, err := r.data.client.GetDucklingConfig(ctx, username)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("read the Duckling configuration of user %q", username), username, err))
		return
	}
	want := ducklingRequest(ctx, plan.ReadWrite, plan.ReadScaling, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.data.client.PutDucklingConfig(ctx, username, want)
	if err != nil {
		var failed diag.Diagnostic
		if got, failed = r.settleWrite(ctx, username, want, original, err, &resp.Diagnostics); failed != nil {
			resp.Diagnostics.Append(failed)
			return
		}
	}
	r.setState(ctx, &plan, got, &resp.State, resp.Identity, &resp.Diagnostics)
	recordOriginal(ctx, resp.Private, original, &resp.Diagnostics)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
	tflog.Info(ctx, "configured MotherDuck Ducklings", map[string]any{"username": username})
}

// settleWrite turns a create's failed write into its error, or, for a write
// that failed without a refusal, reads the configuration again to learn
// whether it landed. A write that landed is a success (with a warning);
// otherwise the error says what the user held before, since the next create
// records whatever it then finds as the configuration to restore. Such a
// create is not kept in state as tainted: Terraform does not hand a tainted
// resource's private state to its destroy, so that record would be lost.
func (r *ducklingConfigResource) settleWrite(ctx context.Context, username string, want, original client.DucklingConfig,
	writeErr error, diags *diag.Diagnostics) (client.DucklingConfig, diag.Diagnostic) {
	action := fmt.Sprintf("configure the Ducklings of user %q", username)
	if writeRefused(writeErr) {
		return client.DucklingConfig{}, apiErrorDiag(r.data, action, username, writeErr)
	}
	now, err := r.data.client.GetDucklingConfig(ctx, username)
	switch {
	case err == nil && holds(now, want):
		diags.AddWarning("Duckling Configuration Written Despite an Error",
			fmt.Sprintf("The write of the Duckling configuration of user %q failed (%s), but reading it afterwards shows "+
				"the configuration asked for, so the write landed. It is in state.", username, writeErr))
		return now, nil
	case err == nil && holds(now, original) && holds(original, now):
		return client.DucklingConfig{}, apiErrorDiag(r.data, action, username, writeErr)
	}
	before, _ := json.Marshal(original)
	return client.DucklingConfig{}, apiErrorDiagThen(r.data, action, username, writeErr, fmt.Sprintf(
		"The configuration may or may not have been written, and nothing was put in state. Before this apply the user "+
			"held %s; the next apply records whatever it then finds as the configuration destroy puts back, so if the "+
			"configuration changed, write that one back first (in MotherDuck), or accept the new one as the one to restore.", before))
}

// holds reports whether the API holds what want asks for (a cooldown left
// out of want may hold any value).
func holds(now, want client.DucklingConfig) bool {
	sameCooldown := func(now, want *int64) bool { return want == nil || (now != nil && *now == *want) }
	return now.ReadWrite.InstanceSize == want.ReadWrite.InstanceSize && sameCooldown(now.ReadWrite.CooldownSeconds, want.ReadWrite.CooldownSeconds) &&
		now.ReadScaling.InstanceSize == want.ReadScaling.InstanceSize && now.ReadScaling.FlockSize == want.ReadScaling.FlockSize &&
		sameCooldown(now.ReadScaling.CooldownSeconds, want.ReadScaling.CooldownSeconds)
}

// writeRefused reports whether err is the API refusing the write itself
// (a 4xx other than 429), which changed nothing.
func writeRefused(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.Operation == client.OpWriteDucklingConfig &&
		apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && apiErr.StatusCode != http.StatusTooManyRequests
}

// setState writes the model with the halves the API holds.
func (r *ducklingConfigResource) setState(ctx context.Context, m *ducklingConfigModel, cfg client.DucklingConfig, state *tfsdk.State,
	ident *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	m.ID = m.Username
	m.ReadWrite, m.ReadScaling = ducklingHalves(ctx, cfg, diags)
	if m.OnDestroy.IsNull() || m.OnDestroy.IsUnknown() {
		m.OnDestroy = types.StringValue(onDestroyRestore)
	}
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, m)...)
	setDucklingIdentity(ctx, ident, m.Username.ValueString(), diags)
}

func (r *ducklingConfigResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ducklingConfigModel
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
	// Set even when the resource is then removed: the framework wants an
	// identity after every Read without errors.
	setDucklingIdentity(ctx, resp.Identity, username, &resp.Diagnostics)
	if !r.sameEndpoint(ctx, req.Private, username, &resp.Diagnostics) {
		return
	}
	cfg, err := r.data.client.GetDucklingConfig(ctx, username)
	if client.IsNotFound(err) {
		resp.Diagnostics.AddWarning("MotherDuck User No Longer Exists",
			fmt.Sprintf("User %q no longer exists: it was deleted outside Terraform, and its Duckling configuration with "+
				"it. The configuration was removed from state; if the user is created again, the next apply configures it.", username))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("read the Duckling configuration of user %q", username), username, err))
		return
	}
	r.setState(ctx, &state, cfg, &resp.State, resp.Identity, &resp.Diagnostics)
}

// Update writes the configuration when it changes; on_destroy and timeouts
// alone need no API call.
func (r *ducklingConfigResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ducklingConfigModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.ReadWrite.Equal(state.ReadWrite) && plan.ReadScaling.Equal(state.ReadScaling) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		setDucklingIdentity(ctx, resp.Identity, plan.Username.ValueString(), &resp.Diagnostics)
		return
	}
	ctx, cancel, ok := beginOperation(ctx, r.data, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	username := plan.Username.ValueString()
	want := ducklingRequest(ctx, plan.ReadWrite, plan.ReadScaling, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.data.client.PutDucklingConfig(ctx, username, want)
	if err != nil {
		then := ""
		if !writeRefused(err) {
			then = "The configuration may or may not have been written; the next plan reads it again and shows what is left to change."
		}
		resp.Diagnostics.Append(apiErrorDiagThen(r.data, fmt.Sprintf("configure the Ducklings of user %q", username), username, err, then))
		return
	}
	r.setState(ctx, &plan, got, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *ducklingConfigResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ducklingConfigModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username := state.Username.ValueString()
	if state.OnDestroy.ValueString() == onDestroyKeep {
		tflog.Info(ctx, "on_destroy is keep: the Duckling configuration is left as it is", map[string]any{"username": username})
		return
	}
	var original client.DucklingConfig
	if !readPrivate(ctx, req.Private, privateOriginalKey, "the Duckling configuration found before Terraform", &original, &resp.Diagnostics) {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.AddWarning("No Duckling Configuration to Restore",
				fmt.Sprintf("The Duckling configuration of user %q was left as it is: no configuration from before Terraform "+
					"managed it was recorded (the resource was moved from another provider, or created by an older version "+
					"of this provider), so there is nothing to put back.", username))
		}
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
	_, err := r.data.client.PutDucklingConfig(ctx, username, original)
	if client.IsNotFound(err) {
		tflog.Info(ctx, "user already deleted: nothing to restore", map[string]any{"username": username})
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagThen(r.data, fmt.Sprintf("restore the Duckling configuration of user %q", username), username, err,
			"The resource stays in state: run destroy again to restore the configuration, or set on_destroy = \"keep\" "+
				"and apply first to leave it as it is."))
		return
	}
	tflog.Info(ctx, "restored the Duckling configuration found before Terraform", map[string]any{"username": username})
}

// ImportState takes the username, as an import ID or (Terraform 1.12+) an
// identity, reads the configuration and records it as the one destroy puts
// back.
func (r *ducklingConfigResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	username := req.ID
	if username == "" && req.Identity != nil {
		var ident ducklingConfigIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if resp.Diagnostics.HasError() {
			return
		}
		username = ident.Username.ValueString()
	}
	if msg := usernameProblem(username); msg != "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Could not import %s: the import ID is the username whose Ducklings are configured, which %s (got %q).",
				ducklingConfigType, msg, username))
		return
	}
	if !requireClient(r.data, &resp.Diagnostics) {
		return
	}
	cfg, err := r.data.client.GetDucklingConfig(ctx, username)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(r.data, fmt.Sprintf("read the Duckling configuration of user %q to import it", username), username, err))
		return
	}
	m := ducklingConfigModel{Username: types.StringValue(username), Timeouts: nullTimeouts("update")}
	r.setState(ctx, &m, cfg, &resp.State, resp.Identity, &resp.Diagnostics)
	recordOriginal(ctx, resp.Private, cfg, &resp.Diagnostics)
	recordEndpoint(ctx, resp.Private, r.data.client.Endpoint(), &resp.Diagnostics)
}

// sameEndpoint reports whether the configuration was taken over through the
// API the provider now talks to. A user of the same name at another API may
// be another organization's: it is neither read, written nor restored.
func (r *ducklingConfigResource) sameEndpoint(ctx context.Context, p privateGetter, username string, diags *diag.Diagnostics) bool {
	current := r.data.client.Endpoint()
	other := recordedElsewhere(ctx, p, current, diags)
	if other == "" {
		return true
	}
	diags.AddError("Duckling Configuration Managed Through Another MotherDuck API",
		fmt.Sprintf("The Duckling configuration of user %q was taken over through %s, but this resource's provider "+
			"configuration now talks to %s, where a user of that name may be another organization's. Nothing was read or "+
			"written, and the resource stays in state. Point the provider back at %s; to manage the user at %s instead, "+
			"remove this resource from state (terraform state rm, or a removed block) and import it there.",
			username, other, current, other, current))
	return false
}

// recordOriginal keeps the configuration found before Terraform.
func recordOriginal(ctx context.Context, p privateSetter, cfg client.DucklingConfig, diags *diag.Diagnostics) {
	if !present(p) {
		return
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		diags.AddError("Cannot Record the Duckling Configuration", err.Error())
		return
	}
	diags.Append(p.SetKey(ctx, privateOriginalKey, b)...)
}

func setDucklingIdentity(ctx context.Context, ident *tfsdk.ResourceIdentity, username string, diags *diag.Diagnostics) {
	if ident == nil {
		return
	}
	diags.Append(ident.Set(ctx, ducklingConfigIdentity{Username: types.StringValue(username)})...)
}
