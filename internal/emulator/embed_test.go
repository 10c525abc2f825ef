package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const diveID = "0b6f3c1e-2a4d-4e8f-9c3b-5d7a1e2f4c6b"

func TestEmbedSession(t *testing.T) {
	s, u := start(t)
	s.AddServiceAccount("svc_dive")
	s.AddHumanUser("alice", false)
	s.AddDive(diveID)
	path := "/v1/dives/" + diveID + "/embed-session"
	post := func(p string, body any) result {
		return do(t, u, call{method: http.MethodPost, path: p, token: s.AdminToken(), body: body})
	}

	r := post(path, map[string]any{"username": "svc_dive", "session_name": "web", "version": 2,
		"required_resources": []any{map[string]any{"url": "md:_share/x/y", "alias": "y"}}, "initial_state": map[string]any{"k": 1}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	sess, _ := r.json(t)["session"].(string)
	if sess == "" || len(s.EmbedSessions()) != 1 || s.EmbedSessions()[0].Secret != sess {
		t.Fatalf("session (empty: %v) not recorded: %d sessions", sess == "", len(s.EmbedSessions()))
	}
	if r := post(path, map[string]any{"username": "svc_dive"}); r.status != http.StatusOK || strings.Contains(string(r.body), sess) {
		t.Fatalf("a second call must mint a new session: %d", r.status)
	}

	wantError(t, post("/v1/dives/"+strings.Replace(diveID, "0", "1", 1)+"/embed-session", map[string]any{"username": "svc_dive"}), http.StatusNotFound, "NOT_FOUND")
	wantError(t, post(path, map[string]any{"username": "svc_nobody"}), http.StatusNotFound, "NOT_FOUND")
	for name, body := range map[string]any{
		"no username":      map[string]any{},
		"human":            map[string]any{"username": "alice"},
		"empty name":       map[string]any{"username": "svc_dive", "session_name": ""},
		"name and hint":    map[string]any{"username": "svc_dive", "session_name": "a", "session_hint": "a"},
		"version 0":        map[string]any{"username": "svc_dive", "version": 0},
		"state not object": map[string]any{"username": "svc_dive", "initial_state": []any{1}},
		"state too large":  map[string]any{"username": "svc_dive", "initial_state": map[string]any{"k": strings.Repeat("x", emulator.MaxInitialStateBytes)}},
		"resource no url":  map[string]any{"username": "svc_dive", "required_resources": []any{map[string]any{"alias": "a"}}},
		"resources large":  map[string]any{"username": "svc_dive", "required_resources": []any{map[string]any{"url": strings.Repeat("u", emulator.MaxRequiredResourcesBytes)}}},
	} {
		t.Run(name, func(t *testing.T) { wantError(t, post(path, body), http.StatusBadRequest, "BAD_REQUEST") })
	}
	wantError(t, post("/v1/dives/not-a-uuid/embed-session", map[string]any{"username": "svc_dive"}), http.StatusBadRequest, "BAD_REQUEST")
	if n := len(s.EmbedSessions()); n != 2 {
		t.Fatalf("%d sessions minted, want 2", n)
	}
	if n := s.CountRequests(emulator.OpEmbedSession); n != 14 {
		t.Fatalf("counted %d embed_session requests, want 14", n)
	}
}
