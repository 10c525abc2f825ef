package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Moving resources from the two other MotherDuck providers into this one with
// a `moved` block (Terraform 1.8+): the source state is mapped attribute by
// attribute, nothing is minted or revoked, and an attribute this provider
// cannot map is an error that names it. The resources' interface
// assertions (ResourceWithMoveState) open their own files.

// The providers resources can be moved from, by registry namespace and type
// (the host is registry.terraform.io under Terraform, registry.opentofu.org
// under OpenTofu).
const (
	officialProvider  = "motherduckdb/motherduck"
	communityProvider = "jpig18/motherduck"
)

// tokenSource describes a token resource of another provider: which of its
// attributes hold what this provider calls ttl, created_ts and expire_at.
type tokenSource struct {
	provider, typeName       string
	ttl, createdTS, expireAt string
}

var tokenSources = []tokenSource{
	{officialProvider, "motherduck_access_token", "ttl", "created_ts", "expire_at"},
	{communityProvider, "motherduck_token", "ttl_seconds", "created_at", "expires_at"},
}

// MoveState accepts motherduck_access_token (official provider) and
// motherduck_token (community provider).
func (r *userTokenResource) MoveState(context.Context) []resource.StateMover {
	movers := make([]resource.StateMover, 0, len(tokenSources))
	for _, src := range tokenSources {
		movers = append(movers, resource.StateMover{StateMover: src.move})
	}
	return movers
}

func (src tokenSource) move(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	raw, ok := openSource(req, src.provider, src.typeName, &resp.Diagnostics)
	if !ok {
		return
	}
	m := userTokenModel{
		Username:     raw.str("username", true),
		Name:         raw.str("name", true),
		TTL:          raw.ttl(src.ttl),
		TokenType:    raw.str("token_type", false),
		Token:        raw.str("token", false),
		CreatedTS:    raw.timestamp(src.createdTS),
		ExpireAt:     raw.timestamp(src.expireAt),
		ReadOnly:     raw.boolean("read_only"),
		Description:  types.StringNull(),
		Keepers:      types.MapNull(types.StringType),
		RotateBefore: nullGoDuration(),
	}
	m.ID = raw.tokenID("id", m.Username.ValueString())
	if msg := usernameProblem(m.Username.ValueString()); msg != "" && !m.Username.IsNull() {
		raw.fail("username", msg)
	}
	m.Timeouts = nullTimeouts("update")
	m.KeepPrevious = types.BoolValue(false)
	clearPrevious(&m)
	if m.TokenType.IsNull() {
		m.TokenType = types.StringValue(tokenTypes[0])
	} else if !isOneOf(m.TokenType.ValueString(), tokenTypes) {
		raw.fail("token_type", fmt.Sprintf("is %q; this provider knows %s", m.TokenType.ValueString(), quoteList(tokenTypes)))
	}
	if m.ReadOnly.IsNull() {
		m.ReadOnly = types.BoolValue(m.TokenType.ValueString() == tokenTypes[1])
	}
	if !raw.finish() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	if resp.TargetIdentity != nil {
		setIdentity(ctx, resp.TargetIdentity, m.Username.ValueString(), m.ID.ValueString(), &resp.Diagnostics)
	}
}

// nullTimeouts is an unset timeouts block (create, read and delete, and any
// more operations named).
func nullTimeouts(more ...string) timeouts.Value {
	attrTypes := map[string]attr.Type{"create": types.StringType, "read": types.StringType, "delete": types.StringType}
	for _, op := range more {
		attrTypes[op] = types.StringType
	}
	return timeouts.Value{Object: types.ObjectNull(attrTypes)}
}

// accountSource describes a service-account resource of another provider.
type accountSource struct {
	provider string
	// policy is the attribute that says what the source did on destroy, "" if none.
	policy string
}

var accountSources = []accountSource{
	{officialProvider, ""},
	{communityProvider, "deletion_policy"},
}

// MoveState accepts motherduck_service_account of both other providers.
func (r *serviceAccountResource) MoveState(context.Context) []resource.StateMover {
	movers := make([]resource.StateMover, 0, len(accountSources))
	for _, src := range accountSources {
		movers = append(movers, resource.StateMover{StateMover: src.move})
	}
	return movers
}

