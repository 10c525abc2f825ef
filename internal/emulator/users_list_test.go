package emulator_test

import (
	"net/http"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// listUsersAll follows next_page_token and returns is_service_account by username.
func listUsersAll(t *testing.T, base, token, query string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	next := ""
	for range 100 {
		q := query
		if next != "" {
			if q != "" {
				q += "&"
			}
			q += "page_token=" + next
		}
		path := "/v1/users"
		if q != "" {
			path += "?" + q
		}
		r := do(t, base, call{method: http.MethodGet, path: path, token: token})
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("GET %s: %v %d %s", path, r.err, r.status, r.body)
		}
		m := r.json(t)
		users, ok := m["users"].([]any)
		if !ok {
			t.Fatalf("no users array: %s", r.body)
		}
		if _, ok := m["total_count"].(float64); !ok {
			t.Fatalf("no total_count: %s", r.body)
		}
		for _, u := range users {
			um, _ := u.(map[string]any)
			name, _ := um["username"].(string)
			sa, ok := um["is_service_account"].(bool)
			if name == "" || !ok {
				t.Fatalf("bad user %v", u)
			}
			if _, dup := out[name]; dup {
				t.Fatalf("user %q answered twice", name)
			}
			out[name] = sa
		}
		n, _ := m["next_page_token"].(string)
		if n == "" {
			return out
		}
		next = n
	}
	t.Fatal("too many pages")
	return nil
}

func TestListUsers_humansAndServiceAccounts(t *testing.T) {
	for _, pageSize := range []int{0, 1, 2} {
		s, u := start(t)
		s.SetTokenListPageSize(pageSize)
		s.AddHumanUser("alice", false)
		s.AddServiceAccount("svc_a")
		s.AddServiceAccount("svc_b")
		got := listUsersAll(t, u, s.AdminToken(), "")
		want := map[string]bool{"admin": false, "alice": false, "svc_a": true, "svc_b": true}
		if len(got) != len(want) {
			t.Fatalf("page size %d: got %v, want %v", pageSize, got, want)
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Fatalf("page size %d: got %v, want %v", pageSize, got, want)
			}
		}
		sas := listUsersAll(t, u, s.AdminToken(), "is_service_account=true")
		if len(sas) != 2 || !sas["svc_a"] || !sas["svc_b"] {
			t.Fatalf("page size %d: is_service_account=true gave %v", pageSize, sas)
		}
	}
}

func TestListUsers_routeOff(t *testing.T) {
	s, u := start(t)
	s.SetUserListSupport(false)
	wantPlainNotFound(t, do(t, u, call{method: http.MethodGet, path: "/v1/users", token: s.AdminToken()}))
}

func TestListUsers_filtersLimitAndProfile(t *testing.T) {
	s, u := start(t)
	s.AddHumanUser("alice", false)
	s.AddHumanUser("bob", false)
	s.AddServiceAccount("svc_a")
	s.AddServiceAccount("svc_old")
	email, first := "alice@example.com", "Alice"
	s.SetUserProfile("alice", emulator.UserProfile{Email: &email, FirstName: &first})
	s.SetUserProfile("bob", emulator.UserProfile{Deprovisioned: true})
	s.SetUserProfile("svc_old", emulator.UserProfile{Deprovisioned: true})

	got := listUsersAll(t, u, s.AdminToken(), "is_service_account=true&is_deprovisioned=false")
	if len(got) != 1 || !got["svc_a"] {
		t.Fatalf("active service accounts: %v", got)
	}
	got = listUsersAll(t, u, s.AdminToken(), "is_deprovisioned=true")
	if len(got) != 2 || got["bob"] || !got["svc_old"] {
		t.Fatalf("deprovisioned users: %v", got)
	}
	// limit pages the answer even without a server page size
	r := do(t, u, call{method: http.MethodGet, path: "/v1/users?limit=2", token: s.AdminToken()})
	m := r.json(t)
	if users, _ := m["users"].([]any); len(users) != 2 || m["total_count"] != float64(5) || m["next_page_token"] == nil {
		t.Fatalf("limit=2: %s", r.body)
	}
	if got := listUsersAll(t, u, s.AdminToken(), "limit=2"); len(got) != 5 {
		t.Fatalf("limit=2, every page: %v", got)
	}
	// the profile fields come through
	r = do(t, u, call{method: http.MethodGet, path: "/v1/users", token: s.AdminToken()})
	for _, x := range r.json(t)["users"].([]any) {
		um := x.(map[string]any)
		if um["username"] == "alice" && (um["email"] != email || um["first_name"] != first || um["last_name"] != nil || um["is_deprovisioned"] != false) {
			t.Fatalf("alice: %v", um)
		}
		if um["username"] == "bob" && um["is_deprovisioned"] != true {
			t.Fatalf("bob: %v", um)
		}
	}
	for _, q := range []string{"is_deprovisioned=yes", "limit=0", "limit=x"} {
		wantError(t, do(t, u, call{method: http.MethodGet, path: "/v1/users?" + q, token: s.AdminToken()}), http.StatusBadRequest, "BAD_REQUEST")
	}
}

// A user added between two pages pushes an entry onto the next page too.
func TestListUsers_userAddedDuringWalkRepeats(t *testing.T) {
	s, u := start(t)
	s.SetUserListPageSize(2)
	for _, n := range []string{"svc_a", "svc_b", "svc_c"} {
		s.AddServiceAccount(n)
	}
	r := do(t, u, call{method: http.MethodGet, path: "/v1/users", token: s.AdminToken()})
	m := r.json(t)
	first := m["users"].([]any)
	next, _ := m["next_page_token"].(string)
	s.AddServiceAccount("svc_new")
	r = do(t, u, call{method: http.MethodGet, path: "/v1/users?page_token=" + next, token: s.AdminToken()})
	second := r.json(t)["users"].([]any)
	last := first[len(first)-1].(map[string]any)["username"]
	if second[0].(map[string]any)["username"] != last {
		t.Fatalf("page 2 does not repeat the last user of page 1 (%v): %v", last, second)
	}
}
