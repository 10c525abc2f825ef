package client

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func TestUsers_ExistsSharesTheTokenList(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc_one")
	e.s.ResetRequests()
	for range 3 {
		if ok, err := e.c.UserExists(ctx, "svc_one"); err != nil || !ok {
			t.Fatalf("UserExists: %v %v", ok, err)
		}
		if _, err := e.c.ListTokens(ctx, "svc_one"); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.s.CountRequests(emulator.OpList); n != 1 {
		t.Fatalf("three existence checks and three token lists of one user made %d list calls, want 1", n)
	}
	if ok, err := e.c.UserExists(ctx, "svc_missing"); err != nil || ok {
		t.Fatalf("UserExists of a missing user: %v %v", ok, err)
	}
	// A plain-text 404 (no route) is not "the user is gone".
	e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Username: "svc_plain", Kind: emulator.FaultStatus, Status: 404, PlainText: true})
	if ok, err := e.c.UserExists(ctx, "svc_plain"); err == nil || ok {
		t.Fatalf("a plain-text 404 must be an error, got %v %v", ok, err)
	}
}

func TestUsers_CreateNewServiceAccount(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)

	if rec, err := e.c.CreateNewServiceAccount(ctx, "svc_new"); err != nil || rec != nil {
		t.Fatalf("create: %v %v", rec, err)
	}
	if !e.s.IsServiceAccount("svc_new") {
		t.Fatal("not created")
	}

	// An existing account is refused before any create is sent.
	e.s.ResetRequests()
	_, err := e.c.CreateNewServiceAccount(ctx, "svc_new")
	var exists *UserExistsError
	if !errors.As(err, &exists) || exists.Cause != nil {
		t.Fatalf("existing account: want *UserExistsError without cause, got %v", err)
	}
	if n := e.s.CountRequests(emulator.OpCreateUser); n != 0 {
		t.Fatalf("a create was sent for an existing account (%d)", n)
	}
}

func TestUsers_CreateNewServiceAccountAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    emulator.Fault
		created  bool // the server carried the create out
		recovers bool
	}{
		{"dropped after commit", emulator.Fault{Kind: emulator.FaultDropAfter}, true, true},
		{"dropped before commit", emulator.Fault{Kind: emulator.FaultDropBefore}, false, false},
		{"500 without commit", emulator.Fault{Kind: emulator.FaultStatus, Status: 500}, false, false},
		{"503 without commit", emulator.Fault{Kind: emulator.FaultStatus, Status: 503}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEmu(t)
			ctx := ctxT(t)
			f := tc.fault
			f.Op, f.Username, f.Times = emulator.OpCreateUser, "svc_amb", 1
			e.s.InjectFault(f)
			rec, err := e.c.CreateNewServiceAccount(ctx, "svc_amb")
			if got := e.s.UserExists("svc_amb"); got != tc.created {
				t.Fatalf("account exists = %v, want %v", got, tc.created)
			}
			if tc.recovers {
				if err != nil || rec == nil {
					t.Fatalf("a create that took effect must succeed with the recovered failure: rec=%v err=%v", rec, err)
				}
				return
			}
			if err == nil || rec != nil {
				t.Fatalf("a create that did not take effect must fail: rec=%v err=%v", rec, err)
			}
			var exists *UserExistsError
			if errors.As(err, &exists) {
				t.Fatalf("must not claim the account exists: %v", err)
			}
		})
	}
}

// interceptor runs before for every request, then sends it on unless before
// returned an error.
type interceptor struct {
	next   http.RoundTripper
	before func(*http.Request) error
}

func (i interceptor) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := i.before(r); err != nil {
		return nil, err
	}
	return i.next.RoundTrip(r)
}

// A create whose connection drops after the server carried it out, then no
// way to ask whether the account exists: the outcome is unknown and the
// error says so.
func TestUsers_CreateNewServiceAccountUnknownOutcome(t *testing.T) {
	var created atomic.Bool
	e := newEmu(t, func(c *Config) {
		c.RecoveryTimeout = 200 * time.Millisecond
		c.HTTPClient = &http.Client{Transport: interceptor{next: baseTransport(t), before: func(r *http.Request) error {
			if created.Load() {
				return errors.New("connection refused")
			}
			if r.Method == http.MethodPost && r.URL.Path == "/v1/users" {
				created.Store(true) // every later request fails
			}
			return nil
		}}}
	})
	e.s.InjectFault(emulator.Fault{Op: emulator.OpCreateUser, Username: "svc_amb", Kind: emulator.FaultDropAfter, Times: 1})
	rec, err := e.c.CreateNewServiceAccount(ctxT(t), "svc_amb")
	var amb *AmbiguousCreateError
	if !errors.As(err, &amb) || rec != nil {
		t.Fatalf("want *AmbiguousCreateError, got rec=%v err=%v", rec, err)
	}
	if !e.s.UserExists("svc_amb") {
		t.Fatal("the emulator did not carry the create out")
	}
}

// Someone else creates the account between the check and our create.
func TestUsers_CreateNewServiceAccountLostRace(t *testing.T) {
	var e *emu
	e = newEmu(t, func(c *Config) {
		c.HTTPClient = &http.Client{Transport: interceptor{next: baseTransport(t), before: func(r *http.Request) error {
			if r.Method == http.MethodPost && r.URL.Path == "/v1/users" {
				e.s.AddServiceAccount("svc_race")
			}
			return nil
		}}}
	})
	_, err := e.c.CreateNewServiceAccount(ctxT(t), "svc_race")
	var exists *UserExistsError
	if !errors.As(err, &exists) || exists.Cause == nil {
		t.Fatalf("want *UserExistsError with the API's refusal, got %v", err)
	}
}

// A create the server carries out, answered by a 502 from something in front
// of it: the account is found afterwards and the create succeeds.
func TestUsers_CreateNewServiceAccountCommittedBehind502(t *testing.T) {
	e := newEmu(t, func(c *Config) {
		next := baseTransport(t)
		c.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err != nil || r.Method != http.MethodPost || r.URL.Path != "/v1/users" {
				return resp, err
			}
			_ = resp.Body.Close()
			return &http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
		})}
	})
	rec, err := e.c.CreateNewServiceAccount(ctxT(t), "svc_gateway")
	if err != nil || rec == nil {
		t.Fatalf("want success with the recovered 502, got rec=%v err=%v", rec, err)
	}
	if !e.s.IsServiceAccount("svc_gateway") {
		t.Fatal("the account was not created")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
