package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// The Duckling configuration's rules, from the contract. The schemas'
// validators and descriptions are built from these values.
const (
	minCooldownSeconds = 60
	maxCooldownSeconds = 86400
	maxFlockSize       = 64
	pulseSize          = "pulse"
	// pulseCooldownRefusal is the API's own message for a cooldown on pulse.
	pulseCooldownRefusal = "cooldown_seconds cannot be set for Pulse instances"
)

var (
	instanceSizes = []string{pulseSize, "standard", "jumbo", "mega", "giga"}
	// What destroy does: put back the configuration found when Terraform
	// took the user over, or leave the configuration as it is.
	onDestroyRestore = "restore"
	onDestroyKeep    = "keep"
	onDestroyValues  = []string{onDestroyRestore, onDestroyKeep}
)

// ducklingConfigModel is the resource's state and plan.
type ducklingConfigModel struct {
	ID          types.String   `tfsdk:"id"`
	Username    types.String   `tfsdk:"username"`
	ReadWrite   types.Object   `tfsdk:"read_write"`
	ReadScaling types.Object   `tfsdk:"read_scaling"`
	OnDestroy   types.String   `tfsdk:"on_destroy"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

// ducklingConfigDataModel is the data source's configuration and state.
type ducklingConfigDataModel struct {
	ID          types.String `tfsdk:"id"`
	Username    types.String `tfsdk:"username"`
	ReadWrite   types.Object `tfsdk:"read_write"`
	ReadScaling types.Object `tfsdk:"read_scaling"`
}

// ducklingConfigIdentity names one user's configuration.
type ducklingConfigIdentity struct {
	Username types.String `tfsdk:"username"`
}

// readWriteModel and readScalingModel are the two halves.
type readWriteModel struct {
	InstanceSize    types.String `tfsdk:"instance_size"`
	CooldownSeconds types.Number `tfsdk:"cooldown_seconds"`
}

type readScalingModel struct {
	InstanceSize    types.String `tfsdk:"instance_size"`
	FlockSize       types.Number `tfsdk:"flock_size"`
	CooldownSeconds types.Number `tfsdk:"cooldown_seconds"`
}

var (
	readWriteTypes   = map[string]attr.Type{"instance_size": types.StringType, "cooldown_seconds": types.NumberType}
	readScalingTypes = map[string]attr.Type{"instance_size": types.StringType, "flock_size": types.NumberType, "cooldown_seconds": types.NumberType}
)

// ducklingHalves maps an API configuration to the two nested objects: the
// one mapping from API to state, used by the resource, the data source and
// the moves.
func ducklingHalves(ctx context.Context, cfg client.DucklingConfig, diags *diag.Diagnostics) (rw, rs types.Object) {
	rw, d := types.ObjectValueFrom(ctx, readWriteTypes, readWriteModel{
		InstanceSize:    types.StringValue(cfg.ReadWrite.InstanceSize),
		CooldownSeconds: numberValue(cfg.ReadWrite.CooldownSeconds),
	})
	diags.Append(d...)
	rs, d = types.ObjectValueFrom(ctx, readScalingTypes, readScalingModel{
		InstanceSize:    types.StringValue(cfg.ReadScaling.InstanceSize),
		FlockSize:       numberValue(&cfg.ReadScaling.FlockSize),
		CooldownSeconds: numberValue(cfg.ReadScaling.CooldownSeconds),
	})
	diags.Append(d...)
	return rw, rs
}

// ducklingRequest is the write that makes the API hold the two halves. A
// cooldown that is null or not known yet (the size changes, and the
// service's default for it lands) is left out.
func ducklingRequest(ctx context.Context, rwObj, rsObj types.Object, diags *diag.Diagnostics) client.DucklingConfig {
	var rw readWriteModel
	var rs readScalingModel
	diags.Append(rwObj.As(ctx, &rw, basetypes.ObjectAsOptions{})...)
	diags.Append(rsObj.As(ctx, &rs, basetypes.ObjectAsOptions{})...)
	return client.DucklingConfig{
		ReadWrite:   client.ReadWriteDucklings{InstanceSize: rw.InstanceSize.ValueString(), CooldownSeconds: knownWhole(rw.CooldownSeconds)},
		ReadScaling: client.ReadScalingDucklings{InstanceSize: rs.InstanceSize.ValueString(), FlockSize: wholeValue(rs.FlockSize), CooldownSeconds: knownWhole(rs.CooldownSeconds)},
	}
}

// The whole numbers (flock_size, cooldown_seconds) are Number attributes
// rather than Int64 ones so that a value such as 1.5 reaches wholeBetween
// and is refused in plain words: an Int64 attribute fails the framework's
// conversion first, with a message that blames the provider (as ttl does).

func numberValue(v *int64) types.Number {
	if v == nil {
		return types.NumberNull()
	}
	return types.NumberValue(new(big.Float).SetInt64(*v))
}

// wholeValue is v as an int64 (wholeBetween has checked it).
func wholeValue(v types.Number) int64 {
	if f := v.ValueBigFloat(); f != nil {
		n, _ := f.Int64()
		return n
	}
	return 0
}

// knownWhole is v, or nil when it is null or not known yet.
func knownWhole(v types.Number) *int64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := wholeValue(v)
	return &n
}

// wholeBetween accepts a whole number from lo to hi.
type wholeBetween struct{ lo, hi int64 }

func (v wholeBetween) Description(context.Context) string {
	return fmt.Sprintf("a whole number between %d and %d", v.lo, v.hi)
}

func (v wholeBetween) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v wholeBetween) ValidateNumber(ctx context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	if n, acc := f.Int64(); !f.IsInt() || acc != big.Exact || n < v.lo || n > v.hi {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duckling Setting",
			fmt.Sprintf("%s must be %s, got %s.", req.Path, v.Description(ctx), f.Text('f', -1)))
	}
}

// Descriptions, built from the rules above.

func instanceSizeDescription(which string) string {
	return fmt.Sprintf("Size of the %s: one of %s.", which, quoteList(instanceSizes))
}

func cooldownDescription(which string) string {
	return fmt.Sprintf("Seconds a %s Duckling stays running after its last query, %d to %d. Not allowed with `%s` (MotherDuck "+
		"refuses it: %q). Left out, MotherDuck's default for the size is used (%d for every size but `%s`) and "+
		"Terraform records it without showing a difference; when the size changes, the new size's default lands, "+
		"so the plan shows it as known after apply.", which, minCooldownSeconds, maxCooldownSeconds, pulseSize,
		pulseCooldownRefusal, minCooldownSeconds, pulseSize)
}

func flockSizeDescription() string {
	return fmt.Sprintf("The most read-scaling Ducklings that may run at once, a whole number from 0 to %d.", maxFlockSize)
}
