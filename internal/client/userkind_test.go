package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
			if want == UserKindUnknown && (!got.NotListed || !strings.Contains(got.Why, "not in the organization's user list")) {
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

// TestLookupUserKind_pagedListReadAgain: a paged user list whose first read
// skipped a person (users removed between two pages shift the rest) is read
// again before the person is called "not listed", which would leave their
// account without the protection from deletion.
func TestLookupUserKind_pagedListReadAgain(t *testing.T) {
	var mu sync.Mutex
	reads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		user := func(name string, sa bool) string {
			return fmt.Sprintf(`{"id":%q,"username":%q,"is_service_account":%t}`, "id-"+name, name, sa)
		}
		switch r.URL.Query().Get("page_token") {
		case "":
			reads++
			_, _ = fmt.Fprintf(w, `{"users":[%s],"next_page_token":"p2"}`, user("svc_a", true))
		case "p2":
			if reads == 1 { // alice slipped out of this read
				_, _ = fmt.Fprintf(w, `{"users":[%s],"next_page_token":null}`, user("svc_b", true))
				return
			}
			_, _ = fmt.Fprintf(w, `{"users":[%s,%s],"next_page_token":null}`, user("alice", false), user("svc_b", true))
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	got, err := c.LookupUserKind(ctxT(t), "alice")
	// The pager reads a paged list until two reads agree: the second and
	// the third.
	if err != nil || got.Kind != UserKindHuman || reads != 3 {
		t.Fatalf("kind %v (%q), err %v after %d reads; want a person after 3", got.Kind, got.Why, err, reads)
	}
	got, err = c.LookupUserKind(ctxT(t), "svc_nobody")
	if err != nil || got.Kind != UserKindUnknown || reads != 5 {
		t.Fatalf("not listed: kind %v, err %v, %d reads in all; want unknown after 2 more", got.Kind, err, reads)
	}
}
