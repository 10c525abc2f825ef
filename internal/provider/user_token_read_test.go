package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// readHarness calls the resource's Read directly, without a Terraform CLI,
// against an in-process emulator: each of Read's decisions in milliseconds.
type readHarness struct {
	server *emulator.Server
	res    *userTokenResource
	schema resource.SchemaResponse
}

const readUser = "svc_read"

var readClock = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func newReadHarness(t *testing.T) *readHarness {
	t.Helper()
	ctx := context.Background()
	s := emulator.New()
	s.SetNow(readClock)
	s.AddServiceAccount(readUser)
	url := s.Start()
	t.Cleanup(s.Close)

	p := NewWithOptions("test", Options{Now: s.Now, RetryBaseBackoff: time.Millisecond, RecoveryTimeout: time.Second})()
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	// tfsdk.Config cannot set attributes; a State of the same schema can.
	values := tfsdk.State{Schema: ps.Schema, Raw: tftypes.NewValue(ps.Schema.Type().TerraformType(ctx), nil)}
	var diags diag.Diagnostics
	diags.Append(values.SetAttribute(ctx, path.Root("token"), s.AdminToken())...)
	diags.Append(values.SetAttribute(ctx, path.Root("api_url"), url)...)
	diags.Append(values.SetAttribute(ctx, path.Root("max_retries"), int64(0))...)
	var configured provider.ConfigureResponse
	if !diags.HasError() {
		p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: ps.Schema, Raw: values.Raw}}, &configured)
		diags.Append(configured.Diagnostics...)
	}
	if diags.HasError() {
		t.Fatalf("configure the provider: %v", diags)
	}
	h := &readHarness{server: s, res: &userTokenResource{}}
	h.res.Configure(ctx, resource.ConfigureRequest{ProviderData: configured.ResourceData}, &resource.ConfigureResponse{})
	h.res.Schema(ctx, resource.SchemaRequest{}, &h.schema)
	return h
}

// state builds a prior state as Terraform would hand it to Read: username
// and id, then whatever fill sets on the model (nothing, for an import).
func (h *readHarness) state(t *testing.T, id string, fill func(*userTokenModel)) tfsdk.State {
	t.Helper()
	ctx := context.Background()
	st := tfsdk.State{Schema: h.schema.Schema, Raw: tftypes.NewValue(h.schema.Schema.Type().TerraformType(ctx), nil)}
	var diags diag.Diagnostics
	diags.Append(st.SetAttribute(ctx, path.Root("username"), readUser)...)
	diags.Append(st.SetAttribute(ctx, path.Root("id"), id)...)
	var m userTokenModel
	diags.Append(st.Get(ctx, &m)...)
	if fill != nil {
		fill(&m)
	}
	diags.Append(st.Set(ctx, &m)...)
	if diags.HasError() {
		t.Fatalf("build the prior state: %v", diags)
	}
	return st
}

// read runs Read on a prior state and returns the new state (nil when Read
// removed the resource) and the diagnostics.
func (h *readHarness) read(t *testing.T, prior tfsdk.State) (*userTokenModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	resp := resource.ReadResponse{State: tfsdk.State{Schema: prior.Schema, Raw: prior.Raw.Copy()}}
	h.res.Read(ctx, resource.ReadRequest{State: prior}, &resp)
	if resp.State.Raw.IsNull() {
		return nil, resp.Diagnostics
	}
	var m userTokenModel
	if d := resp.State.Get(ctx, &m); d.HasError() {
		t.Fatalf("read the new state: %v", d)
	}
	return &m, resp.Diagnostics
}

// minted is how a token created by Create sits in state.
func minted(tok emulator.Token, ttl int64) func(*userTokenModel) {
	return func(m *userTokenModel) {
		m.Name = types.StringValue(tok.Name)
		m.TokenType = types.StringValue(tok.TokenType)
		m.Token = types.StringValue(tok.Secret)
		m.CreatedTS = rfc3339(tok.CreatedAt)
		if ttl > 0 {
			m.TTL = types.NumberValue(big.NewFloat(float64(ttl)))
			m.ExpireAt = rfc3339(tok.CreatedAt.Add(time.Duration(ttl) * time.Second))
		}
	}
}

