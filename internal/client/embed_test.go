package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const testDive = "0b6f3c1e-2a4d-4e8f-9c3b-5d7a1e2f4c6b"

func TestCreateEmbedSession(t *testing.T) {
	e := newEmuWithSvc(t)
	e.s.AddDive(testDive)
	ctx := ctxT(t)

	got, err := e.c.CreateEmbedSession(ctx, testDive, EmbedSessionRequest{Username: "svc", SessionName: "web", Version: 3,
		RequiredResources: []EmbedResource{}, InitialState: json.RawMessage(`{"k":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	minted := e.s.EmbedSessions()
	if len(minted) != 1 || got.Secret != minted[0].Secret {
		t.Fatalf("the session returned is not the one minted (%d minted)", len(minted))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if s := fmt.Sprintf(verb, got); strings.Contains(s, got.Secret) {
			t.Errorf("%s prints the session", verb)
		}
	}
	if logs := strings.Join(e.log.texts(), "\n"); strings.Contains(logs, got.Secret) {
		t.Error("the client logged the session")
	}

	// an unknown Dive is a plain error, not an ambiguous one
	_, err = e.c.CreateEmbedSession(ctx, strings.Replace(testDive, "0", "1", 1), EmbedSessionRequest{Username: "svc"})
	var amb *AmbiguousEmbedSessionError
	if !IsNotFound(err) || errors.As(err, &amb) {
		t.Fatalf("unknown Dive: %v", err)
	}
}

func TestEmbedSessionRequest_emptyResources(t *testing.T) {
	for _, c := range []struct {
		req  EmbedSessionRequest
		want string
	}{
		{EmbedSessionRequest{Username: "svc"}, `{"username":"svc"}`},
		{EmbedSessionRequest{Username: "svc", RequiredResources: []EmbedResource{}}, `{"username":"svc","required_resources":[]}`},
		{EmbedSessionRequest{Username: "svc", RequiredResources: []EmbedResource{{URL: "md:x"}}}, `{"username":"svc","required_resources":[{"url":"md:x"}]}`},
	} {
		b, err := json.Marshal(c.req)
		if err != nil || string(b) != c.want {
			t.Errorf("%s, %v; want %s", b, err, c.want)
		}
	}
}

// The body is sent without HTML escaping, so the plan's byte counts of
// required_resources and initial_state are what is sent.
func TestEmbedSessionRequest_noHTMLEscaping(t *testing.T) {
	req := EmbedSessionRequest{Username: "svc", RequiredResources: []EmbedResource{{URL: "md:_share/a?x=1&y=<2>"}},
		InitialState: json.RawMessage(`{"q": "a&b"}`)}
	b, err := CompactJSON(req)
	want := `{"username":"svc","required_resources":[{"url":"md:_share/a?x=1&y=<2>"}],"initial_state":{"q":"a&b"}}`
	if err != nil || string(b) != want {
		t.Errorf("%s, %v; want %s", b, err, want)
	}
}

// The call is not idempotent: it is repeated after a 429 only, never after
// an answer that may come after the session was created.
func TestCreateEmbedSession_notRepeated(t *testing.T) {
	for _, c := range []struct {
		name      string
		fault     emulator.Fault
		ambiguous bool
		requests  int
		sessions  int
	}{
		{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Times: 1}, true, 1, 0},
		{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Times: 1}, true, 1, 0},
		{"dropped before", emulator.Fault{Kind: emulator.FaultDropBefore, Times: 1}, true, 1, 0},
		{"dropped after", emulator.Fault{Kind: emulator.FaultDropAfter, Times: 1}, true, 1, 1},
		{"429 retried", emulator.Fault{Kind: emulator.FaultStatus, Status: 429, Times: 1}, false, 2, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEmuWithSvc(t)
			e.s.AddDive(testDive)
			c.fault.Op = emulator.OpEmbedSession
			e.s.InjectFault(c.fault)
			_, err := e.c.CreateEmbedSession(ctxT(t), testDive, EmbedSessionRequest{Username: "svc"})
			var amb *AmbiguousEmbedSessionError
			if got := errors.As(err, &amb); got != c.ambiguous {
				t.Fatalf("ambiguous = %v, want %v (%v)", got, c.ambiguous, err)
			}
			if !c.ambiguous && err != nil {
				t.Fatal(err)
			}
			if n := e.s.CountRequests(emulator.OpEmbedSession); n != c.requests {
				t.Fatalf("%d requests, want %d", n, c.requests)
			}
			if n := len(e.s.EmbedSessions()); n != c.sessions {
				t.Fatalf("%d sessions minted, want %d", n, c.sessions)
			}
		})
	}
}
