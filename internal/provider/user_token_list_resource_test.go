package provider_test

// `terraform query` (Terraform 1.14+) cannot run here, so the list resource
// is tested at the protocol level: the same gRPC-facing server Terraform
// talks to, driven by hand, against an emulator.

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

const listTypeName = "motherduck_user_token"

// listHarness is a configured provider server and the schemas needed to
// build requests and read answers.
type listHarness struct {
	typeName string
	server   tfprotov6.ProviderServer
	lister   tfprotov6.ListResourceServer
	config   *tfprotov6.Schema // the list block's configuration
	resource *tfprotov6.Schema
	identity *tfprotov6.ResourceIdentitySchema
}

// objectValue builds an object of typ from vals, null for every attribute
// not given.
func objectValue(t *testing.T, typ tftypes.Type, vals map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type is %T, not an object", typ)
	}
	full := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := vals[name]; ok {
			full[name] = v
		} else {
			full[name] = tftypes.NewValue(at, nil)
		}
	}
	for name := range vals {
		if _, ok := obj.AttributeTypes[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
	}
	return tftypes.NewValue(typ, full)
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatalf("encoding a dynamic value: %v", err)
	}
	return &dv
}

func diagsError(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

// newListHarness serves the provider, reads its schemas and configures it
// with the emulator's admin token and URL, as Terraform would.
func newListHarness(t *testing.T, s *emulator.Server, url string) *listHarness {
	t.Helper()
	return newListHarnessFor(t, s, url, listTypeName)
}

// newListHarnessFor is newListHarness for the list resource listTypeName.
func newListHarnessFor(t *testing.T, s *emulator.Server, url, listTypeName string) *listHarness {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(provider.NewWithOptions("test", provider.Options{Now: s.Now, RetryBaseBackoff: time.Millisecond})())()
	lister, ok := server.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatalf("the provider server (%T) does not serve list resources", server)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if err := diagsError(schemas.Diagnostics); err != nil {
		t.Fatal(err)
	}
	idents, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	h := &listHarness{
		typeName: listTypeName,
		server:   server,
		lister:   lister,
		config:   schemas.ListResourceSchemas[listTypeName],
		resource: schemas.ResourceSchemas[listTypeName],
		identity: idents.IdentitySchemas[listTypeName],
	}
	if h.config == nil || h.resource == nil || h.identity == nil {
		t.Fatalf("missing schemas for %s: list %v, resource %v, identity %v", listTypeName, h.config != nil, h.resource != nil, h.identity != nil)
	}
	provType := schemas.Provider.ValueType()
	cfg := objectValue(t, provType, map[string]tftypes.Value{
		"token":   tftypes.NewValue(tftypes.String, s.AdminToken()),
		"api_url": tftypes.NewValue(tftypes.String, url),
	})
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           dynamicValue(t, provType, cfg),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := diagsError(resp.Diagnostics); err != nil {
		t.Fatal(err)
	}
	return h
}

// listed is one streamed result, decoded.
type listed struct {
	display  string
	identity map[string]tftypes.Value
	resource map[string]tftypes.Value // nil when not included
	diags    []*tfprotov6.Diagnostic
}

// list calls the ListResource RPC and decodes what it streams.
func (h *listHarness) list(t *testing.T, username string, name *string, include bool, limit int64) []listed {
	t.Helper()
	vals := map[string]tftypes.Value{"username": tftypes.NewValue(tftypes.String, username)}
	if name != nil {
		vals["name"] = tftypes.NewValue(tftypes.String, *name)
	}
	return h.listWith(t, vals, include, limit)
}

// listWith calls the ListResource RPC with the configuration vals and
// decodes what it streams.
func (h *listHarness) listWith(t *testing.T, vals map[string]tftypes.Value, include bool, limit int64) []listed {
	t.Helper()
	cfgType := h.config.ValueType()
	stream, err := h.lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        h.typeName,
		Config:          dynamicValue(t, cfgType, objectValue(t, cfgType, vals)),
		IncludeResource: include,
		Limit:           limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []listed
	for r := range stream.Results {
		l := listed{display: r.DisplayName, diags: r.Diagnostics}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			v, err := r.Identity.IdentityData.Unmarshal(h.identity.ValueType())
			if err != nil {
				t.Fatalf("decoding an identity: %v", err)
			}
			if err := v.As(&l.identity); err != nil {
				t.Fatal(err)
			}
		}
		if r.Resource != nil {
			v, err := r.Resource.Unmarshal(h.resource.ValueType())
			if err != nil {
				t.Fatalf("decoding a resource object: %v", err)
			}
			if err := v.As(&l.resource); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, l)
	}
	return out
}

