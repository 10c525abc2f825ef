package emulator_test

import (
	"net/http"
	"testing"
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
