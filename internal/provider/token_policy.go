package provider

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// The provider's token_policy block: limits that every token this provider
// mints must meet, set once by a platform team in the provider
// configuration. motherduck_user_token checks them in ModifyPlan (the
// provider's configuration reaches a resource before its plan, not before
// ValidateConfig, which also runs in `terraform validate` without it); the
// ephemeral motherduck_user_token in Open, which Terraform calls while
// planning. Both check before any request.

// tokenPolicyModel is the token_policy block as configured.
type tokenPolicyModel struct {
	MaxTTL            types.Number `tfsdk:"max_ttl"`
	RequireTTL        types.Bool   `tfsdk:"require_ttl"`
	AllowedTokenTypes types.Set    `tfsdk:"allowed_token_types"`
}

// tokenPolicy is a known token_policy; a nil *tokenPolicy allows everything.
type tokenPolicy struct {
	maxTTL     int64    // 0: no maximum
	requireTTL bool     // a token must set ttl
	allowed    []string // nil: every token type
}

func tokenPolicyBlock() schema.Block {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Limits that every token minted through this provider configuration must meet " +
			"(`motherduck_user_token`, the resource and the ephemeral resource; another configuration of the provider, an " +
			"alias, has a policy of its own). Each breach fails the plan before any API request, with an error on the " +
			"token attribute at fault that names the policy's. It holds every token the plan mints: a new token, a " +
			"replacement, a rotation. A token that exists already and breaches it is kept, with a warning, until it is " +
			"next minted anew; refresh and destroy are never blocked. The ephemeral token is checked with its one-hour " +
			"default `ttl` when it sets none. A policy value that depends on a resource not created yet is checked when " +
			"Terraform plans the token again during apply, still before the mint.",
		Attributes: map[string]schema.Attribute{
			"max_ttl": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The longest `ttl` a token may have, in whole seconds, from %d to %d. A "+
					"token without `ttl` never expires, so it exceeds any `max_ttl`.", minTTL, maxTTL),
				Validators: []validator.Number{ttlValidator{}},
			},
			"require_ttl": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, no token may be minted that never expires: the resource must set `ttl`. The ephemeral " +
					"token always expires (its `ttl` defaults to one hour), so it meets this; `max_ttl` still holds it. Default `false`.",
			},
			"allowed_token_types": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: fmt.Sprintf("The token types a token may have, a non-empty set of %s. "+
					"Unset, every type is allowed. A token without `token_type` has the type `%s`.", quoteList(tokenTypes), tokenTypes[0]),
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(tokenTypes...)),
				},
			},
		},
		Validators: []validator.Object{notEmptyPolicy{}},
	}
}

// notEmptyPolicy refuses a token_policy block that sets nothing, which
// would look like a policy and enforce none.
type notEmptyPolicy struct{}

func (notEmptyPolicy) Description(context.Context) string {
	return "sets at least one of max_ttl, require_ttl, allowed_token_types"
}
func (v notEmptyPolicy) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (notEmptyPolicy) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, v := range req.ConfigValue.Attributes() {
		if !v.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty Token Policy",
		"The token_policy block sets nothing, so it would limit no token. Set at least one of max_ttl, require_ttl "+
			"and allowed_token_types, or remove the block.")
}

// newTokenPolicy reads the configured block. It returns nil when there is no
// policy, and also when a value in it is not known yet (it depends on a
// resource not created yet): the plan cannot be checked then, and Terraform
// plans each token again during apply, with the policy known, before
// minting it.
func newTokenPolicy(ctx context.Context, obj types.Object, diags *diag.Diagnostics) *tokenPolicy {
	if raw, err := obj.ToTerraformValue(ctx); err != nil || raw.IsNull() || !raw.IsFullyKnown() {
		return nil // an element of allowed_token_types may be the one unknown
	}
	var m tokenPolicyModel
	if diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...); diags.HasError() {
		return nil
	}
	p := &tokenPolicy{requireTTL: m.RequireTTL.ValueBool()}
	if !m.MaxTTL.IsNull() {
		p.maxTTL, _ = m.MaxTTL.ValueBigFloat().Int64() // ttlValidator checked it
	}
	if !m.AllowedTokenTypes.IsNull() {
		var allowed []string
		if diags.Append(m.AllowedTokenTypes.ElementsAs(ctx, &allowed, false)...); diags.HasError() {
			return nil
		}
		p.allowed = []string{}
		for _, t := range tokenTypes { // in the schema's order, for messages
			if isOneOf(t, allowed) {
				p.allowed = append(p.allowed, t)
			}
		}
	}
	return p
}

// plannedToken is what the policy looks at in a token about to be planned
// or opened: the ttl and token_type it will have, and whether each is a
// default (for the messages).
type plannedToken struct {
	ttl          types.Number
	tokenType    types.String
	ttlIsDefault bool
	typeIsUnset  bool
}

// checkTokenPolicyPlan checks the token motherduck_user_token plans, for
// every plan but a destroy. It reports whether the plan may go on.
func checkTokenPolicyPlan(ctx context.Context, data *providerData, config tfsdk.Config, plan tfsdk.Plan, diags *diag.Diagnostics) bool {
	if data == nil || data.policy == nil || plan.Raw.IsNull() {
		return true
	}
	var t plannedToken
	var configType types.String
	diags.Append(plan.GetAttribute(ctx, path.Root("ttl"), &t.ttl)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("token_type"), &t.tokenType)...)
	diags.Append(config.GetAttribute(ctx, path.Root("token_type"), &configType)...)
	if diags.HasError() {
		return false
	}
	t.typeIsUnset = configType.IsNull()
	return data.policy.check(t, diags)
}