// The community provider's deletion_policy (its only values; default
// "prevent"), by the deletion_protection that keeps what it did on destroy.
// "retain" made destroy forget the account and keep it; nothing here does
// that on destroy, so it becomes protection on (destroy refused, the account
// kept) and the move warns how to forget the account instead.
const (
	policyCascade = "cascade" // destroy deletes the account
	policyRetain  = "retain"  // destroy forgets it
	policyPrevent = "prevent" // destroy is refused
)

var deletionPolicyProtection = map[string]bool{policyCascade: false, policyRetain: true, policyPrevent: true}

func (src accountSource) move(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	raw, ok := openSource(req, src.provider, serviceAccountType, &resp.Diagnostics)
	if !ok {
		return
	}
	m := serviceAccountModel{
		Username: raw.str("username", true),
		// Protection is on after a move unless the source deleted the
		// account on destroy; a configuration that says otherwise plans an
		// in-place change of the flag, which makes no API call.
		DeletionProtection: types.BoolValue(true),
	}
	if msg := serviceAccountUsernameProblem(m.Username.ValueString()); msg != "" && !m.Username.IsNull() {
		raw.fail("username", msg)
	}
	m.ID = m.Username
	raw.accept("id") // the source's id names the same account as its username
	if src.policy != "" {
		policy := raw.str(src.policy, false)
		protect, known := deletionPolicyProtection[policy.ValueString()]
		switch {
		case policy.IsNull(): // the source's default, "prevent"
		case !known:
			raw.fail(src.policy, fmt.Sprintf("is %q; the values it can have are %q (deletion_protection = false), %q and %q "+
				"(deletion_protection = true)", policy.ValueString(), policyCascade, policyRetain, policyPrevent))
		default:
			m.DeletionProtection = types.BoolValue(protect)
		}
		if policy.ValueString() == policyRetain {
			resp.Diagnostics.AddAttributeWarning(path.Root("deletion_protection"), "Account Moved With Deletion Protection On",
				fmt.Sprintf("The %s being moved has deletion_policy = %q: destroying it only removed it from state. This "+
					"provider has no such setting, so the account moves with deletion_protection = true: a plan that would "+
					"delete it fails before anything changes. To stop managing the account and keep it, remove its resource "+
					"block and add a removed block with lifecycle { destroy = false } (Terraform 1.7+), as deletion_policy = %q did.",
					serviceAccountType, policyRetain, policyRetain))
		}
	}
	if !raw.finish() {
		return
	}
	m.Timeouts = nullTimeouts()
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	if resp.TargetIdentity != nil {
		setServiceAccountIdentity(ctx, resp.TargetIdentity, m.Username.ValueString(), &resp.Diagnostics)
	}
}

// sourceState is the raw JSON state of the resource being moved; every
// attribute read is remembered, so that finish can name those left over.
type sourceState struct {
	typeName string
	attrs    map[string]json.RawMessage
	used     map[string]bool
	diags    *diag.Diagnostics
}

// openSource returns the source state when the request moves typeName of
// provider (namespace/type), or false: then either another mover is
// responsible (no diagnostic) or the state cannot be read (an error).
func openSource(req resource.MoveStateRequest, provider, typeName string, diags *diag.Diagnostics) (*sourceState, bool) {
	if req.SourceTypeName != typeName || !fromProvider(req.SourceProviderAddress, provider) {
		return nil, false
	}
	src := &sourceState{typeName: typeName, used: map[string]bool{}, diags: diags}
	if req.SourceRawState == nil || req.SourceRawState.JSON == nil {
		diags.AddError("Cannot Move Resource State",
			fmt.Sprintf("The state of %s from %s is not in the JSON form this provider reads. Refresh it with that provider "+
				"(terraform apply -refresh-only) and move it again.", typeName, req.SourceProviderAddress))
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(req.SourceRawState.JSON))
	dec.UseNumber()
	if err := dec.Decode(&src.attrs); err != nil {
		diags.AddError("Cannot Move Resource State",
			fmt.Sprintf("The state of %s from %s is not a JSON object: %s.", typeName, req.SourceProviderAddress, err))
		return nil, false
	}
	return src, true
}