// TestUserTokenRead covers each decision Read takes, one emulator and one
// provider per case (the client shares token lists within a provider run).
func TestUserTokenRead(t *testing.T) {
	cases := []struct {
		name string
		// arrange mints the token and returns the prior state's id and
		// contents (nil fill: an import, only username and id).
		arrange func(h *readHarness) (id string, fill func(*userTokenModel))
		// then changes the API after the prior state was written.
		then func(h *readHarness, id string)
		// want: kept (and check holds), or removed with warning, or error.
		kept    bool
		warning string
		err     string
		detail  []string
		check   func(t *testing.T, h *readHarness, id string, got *userTokenModel)
	}{
		{
			name: "live token: state kept with its secret, timestamps from the API",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				tok := h.server.MintToken(readUser, "live", time.Hour, "")
				return tok.ID, minted(tok, 3600)
			},
			kept: true,
			check: func(t *testing.T, h *readHarness, id string, got *userTokenModel) {
				tok, _ := h.server.Token(id)
				if got.Token.ValueString() != tok.Secret || got.Name.ValueString() != "live" || got.ID.ValueString() != id {
					t.Errorf("state changed: %+v", got)
				}
				if exp, _ := got.ExpireAt.ValueRFC3339Time(); !exp.Equal(tok.CreatedAt.Add(time.Hour)) {
					t.Errorf("expire_at = %s", got.ExpireAt)
				}
			},
		},
		{
			name: "gone: invalidated outside Terraform",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				tok := h.server.MintToken(readUser, "gone", 0, "")
				return tok.ID, minted(tok, 0)
			},
			then:    func(h *readHarness, id string) { h.server.RevokeToken(readUser, id) },
			warning: "MotherDuck Token No Longer Valid",
			detail:  []string{"invalidated outside Terraform", "next apply mints a new token"},
		},
		{
			name: "expired: the warning says when",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				tok := h.server.MintToken(readUser, "expiring", 5*time.Minute, "")
				return tok.ID, minted(tok, 300)
			},
			then:    func(h *readHarness, _ string) { h.server.Advance(6 * time.Minute) },
			warning: "MotherDuck Token No Longer Valid",
			detail:  []string{"it expired at " + readClock.Add(5*time.Minute).Format(time.RFC3339)},
		},
		{
			name: "user deleted: the token goes with it",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				tok := h.server.MintToken(readUser, "orphaned", 0, "")
				return tok.ID, minted(tok, 0)
			},
			then:    func(h *readHarness, _ string) { h.server.DeleteUser(readUser) },
			warning: "MotherDuck User No Longer Exists",
			detail:  []string{`User "` + readUser + `" no longer exists`},
		},
		{
			name: "import: name, type, timestamps and ttl from the token, no secret",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				return h.server.MintToken(readUser, "adopted", 2*time.Hour, emulator.TokenTypeReadScaling).ID, nil
			},
			kept: true,
			check: func(t *testing.T, h *readHarness, id string, got *userTokenModel) {
				ttl, _ := got.TTL.ValueBigFloat().Int64()
				if got.Name.ValueString() != "adopted" || got.TokenType.ValueString() != emulator.TokenTypeReadScaling ||
					!got.ReadOnly.ValueBool() || ttl != 7200 {
					t.Errorf("imported: name %s, type %s, read_only %s, ttl %s", got.Name, got.TokenType, got.ReadOnly, got.TTL)
				}
				if !got.Token.IsNull() {
					t.Error("an imported token has no secret in state")
				}
				if created, _ := got.CreatedTS.ValueRFC3339Time(); !created.Equal(readClock) {
					t.Errorf("created_ts = %s, want %s", got.CreatedTS, readClock)
				}
			},
		},
		{
			name: "import of a token that does not exist",
			arrange: func(*readHarness) (string, func(*userTokenModel)) {
				return "00000000-0000-4000-8000-000000000000", nil
			},
			err:    "Cannot Import Token: Not a Valid Token of This User",
			detail: []string{"00000000-0000-4000-8000-000000000000", "invalidated, has expired, belongs to another user, or never existed"},
		},
		{
			name: "API error: the read fails and state is kept",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				tok := h.server.MintToken(readUser, "kept", 0, "")
				return tok.ID, minted(tok, 0)
			},
			then: func(h *readHarness, _ string) {
				h.server.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 403, Times: 1})
			},
			err:    "MotherDuck Refused the Operation",
			detail: []string{`list the tokens of user "` + readUser + `"`, "403"},
		},
		{
			name: "API unreachable: the read fails and state is kept",
			arrange: func(h *readHarness) (string, func(*userTokenModel)) {
				tok := h.server.MintToken(readUser, "kept", 0, "")
				return tok.ID, minted(tok, 0)
			},
			then:   func(h *readHarness, _ string) { h.server.Close() },
			err:    "MotherDuck API Unreachable",
			detail: []string{"no answer came from the MotherDuck API", "Check the network, that api_url points at the MotherDuck API"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newReadHarness(t)
			id, fill := c.arrange(h)
			prior := h.state(t, id, fill)
			if c.then != nil {
				c.then(h, id)
			}
			got, diags := h.read(t, prior)
			switch {
			case c.err != "":
				if !diags.HasError() || diags.Errors()[0].Summary() != c.err {
					t.Fatalf("want error %q, got %v", c.err, diags)
				}
				if got == nil || got.ID.ValueString() != id {
					t.Fatal("a failed read must keep the prior state")
				}
			case c.warning != "":
				if got != nil {
					t.Fatal("the token must leave state")
				}
				if diags.HasError() || len(diags) != 1 || diags[0].Summary() != c.warning {
					t.Fatalf("want one warning %q, got %v", c.warning, diags)
				}
			case c.kept:
				if got == nil || diags.HasError() {
					t.Fatalf("the token must stay in state: %v", diags)
				}
				c.check(t, h, id, got)
			}
			for _, d := range c.detail {
				if len(diags) == 0 || !strings.Contains(diags[0].Detail(), d) {
					t.Errorf("the diagnostic does not say %q: %v", d, diags)
				}
			}
		})
	}
}
