package provider_test

// Tested at the protocol level like the token list resource (see
// user_token_list_resource_test.go): `terraform query` needs Terraform 1.14.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const saListTypeName = "motherduck_service_account"

func TestServiceAccountListResource(t *testing.T) {
	t.Parallel()
	s := emulator.New()
	s.SetUserListPageSize(2) // several pages
	for _, n := range []string{"svc_zeta", "svc_ci", "svc_alpha"} {
		s.AddServiceAccount(n)
	}
	s.AddServiceAccount("svc_old")
	s.SetUserProfile("svc_old", emulator.UserProfile{Deprovisioned: true})
	s.AddHumanUser("alice", false)
	url := s.Start()
	t.Cleanup(s.Close)
	h := newListHarnessFor(t, s, url, saListTypeName)
	want := []string{"svc_alpha", "svc_ci", "svc_zeta"} // by username; no person, nothing deprovisioned

	usernames := func(t *testing.T, got []listed) []string {
		t.Helper()
		var out []string
		for i, r := range got {
			if err := diagsError(r.diags); err != nil {
				t.Fatalf("result %d: %v", i, err)
			}
			u, _ := str(t, r.identity["username"])
			out = append(out, u)
		}
		return out
	}

	t.Run("all, with resources", func(t *testing.T) {
		got := h.listWith(t, nil, true, 100)
		if names := usernames(t, got); fmt.Sprint(names) != fmt.Sprint(want) {
			t.Fatalf("listed %v, want %v", names, want)
		}
		for i, r := range got {
			name := want[i]
			if r.display != name {
				t.Errorf("result %d: display name %q, want %q", i, r.display, name)
			}
			if r.resource == nil {
				t.Fatalf("result %d: no resource object although IncludeResource was set", i)
			}
			if v, _ := str(t, r.resource["username"]); v != name {
				t.Errorf("result %d: resource username %q", i, v)
			}
			if v, _ := str(t, r.resource["id"]); v != name {
				t.Errorf("result %d: resource id %q", i, v)
			}
			var protected bool
			if err := r.resource["deletion_protection"].As(&protected); err != nil || !protected {
				t.Errorf("result %d: deletion_protection is not true (%v): an adopted account must start protected", i, err)
			}
			if !r.resource["timeouts"].IsNull() {
				t.Errorf("result %d: timeouts is %v, want null", i, r.resource["timeouts"])
			}
		}
	})

	t.Run("limit keeps the first", func(t *testing.T) {
		if names := usernames(t, h.listWith(t, nil, false, 1)); fmt.Sprint(names) != "[svc_alpha]" {
			t.Fatalf("limit 1: %v", names)
		}
	})

	t.Run("identity only", func(t *testing.T) {
		got := h.listWith(t, nil, false, 100)
		if len(got) != len(want) {
			t.Fatalf("want %d results, got %d", len(want), len(got))
		}
		for i, r := range got {
			if r.resource != nil {
				t.Errorf("result %d carries a resource object although IncludeResource was false", i)
			}
		}
	})

	t.Run("a listed identity imports", func(t *testing.T) {
		got := h.listWith(t, nil, false, 1)
		idType := h.identity.ValueType()
		ident := map[string]tftypes.Value{}
		for k, v := range got[0].identity {
			ident[k] = v
		}
		resp, err := h.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
			TypeName: saListTypeName,
			Identity: &tfprotov6.ResourceIdentityData{IdentityData: dynamicValue(t, idType, tftypes.NewValue(idType, ident))},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := diagsError(resp.Diagnostics); err != nil {
			t.Fatalf("importing the listed identity: %v", err)
		}
		if len(resp.ImportedResources) != 1 {
			t.Fatalf("%d imported resources", len(resp.ImportedResources))
		}
		v, err := resp.ImportedResources[0].State.Unmarshal(h.resource.ValueType())
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]tftypes.Value
		if err := v.As(&st); err != nil {
			t.Fatal(err)
		}
		if u, _ := str(t, st["username"]); u != "svc_alpha" {
			t.Fatalf("imported username %q, want svc_alpha", u)
		}
	})

	t.Run("no privilege to list members", func(t *testing.T) {
		s.InjectFault(emulator.Fault{Op: emulator.OpListUsers, Kind: emulator.FaultStatus, Status: http.StatusForbidden, Times: 1})
		var errs []string
		for _, r := range h.listWith(t, nil, true, 100) {
			if err := diagsError(r.diags); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) != 1 || !strings.Contains(errs[0], "member_management.view_all_members") {
			t.Fatalf("a 403 must stream one error naming the privilege: %v", errs)
		}
	})

	t.Run("region without the user list", func(t *testing.T) {
		s.SetUserListSupport(false)
		defer s.SetUserListSupport(true)
		var errs []string
		for _, r := range h.listWith(t, nil, true, 100) {
			if err := diagsError(r.diags); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) != 1 || !strings.Contains(errs[0], "User List Not Available") {
			t.Fatalf("a plain 404 must stream one error: %v", errs)
		}
	})

	// the list only reads
	if n := s.CountRequests(emulator.OpCreateUser) + s.CountRequests(emulator.OpDeleteUser) + s.CountRequests(emulator.OpMint); n != 0 {
		t.Errorf("listing made %d create/delete/mint requests", n)
	}
}