// fromProvider reports whether address (host/namespace/type) is provider on
// the Terraform or the OpenTofu registry.
func fromProvider(address, provider string) bool {
	for _, host := range []string{"registry.terraform.io/", "registry.opentofu.org/"} {
		if strings.EqualFold(address, host+provider) {
			return true
		}
	}
	return false
}

func (s *sourceState) fail(name, problem string) {
	s.diags.AddError("Cannot Move Resource State",
		fmt.Sprintf("Attribute %q of the %s being moved %s. Nothing was changed; fix the source resource (or its state) and "+
			"plan again, or import the object instead (see the migration guide).", name, s.typeName, problem))
}

// value returns the raw value of name and marks it used; null and absent
// are both "".
func (s *sourceState) value(name string) json.RawMessage {
	s.used[name] = true
	v := bytes.TrimSpace(s.attrs[name])
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	return v
}

func (s *sourceState) accept(name string) { s.used[name] = true }

// decode unmarshals name into out. It returns false when name is null or
// absent, and when it is not a kind (the move then fails, naming it).
func (s *sourceState) decode(name, kind string, out any) bool {
	v := s.value(name)
	if v == nil {
		return false
	}
	if json.Unmarshal(v, out) != nil {
		s.fail(name, "is not a "+kind)
		return false
	}
	return true
}

func (s *sourceState) str(name string, required bool) types.String {
	if required && s.value(name) == nil {
		s.fail(name, "is empty")
		return types.StringNull()
	}
	var out string
	if !s.decode(name, "string", &out) {
		return types.StringNull()
	}
	return types.StringValue(out)
}

func (s *sourceState) boolean(name string) types.Bool {
	var out bool
	if !s.decode(name, "boolean", &out) {
		return types.BoolNull()
	}
	return types.BoolValue(out)
}

// ttl reads a lifetime in seconds; 0 and null mean "never expires".
func (s *sourceState) ttl(name string) types.Number {
	var n json.Number
	if !s.decode(name, "number", &n) {
		return types.NumberNull()
	}
	secs, err := n.Int64()
	switch {
	case err != nil:
		s.fail(name, fmt.Sprintf("is %s, not a whole number of seconds", n))
		return types.NumberNull()
	case secs == 0:
		return types.NumberNull()
	case secs < minTTL || secs > maxTTL:
		s.fail(name, fmt.Sprintf("is %d; ttl must be between %d and %d seconds", secs, minTTL, maxTTL))
		return types.NumberNull()
	}
	return types.NumberValue(new(big.Float).SetInt64(secs))
}

// tokenID reads a token id, also in the form "<username>/<id>".
func (s *sourceState) tokenID(name, username string) types.String {
	id := s.str(name, true)
	if id.IsNull() {
		return id
	}
	v := strings.TrimPrefix(id.ValueString(), username+"/")
	if msg := tokenIDProblem(v); msg != "" {
		s.fail(name, msg)
		return types.StringNull()
	}
	return types.StringValue(v)
}

var sourceTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

// timestamp reads an RFC 3339 timestamp (or a close variant, UTC assumed
// without a zone) and writes it as Create would.
func (s *sourceState) timestamp(name string) timetypes.RFC3339 {
	str := s.str(name, false)
	if str.IsNull() || str.ValueString() == "" {
		return timetypes.NewRFC3339Null()
	}
	for _, layout := range sourceTimeLayouts {
		if t, err := time.Parse(layout, str.ValueString()); err == nil {
			return rfc3339(t)
		}
	}
	s.fail(name, fmt.Sprintf("is %q, not an RFC 3339 timestamp", str.ValueString()))
	return timetypes.NewRFC3339Null()
}

// finish reports an error for every attribute with a value that no mapping
// read, and returns whether the move can go on.
func (s *sourceState) finish() bool {
	var left []string
	for name, v := range s.attrs {
		if s.used[name] {
			continue
		}
		if v = bytes.TrimSpace(v); len(v) == 0 || string(v) == "null" {
			continue // nothing to carry over
		}
		left = append(left, name)
	}
	sort.Strings(left)
	for _, name := range left {
		s.fail(name, "has no counterpart in this provider, and would be lost")
	}
	return !s.diags.HasError()
}

func isOneOf(v string, values []string) bool {
	for _, x := range values {
		if v == x {
			return true
		}
	}
	return false
}
