package client

import (
	"net/http"
	"strings"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func TestLookupUserKind(t *testing.T) {
	for _, pageSize := range []int{0, 1} {
		e := newEmu(t)
		e.s.SetTokenListPageSize(pageSize)
		e.s.AddHumanUser("alice", false)
		e.s.AddServiceAccount("svc_one")
		e.s.AddServiceAccount("svc_two")
		ctx := ctxT(t)
		for name, want := range map[string]UserKind{
			"alice": UserKindHuman, emulator.DefaultAdminUsername: UserKindHuman,
			"svc_one": UserKindServiceAccount, "svc_two": UserKindServiceAccount, "svc_nobody": UserKindUnknown,
		} {
			got, err := e.c.LookupUserKind(ctx, name)
			if err != nil {
				t.Fatalf("page size %d: %s: %v", pageSize, name, err)
			}
			if got.Kind != want {
				t.Fatalf("page size %d: %s: kind %v, want %v", pageSize, name, got.Kind, want)
			}
			if want == UserKindUnknown && !strings.Contains(got.Why, "not in the organization's user list") {
				t.Fatalf("%s: why = %q", name, got.Why)
			}
		}
	}
}

func TestLookupUserKind_cannotTell(t *testing.T) {
	e := newEmu(t)
	e.s.AddHumanUser("alice", false)
	ctx := ctxT(t)

	e.s.SetUserListSupport(false)
	got, err := e.c.LookupUserKind(ctx, "alice")
	if err != nil || got.Kind != UserKindUnknown || !strings.Contains(got.Why, "no user list") {
		t.Fatalf("route missing: %+v, %v", got, err)
	}

	e.s.SetUserListSupport(true)
	e.s.InjectFault(emulator.Fault{Op: emulator.OpListUsers, Kind: emulator.FaultStatus, Status: http.StatusForbidden})
	got, err = e.c.LookupUserKind(ctx, "alice")
	if err != nil || got.Kind != UserKindUnknown || !strings.Contains(got.Why, "member_management.view_all_members") {
		t.Fatalf("403: %+v, %v", got, err)
	}

	e.s.ClearFaults()
	e.s.InjectFault(emulator.Fault{Op: emulator.OpListUsers, Kind: emulator.FaultStatus, Status: http.StatusUnauthorized})
	if _, err := e.c.LookupUserKind(ctx, "alice"); !IsUnauthorized(err) {
		t.Fatalf("401: want the error, got %v", err)
	}
}
