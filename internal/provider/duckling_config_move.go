package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// Moving motherduck_duckling_config from the two other MotherDuck providers
// (see migrate_state.go for the shared reading of a source state). The
// official provider keeps the configuration in flat attributes
// (read_write_instance_size, ...), the community one in two nested blocks
// shaped like this provider's attributes. Both only forgot the
// configuration on destroy, so a moved resource has no record of the
// configuration from before: its destroy with on_destroy = "restore" writes
// nothing and says so.

// ducklingSource names the source's attributes; an attribute of a nested
// block is named "<block>.<attribute>".
type ducklingSource struct {
	provider                                        string
	blocks                                          []string
	rwSize, rwCooldown, rsSize, rsFlock, rsCooldown string
}

var ducklingSources = []ducklingSource{
	{
		provider: officialProvider,
		rwSize:   "read_write_instance_size", rwCooldown: "read_write_cooldown_seconds",
		rsSize: "read_scaling_instance_size", rsFlock: "read_scaling_flock_size", rsCooldown: "read_scaling_cooldown_seconds",
	},
	{
		provider: communityProvider, blocks: []string{"read_write", "read_scaling"},
		rwSize: "read_write.instance_size", rwCooldown: "read_write.cooldown_seconds",
		rsSize: "read_scaling.instance_size", rsFlock: "read_scaling.flock_size", rsCooldown: "read_scaling.cooldown_seconds",
	},
}

// MoveState accepts motherduck_duckling_config of both other providers.
func (r *ducklingConfigResource) MoveState(context.Context) []resource.StateMover {
	movers := make([]resource.StateMover, 0, len(ducklingSources))
	for _, src := range ducklingSources {
		movers = append(movers, resource.StateMover{StateMover: src.move})
	}
	return movers
}

func (src ducklingSource) move(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	raw, ok := openSource(req, src.provider, ducklingConfigType, &resp.Diagnostics)
	if !ok {
		return
	}
	username := raw.str("username", true)
	if msg := usernameProblem(username.ValueString()); msg != "" && !username.IsNull() {
		raw.fail("username", msg)
	}
	raw.accept("id") // the sources' id is the username
	for _, b := range src.blocks {
		raw.flatten(b)
	}
	var cfg client.DucklingConfig
	cfg.ReadWrite.InstanceSize = raw.size(src.rwSize)
	cfg.ReadWrite.CooldownSeconds = raw.whole(src.rwCooldown, minCooldownSeconds, maxCooldownSeconds, false)
	cfg.ReadScaling.InstanceSize = raw.size(src.rsSize)
	if flock := raw.whole(src.rsFlock, 0, maxFlockSize, true); flock != nil {
		cfg.ReadScaling.FlockSize = *flock
	}
	cfg.ReadScaling.CooldownSeconds = raw.whole(src.rsCooldown, minCooldownSeconds, maxCooldownSeconds, false)
	if !raw.finish() {
		return
	}
	m := ducklingConfigModel{
		ID:        username,
		Username:  username,
		OnDestroy: types.StringValue(onDestroyRestore),
		Timeouts:  nullTimeouts("update"),
	}
	m.ReadWrite, m.ReadScaling = ducklingHalves(ctx, cfg, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	if resp.TargetIdentity != nil {
		setDucklingIdentity(ctx, resp.TargetIdentity, username.ValueString(), &resp.Diagnostics)
	}
}

// flatten replaces the nested block name (a JSON object, or a list of one
// object as list-shaped blocks are stored) by its attributes, named
// "<name>.<attribute>", so that reading and finish name them in full.
func (s *sourceState) flatten(name string) {
	v := s.value(name)
	if v == nil {
		return // its attributes read as absent, and the required ones fail
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) != nil {
		var list []map[string]json.RawMessage
		if json.Unmarshal(v, &list) != nil || len(list) != 1 {
			s.fail(name, "is not a block holding one object")
			return
		}
		obj = list[0]
	}
	for k, v := range obj {
		s.attrs[name+"."+k] = v
	}
}

// size reads a required instance size.
func (s *sourceState) size(name string) string {
	v := s.str(name, true)
	if !v.IsNull() && !isOneOf(v.ValueString(), instanceSizes) {
		s.fail(name, fmt.Sprintf("is %q; this provider knows %s", v.ValueString(), quoteList(instanceSizes)))
	}
	return v.ValueString()
}

// whole reads a whole number from lo to hi; nil when null or absent (an
// error when required).
func (s *sourceState) whole(name string, lo, hi int64, required bool) *int64 {
	var n json.Number
	if !s.decode(name, "number", &n) {
		if required && s.value(name) == nil {
			s.fail(name, "is empty")
		}
		return nil
	}
	v, err := n.Int64()
	if f, ferr := n.Float64(); err != nil && ferr == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		v, err = int64(f), nil // 4.0, as a Float64 attribute stores 4
	}
	if err != nil || v < lo || v > hi {
		s.fail(name, fmt.Sprintf("is %s; this provider takes a whole number from %d to %d", n, lo, hi))
		return nil
	}
	return &v
}
