package emulator_test

import (
	"net/http"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func TestActiveAccounts(t *testing.T) {
	s, u := start(t)
	s.AddServiceAccount("svc_a")
	get := func() map[string]any {
		r := do(t, u, call{method: http.MethodGet, path: "/v1/active_accounts?cursor=x", token: s.AdminToken()})
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("GET: %v %d %s", r.err, r.status, r.body)
		}
		return r.json(t)
	}
	if accs, ok := get()["accounts"].([]any); !ok || len(accs) != 0 {
		t.Fatalf("no Duckling running: want accounts [], got %v", accs)
	}
	s.SetRunningDucklings("svc_a", []emulator.Duckling{{ID: "rw", Type: "read_write", Status: "active"}, {ID: "rs.0", Type: "read_scaling", Status: "cooldown"}})
	s.SetRunningDucklings("nobody", []emulator.Duckling{{ID: "rw", Type: "read_write", Status: "active"}})
	accs := get()["accounts"].([]any)
	if len(accs) != 1 {
		t.Fatalf("want svc_a only (nobody does not exist): %v", accs)
	}
	a := accs[0].(map[string]any)
	if a["username"] != "svc_a" || len(a["ducklings"].([]any)) != 2 {
		t.Fatalf("svc_a: %v", a)
	}
	s.SetRunningDucklings("svc_a", nil)
	if accs := get()["accounts"].([]any); len(accs) != 0 {
		t.Fatalf("stopped: %v", accs)
	}
	if n := s.CountRequests(emulator.OpActiveAccounts); n != 3 {
		t.Fatalf("counted %d active_accounts requests, want 3", n)
	}
}