func str(t *testing.T, v tftypes.Value) (string, bool) {
	t.Helper()
	if v.IsNull() {
		return "", false
	}
	var s string
	if err := v.As(&s); err != nil {
		t.Fatal(err)
	}
	return s, true
}

func TestUserTokenListResource(t *testing.T) {
	t.Parallel()
	s := emulator.New()
	s.AddServiceAccount(acctest.ServiceAccount)
	s.AddServiceAccount(acctest.OtherServiceAccount)
	url := s.Start()
	t.Cleanup(s.Close)

	ciHour := s.MintToken(acctest.ServiceAccount, "ci", time.Hour, "")
	s.Advance(time.Second) // distinct creation times (the API answers in no particular order)
	ciScaling := s.MintToken(acctest.ServiceAccount, "ci", 0, emulator.TokenTypeReadScaling)
	s.Advance(time.Second)
	other := s.MintToken(acctest.ServiceAccount, "other", 0, "")
	revoked := s.MintToken(acctest.ServiceAccount, "ci", 0, "")
	s.RevokeToken(acctest.ServiceAccount, revoked.ID)
	expired := s.MintToken(acctest.ServiceAccount, "ci", 5*time.Minute, "")
	s.MintToken(acctest.OtherServiceAccount, "ci", 0, "")
	s.Advance(6 * time.Minute)

	h := newListHarness(t, s, url)

	t.Run("all, with resources", func(t *testing.T) {
		got := h.list(t, acctest.ServiceAccount, nil, true, 100)
		wantIDs := []string{ciHour.ID, ciScaling.ID, other.ID}
		if len(got) != len(wantIDs) {
			t.Fatalf("want %d results (live tokens only), got %d", len(wantIDs), len(got))
		}
		byID := map[string]emulator.Token{ciHour.ID: ciHour, ciScaling.ID: ciScaling, other.ID: other}
		results := map[string]listed{} // by token id: the API answers in no particular order
		for i, r := range got {
			if err := diagsError(r.diags); err != nil {
				t.Fatalf("result %d: %v", i, err)
			}
			id, _ := str(t, r.identity["id"])
			user, _ := str(t, r.identity["username"])
			if _, live := byID[id]; !live || user != acctest.ServiceAccount {
				t.Fatalf("result %d: identity %s/%s, want %s/one of %v", i, user, id, acctest.ServiceAccount, wantIDs)
			}
			if _, dup := results[id]; dup {
				t.Fatalf("result %d: token %s listed twice", i, id)
			}
			results[id] = r
			tok := byID[id]
			if want := fmt.Sprintf("%s (%s)", tok.Name, tok.ID); r.display != want {
				t.Errorf("result %d: display name %q, want %q", i, r.display, want)
			}
			if r.resource == nil {
				t.Fatalf("result %d: no resource object although IncludeResource was set", i)
			}
			if v, ok := str(t, r.resource["id"]); !ok || v != tok.ID {
				t.Errorf("result %d: resource id %q", i, v)
			}
			if v, _ := str(t, r.resource["username"]); v != acctest.ServiceAccount {
				t.Errorf("result %d: resource username %q", i, v)
			}
			if v, _ := str(t, r.resource["name"]); v != tok.Name {
				t.Errorf("result %d: resource name %q, want %q", i, v, tok.Name)
			}
			if v, _ := str(t, r.resource["token_type"]); v != tok.TokenType {
				t.Errorf("result %d: token_type %q, want %q", i, v, tok.TokenType)
			}
			if !r.resource["token"].IsNull() {
				t.Errorf("result %d: the secret is not null", i)
			}
			for _, attr := range []string{"keepers", "rotate_before", "description", "timeouts"} {
				if !r.resource[attr].IsNull() {
					t.Errorf("result %d: %s is %v, want null", i, attr, r.resource[attr])
				}
			}
			if v, _ := str(t, r.resource["created_ts"]); !strings.HasPrefix(v, tok.CreatedAt.UTC().Format("2006-01-02T15:04:05")) {
				t.Errorf("result %d: created_ts %q, want %s", i, v, tok.CreatedAt)
			}
		}
		// ttl and expire_at come from the token: an hour for the first, none for the others
		var ttl big.Float
		if err := results[ciHour.ID].resource["ttl"].As(&ttl); err != nil {
			t.Fatal(err)
		}
		if n, _ := ttl.Int64(); n != 3600 {
			t.Errorf("ttl of the one-hour token is %v", &ttl)
		}
		if v, ok := str(t, results[ciHour.ID].resource["expire_at"]); !ok || !strings.HasPrefix(v, ciHour.ExpireAt.UTC().Format("2006-01-02T15:04:05")) {
			t.Errorf("expire_at of the one-hour token is %q", v)
		}
		if !results[ciScaling.ID].resource["ttl"].IsNull() || !results[ciScaling.ID].resource["expire_at"].IsNull() {
			t.Error("a token without ttl lists a ttl or expire_at")
		}
		var ro bool
		if err := results[ciScaling.ID].resource["read_only"].As(&ro); err != nil || !ro {
			t.Errorf("the read_scaling token is not read_only (%v)", err)
		}
		for _, r := range got {
			if id, _ := str(t, r.identity["id"]); id == revoked.ID || id == expired.ID {
				t.Errorf("the revoked or expired token %s was listed", id)
			}
		}
	})

	t.Run("never a secret", func(t *testing.T) {
		for _, r := range h.list(t, acctest.ServiceAccount, nil, true, 100) {
			all := fmt.Sprint(r.display, r.identity, r.resource)
			for _, tok := range s.AllTokens() {
				if strings.Contains(all, tok.Secret) {
					t.Fatalf("a result holds the secret of token %s", tok.ID)
				}
			}
		}
	})

	t.Run("name filter", func(t *testing.T) {
		name := "ci"
		got := h.list(t, acctest.ServiceAccount, &name, true, 100)
		if len(got) != 2 {
			t.Fatalf("want the 2 live tokens named ci, got %d", len(got))
		}
		for _, r := range got {
			if v, _ := str(t, r.resource["name"]); v != "ci" {
				t.Errorf("the name filter let %q through", v)
			}
		}
		none := "no-such-name"
		if got := h.list(t, acctest.ServiceAccount, &none, true, 100); len(got) != 0 {
			t.Errorf("want nothing for an unknown name, got %d results", len(got))
		}
	})

	t.Run("limit", func(t *testing.T) {
		got := h.list(t, acctest.ServiceAccount, nil, true, 1)
		if len(got) != 1 {
			t.Fatalf("limit 1: got %d results", len(got))
		}
		// the oldest token, whatever order the API answers in
		if id, _ := str(t, got[0].identity["id"]); id != ciHour.ID {
			t.Errorf("limit 1 returned %s, want the oldest token, %s", id, ciHour.ID)
		}
		name := "ci"
		if got := h.list(t, acctest.ServiceAccount, &name, false, 1); len(got) != 1 {
			t.Errorf("limit 1 with a name filter: got %d results", len(got))
		}
	})

	t.Run("oldest first", func(t *testing.T) {
		var ids []string
		for _, r := range h.list(t, acctest.ServiceAccount, nil, false, 100) {
			id, _ := str(t, r.identity["id"])
			ids = append(ids, id)
		}
		if want := []string{ciHour.ID, ciScaling.ID, other.ID}; fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("results in the order %v, want oldest first %v", ids, want)
		}
	})

	t.Run("identity only", func(t *testing.T) {
		got := h.list(t, acctest.ServiceAccount, nil, false, 100)
		if len(got) != 3 {
			t.Fatalf("want 3 results, got %d", len(got))
		}
		for i, r := range got {
			if r.resource != nil {
				t.Errorf("result %d carries a resource object although IncludeResource was false", i)
			}
			if id, _ := str(t, r.identity["id"]); id == "" {
				t.Errorf("result %d has no identity", i)
			}
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		stream, err := h.lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
			TypeName: listTypeName,
			Config: dynamicValue(t, h.config.ValueType(), objectValue(t, h.config.ValueType(), map[string]tftypes.Value{
				"username": tftypes.NewValue(tftypes.String, "svc_nobody"),
			})),
			IncludeResource: true,
			Limit:           100,
		})
		if err != nil {
			t.Fatal(err)
		}
		var errs int
		for r := range stream.Results {
			if diagsError(r.Diagnostics) != nil {
				errs++
			}
		}
		if errs == 0 {
			t.Error("listing the tokens of a user that does not exist streamed no error")
		}
	})

	t.Run("config validation", func(t *testing.T) {
		typ := h.config.ValueType()
		resp, err := h.lister.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
			TypeName: listTypeName,
			Config: dynamicValue(t, typ, objectValue(t, typ, map[string]tftypes.Value{
				"username": tftypes.NewValue(tftypes.String, "a/b"),
			})),
		})
		if err != nil {
			t.Fatal(err)
		}
		if diagsError(resp.Diagnostics) == nil {
			t.Error("a username with a slash passed validation")
		}
	})

	// the list only reads: no token was minted or revoked
	if n := s.CountRequests(emulator.OpMint) + s.CountRequests(emulator.OpRevoke); n != 0 {
		t.Errorf("listing made %d mint/revoke requests", n)
	}
}