// checkTokenPolicyOpen checks the token the ephemeral motherduck_user_token
// is about to mint, with its defaults for unset ttl and token_type. It
// reports whether the mint may go on.
func checkTokenPolicyOpen(ctx context.Context, data *providerData, config tfsdk.Config, diags *diag.Diagnostics) bool {
	if data == nil || data.policy == nil {
		return true
	}
	var t plannedToken
	diags.Append(config.GetAttribute(ctx, path.Root("ttl"), &t.ttl)...)
	diags.Append(config.GetAttribute(ctx, path.Root("token_type"), &t.tokenType)...)
	if diags.HasError() {
		return false
	}
	if t.ttl.IsNull() {
		t.ttl, t.ttlIsDefault = types.NumberValue(big.NewFloat(defaultEphemeralTTL)), true
	}
	if t.tokenType.IsNull() {
		t.tokenType, t.typeIsUnset = types.StringValue(tokenTypes[0]), true
	}
	return data.policy.check(t, diags)
}

// check adds an error, on the attribute at fault, for each rule of the
// policy that t breaks, and reports whether t meets them all. A value not
// known yet is checked when it is (Terraform plans again before applying).
func (p *tokenPolicy) check(t plannedToken, diags *diag.Diagnostics) bool {
	ok := true
	fail := func(attribute, detail string) {
		ok = false
		diags.AddAttributeError(path.Root(attribute), "Token Policy Violation", detail+
			" The provider configuration's token_policy limits every token this provider mints; nothing was requested from MotherDuck.")
	}
	if !t.ttl.IsUnknown() {
		var secs int64
		if !t.ttl.IsNull() {
			secs, _ = t.ttl.ValueBigFloat().Int64() // ttlValidator checked it
		}
		ttl := fmt.Sprintf("ttl = %d", secs)
		if t.ttlIsDefault {
			ttl += " (the default when ttl is unset)"
		}
		if t.ttl.IsNull() && p.requireTTL {
			fail("ttl", fmt.Sprintf("token_policy.require_ttl is true; this token sets no ttl, so it would never expire. "+
				"Set ttl, in seconds (%s).", p.ttlRange()))
		}
		switch {
		case p.maxTTL == 0:
		case t.ttl.IsNull():
			fail("ttl", fmt.Sprintf("token_policy.max_ttl is %d seconds; this token sets no ttl, so it would never expire, "+
				"which exceeds it. Set ttl, in seconds (%s).", p.maxTTL, p.ttlRange()))
		case secs > p.maxTTL:
			fail("ttl", fmt.Sprintf("token_policy.max_ttl is %d seconds; %s exceeds it. Set ttl to %d or less.", p.maxTTL, ttl, p.maxTTL))
		}
	}
	if p.allowed != nil && !t.tokenType.IsUnknown() && !t.tokenType.IsNull() && !isOneOf(t.tokenType.ValueString(), p.allowed) {
		tokenType := fmt.Sprintf("token_type = %q", t.tokenType.ValueString())
		if t.typeIsUnset {
			tokenType += " (the default when token_type is unset)"
		}
		fail("token_type", fmt.Sprintf("token_policy.allowed_token_types is [%s]; %s is not in it. Set token_type to %s.",
			quotedJoin(p.allowed, ", "), tokenType, quotedJoin(p.allowed, " or ")))
	}
	return ok
}

// ttlRange says which ttl values the policy accepts.
func (p *tokenPolicy) ttlRange() string {
	if p.maxTTL == 0 {
		return fmt.Sprintf("from %d to %d", minTTL, maxTTL)
	}
	return fmt.Sprintf("from %d to %d", minTTL, p.maxTTL)
}

func quotedJoin(values []string, sep string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(quoted, sep)
}

// policyOfExisting holds an existing token to the policy when the plan mints
// in its place (a rotation in place: the planned id is unknown). A token the
// plan keeps is only warned about: failing its plans would also fail the
// refresh that every destroy runs first. A replacement's create half is
// checked on its own (ModifyPlan, with no prior state).
func policyOfExisting(ctx context.Context, data *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if resp.Diagnostics.HasError() || data == nil || data.policy == nil || len(resp.RequiresReplace) > 0 {
		return
	}
	var id types.String
	if resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("id"), &id)...); id.IsUnknown() {
		checkTokenPolicyPlan(ctx, data, req.Config, resp.Plan, &resp.Diagnostics)
		return
	}
	var breaches diag.Diagnostics
	checkTokenPolicyPlan(ctx, data, req.Config, resp.Plan, &breaches)
	for _, d := range breaches.Errors() {
		detail := d.Detail() + " This token exists already and is kept; the policy refuses it when it is next minted " +
			"(a rotation or a replacement)."
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			resp.Diagnostics.AddAttributeWarning(dp.Path(), "Existing Token Breaches token_policy", detail)
		} else {
			resp.Diagnostics.AddWarning("Existing Token Breaches token_policy", detail)
		}
	}
}
