package emulator_test

import (
	"net/http"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const ciInstances = "/v1/users/svc_ci/instances"

func putDucklings(t *testing.T, u, admin string, config any) result {
	t.Helper()
	return do(t, u, call{method: http.MethodPut, path: ciInstances, token: admin, body: map[string]any{"config": config}})
}

func half(size string, more ...any) map[string]any {
	m := map[string]any{"instance_size": size}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i].(string)] = more[i+1]
	}
	return m
}

// A user that never set anything reads the defaults; a write replaces the
// whole configuration and a read shows it; an omitted cooldown on a
// non-pulse half stores 60, and a pulse half is answered without one.
func TestDucklings_readWrite(t *testing.T) {
	s, u, admin := startWithCI(t)
	r := do(t, u, call{method: http.MethodGet, path: ciInstances, token: admin})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	if rw, _ := m["read_write"].(map[string]any); rw["instance_size"] != emulator.DefaultDucklingConfig.ReadWriteSize {
		t.Fatalf("defaults: %s", r.body)
	}

	r = putDucklings(t, u, admin, map[string]any{
		"read_write":   half("jumbo"),
		"read_scaling": half("pulse", "flock_size", 8),
	})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	want := emulator.DucklingConfig{ReadWriteSize: "jumbo", ReadWriteCooldown: 60, ReadScalingSize: "pulse", FlockSize: 8}
	if got, _ := s.DucklingConfig("svc_ci"); got != want {
		t.Fatalf("stored %+v, want %+v", got, want)
	}
	m = do(t, u, call{method: http.MethodGet, path: ciInstances, token: admin}).json(t)
	rw, _ := m["read_write"].(map[string]any)
	rs, _ := m["read_scaling"].(map[string]any)
	if rw["cooldown_seconds"] != float64(60) || rs["flock_size"] != float64(8) {
		t.Fatalf("read after write: %v", m)
	}
	if _, ok := rs["cooldown_seconds"]; ok {
		t.Fatalf("a pulse half answered a cooldown: %v", m)
	}
	if n := s.CountRequests(emulator.OpPutInstances); n != 1 {
		t.Fatalf("%d PUT recorded", n)
	}

	// The web UI changes it, outside any request.
	s.SetDucklingConfig("svc_ci", emulator.DucklingConfig{ReadWriteSize: "mega", ReadWriteCooldown: 900, ReadScalingSize: "giga", FlockSize: 2, ReadScalingCooldown: 120})
	m = do(t, u, call{method: http.MethodGet, path: ciInstances, token: admin}).json(t)
	if rs, _ := m["read_scaling"].(map[string]any); rs["cooldown_seconds"] != float64(120) || rs["instance_size"] != "giga" {
		t.Fatalf("after an outside change: %v", m)
	}
	if n := s.CountRequests(emulator.OpPutInstances); n != 1 {
		t.Fatalf("an outside change was recorded as a request")
	}
}

func TestDucklings_validation(t *testing.T) {
	_, u, admin := startWithCI(t)
	ok := half("pulse", "flock_size", 1)
	for name, tc := range map[string]struct {
		config  any
		message string // "" = any 400
	}{
		"no read_scaling":           {map[string]any{"read_write": half("pulse")}, ""},
		"no read_write":             {map[string]any{"read_scaling": ok}, ""},
		"unknown size":              {map[string]any{"read_write": half("huge"), "read_scaling": ok}, ""},
		"upper case size":           {map[string]any{"read_write": half("Standard"), "read_scaling": ok}, ""},
		"no flock_size":             {map[string]any{"read_write": half("pulse"), "read_scaling": half("pulse")}, ""},
		"flock_size 65":             {map[string]any{"read_write": half("pulse"), "read_scaling": half("pulse", "flock_size", 65)}, ""},
		"flock_size -1":             {map[string]any{"read_write": half("pulse"), "read_scaling": half("pulse", "flock_size", -1)}, ""},
		"flock_size 1.5":            {map[string]any{"read_write": half("pulse"), "read_scaling": half("pulse", "flock_size", 1.5)}, ""},
		"cooldown 59":               {map[string]any{"read_write": half("standard", "cooldown_seconds", 59), "read_scaling": ok}, ""},
		"cooldown 86401":            {map[string]any{"read_write": half("standard", "cooldown_seconds", 86401), "read_scaling": ok}, ""},
		"cooldown as a string":      {map[string]any{"read_write": half("standard", "cooldown_seconds", "60"), "read_scaling": ok}, ""},
		"cooldown on pulse":         {map[string]any{"read_write": half("pulse", "cooldown_seconds", 60), "read_scaling": ok}, emulator.PulseCooldownMessage},
		"cooldown on pulse scaling": {map[string]any{"read_write": half("pulse"), "read_scaling": half("pulse", "flock_size", 1, "cooldown_seconds", 300)}, emulator.PulseCooldownMessage},
		"config not an object":      {"standard", ""},
	} {
		t.Run(name, func(t *testing.T) {
			m := wantError(t, putDucklings(t, u, admin, tc.config), 400, "BAD_REQUEST")
			if tc.message != "" && m["message"] != tc.message {
				t.Fatalf("message %q, want %q", m["message"], tc.message)
			}
		})
	}
	if r := do(t, u, call{method: http.MethodPut, path: ciInstances, token: admin, body: map[string]any{"read_write": half("pulse"), "read_scaling": ok}}); r.status != 400 {
		t.Fatalf("a body without config: %d", r.status)
	}
}

// Unknown and deleted users are a JSON NOT_FOUND; a recreated user starts
// from the defaults again; the fault injection applies to the write.
func TestDucklings_usersAndFaults(t *testing.T) {
	s, u, admin := startWithCI(t)
	ok := map[string]any{"read_write": half("giga", "cooldown_seconds", 600), "read_scaling": half("pulse", "flock_size", 1)}
	wantError(t, do(t, u, call{method: http.MethodPut, path: "/v1/users/ghost/instances", token: admin, body: map[string]any{"config": ok}}), 404, "NOT_FOUND")
	if r := putDucklings(t, u, admin, ok); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	s.DeleteUser("svc_ci")
	wantError(t, do(t, u, call{method: http.MethodGet, path: ciInstances, token: admin}), 404, "NOT_FOUND")
	s.AddServiceAccount("svc_ci")
	if got, _ := s.DucklingConfig("svc_ci"); got != emulator.DefaultDucklingConfig {
		t.Fatalf("a recreated user holds %+v", got)
	}

	s.InjectFault(emulator.Fault{Op: emulator.OpPutInstances, Kind: emulator.FaultStatus, Status: 503, Times: 1})
	if r := putDucklings(t, u, admin, ok); r.status != 503 {
		t.Fatalf("fault: %d", r.status)
	}
	if got, _ := s.DucklingConfig("svc_ci"); got != emulator.DefaultDucklingConfig {
		t.Fatal("a faulted write was stored")
	}
	if r := do(t, u, call{method: http.MethodPut, path: ciInstances, token: s.UserTokenSecret("svc_ci"), body: map[string]any{"config": ok}}); r.status != 403 {
		t.Fatalf("a non-admin write: %d", r.status)
	}
}
