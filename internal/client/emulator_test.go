package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func TestEmulator_EveryCall(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)

	if err := e.c.CreateServiceAccount(ctx, "svc_one"); err != nil {
		t.Fatalf("CreateServiceAccount: %v", err)
	}
	if !e.s.IsServiceAccount("svc_one") {
		t.Fatal("service account not created")
	}

	ct, err := e.c.CreateToken(ctx, "svc_one", CreateTokenRequest{Name: "ci", TTL: 3600, TokenType: TokenTypeReadScaling, Description: "for CI"})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if ct.Secret == "" || ct.ID == "" || ct.Name != "ci" || ct.TokenType != TokenTypeReadScaling || !ct.ReadOnly {
		t.Fatalf("unexpected minted token %+v", ct)
	}
	if ct.ExpireAt == nil || ct.ExpireAt.Sub(ct.CreatedTS) != time.Hour {
		t.Fatalf("expire_at %v created %v", ct.ExpireAt, ct.CreatedTS)
	}
	live := e.s.LiveTokens("svc_one")
	if len(live) != 1 || live[0].ID != ct.ID || live[0].Secret != ct.Secret {
		t.Fatalf("emulator live tokens %+v", live)
	}

	toks, err := e.c.ListTokens(ctx, "svc_one")
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if len(toks) != 1 || toks[0].ID != ct.ID || toks[0].Description == nil || *toks[0].Description != "for CI" {
		t.Fatalf("listed %+v", toks)
	}
	// A second client shares no cache with the first: its list is a fresh request.
	other, err := New(Config{BaseURL: e.url, Token: e.s.AdminToken()})
	if err != nil {
		t.Fatal(err)
	}
	before := e.s.CountRequests(emulator.OpList)
	unc, err := other.ListTokens(ctx, "svc_one")
	if err != nil || len(unc) != 1 || unc[0].ID != ct.ID || e.s.CountRequests(emulator.OpList) != before+1 {
		t.Fatalf("uncached list: %v %+v", err, unc)
	}

	if err := e.c.DeleteToken(ctx, "svc_one", ct.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if st := e.s.TokenState(ct.ID); st != "revoked" {
		t.Fatalf("token state %q", st)
	}
	err = e.c.DeleteToken(ctx, "svc_one", ct.ID)
	if !IsNotFound(err) {
		t.Fatalf("second DeleteToken: want NOT_FOUND, got %v", err)
	}

	if err := e.c.DeleteUser(ctx, "svc_one"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := e.c.ListTokens(ctx, "svc_one"); !IsNotFound(err) {
		t.Fatalf("list of deleted user: want NOT_FOUND, got %v", err)
	}
	if err := e.c.DeleteUser(ctx, "svc_one"); !IsNotFound(err) {
		t.Fatalf("second DeleteUser: want NOT_FOUND, got %v", err)
	}
	if err := e.c.CreateServiceAccount(ctx, "1bad"); !IsBadRequest(err) {
		t.Fatalf("bad username: want 400, got %v", err)
	}

	// Description dropped by an older region: field absent -> nil.
	e.s.SetDescriptionSupport(false)
	e.s.AddServiceAccount("svc_two")
	if _, err := e.c.CreateToken(ctx, "svc_two", CreateTokenRequest{Name: "old", Description: "dropped"}); err != nil {
		t.Fatal(err)
	}
	toks, err = e.c.ListTokens(ctx, "svc_two")
	if err != nil || len(toks) != 1 || toks[0].Description != nil || toks[0].ExpireAt != nil || toks[0].TokenType != TokenTypeReadWrite {
		t.Fatalf("old region list: %v %+v", err, toks)
	}
}

func TestEmulator_ErrorClasses(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc")

	// 400 with issues and their paths.
	_, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "x", TTL: 5})
	var ae *APIError
	if !errors.As(err, &ae) || !IsBadRequest(err) || ae.Code != "BAD_REQUEST" || len(ae.Issues) == 0 {
		t.Fatalf("want 400 with issues, got %#v", err)
	}
	if len(ae.Issues[0].Path) != 1 || ae.Issues[0].Path[0] != "ttl" || ae.Attempts != 1 {
		t.Fatalf("issue %+v attempts %d", ae.Issues, ae.Attempts)
	}
	if e.s.CountRequests(emulator.OpMint) != 1 {
		t.Fatal("a 400 must not be retried")
	}

	// 401.
	bad, _ := New(Config{BaseURL: e.url, Token: "not-a-token", MaxRetryWait: time.Millisecond})
	if _, err := bad.ListTokens(ctx, "svc"); !IsUnauthorized(err) || IsForbidden(err) {
		t.Fatalf("want 401, got %v", err)
	}

	// 403: a valid token of a non-admin.
	e.s.AddHumanUser("bob", false)
	member, _ := New(Config{BaseURL: e.url, Token: e.s.UserTokenSecret("bob"), MaxRetryWait: time.Millisecond})
	if _, err := member.ListTokens(ctx, "svc"); !IsForbidden(err) {
		t.Fatalf("want 403, got %v", err)
	}
	// 403 on mint for another human user.
	e.s.AddHumanUser("carol", true)
	if _, err := e.c.CreateToken(ctx, "carol", CreateTokenRequest{Name: "x"}); !IsForbidden(err) {
		t.Fatalf("want 403, got %v", err)
	}

	// JSON 404.
	_, err = e.c.ListTokens(ctx, "nobody")
	if !IsNotFound(err) || !errors.As(err, &ae) || ae.Code != "NOT_FOUND" {
		t.Fatalf("want JSON NOT_FOUND, got %v", err)
	}

	// Plain-text 404 from an unknown route: not "not found".
	wrong, _ := New(Config{BaseURL: e.url + "/nope/", Token: e.s.AdminToken(), MaxRetryWait: time.Millisecond})
	err = wrong.DeleteToken(ctx, "svc", "00000000-0000-0000-0000-000000000000")
	if IsNotFound(err) || !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != "" || ae.Message != "Not Found" {
		t.Fatalf("plain-text 404: got %#v", err)
	}
	if got := e.s.Requests(); got[len(got)-1].Path != "/nope/v1/users/svc/tokens/00000000-0000-0000-0000-000000000000" {
		t.Fatalf("path prefix not kept: %s", got[len(got)-1].Path)
	}

	// 500 on revoke: not retried.
	tok := e.s.MintToken("svc", "t", 0, "")
	e.s.ResetRequests()
	e.s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 500})
	err = e.c.DeleteToken(ctx, "svc", tok.ID)
	if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Code != "INTERNAL_SERVER_ERROR" || ae.Attempts != 1 {
		t.Fatalf("want 500, got %v", err)
	}
	if n := e.s.CountRequests(emulator.OpRevoke); n != 1 {
		t.Fatalf("500 on DELETE retried: %d requests", n)
	}
}

func TestEmulator_PathEscaping(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)
	const user = "a/b?c#d%e"
	e.s.AddServiceAccount(user)
	ct, err := e.c.CreateToken(ctx, user, CreateTokenRequest{Name: "weird"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteToken(ctx, user, ct.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.s.Requests() {
		if r.Username != user {
			t.Errorf("request %s %s: username %q", r.Method, r.Path, r.Username)
		}
	}
	want := "/v1/users/a%2Fb%3Fc%23d%25e/tokens"
	if p := e.s.Requests()[0].Path; p != want {
		t.Fatalf("path %q, want %q", p, want)
	}
}

func TestEmulator_Retries(t *testing.T) {
	ctx := ctxT(t)

	t.Run("429 Retry-After seconds honoured", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxRetryWait = 5 * time.Second })
		e.s.AddServiceAccount("svc")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "1", Times: 1})
		start := time.Now()
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 950*time.Millisecond {
			t.Fatalf("Retry-After: 1 not honoured: took %v", d)
		}
		if n := e.s.CountRequests(emulator.OpList); n != 2 {
			t.Fatalf("%d list requests", n)
		}
		if e.log.count("warn", "retrying") != 1 {
			t.Fatal("no retry warning logged")
		}
	})

	t.Run("429 Retry-After HTTP date honoured beyond MaxRetryWait", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxRetryWait = 150 * time.Millisecond })
		e.s.AddServiceAccount("svc")
		date := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 429, RetryAfter: date, Times: 1})
		start := time.Now()
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
		// The date is 1-2s away (whole seconds): that wait, not the 150ms
		// cap of a backoff, nor the 1ms backoff.
		if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
			t.Fatalf("took %v, want the 1-2s the date asked for", d)
		}
	})

	t.Run("503 twice on revoke then success", func(t *testing.T) {
		e := newEmuWithSvc(t)
		tok := e.s.MintToken("svc", "t", 0, "")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503, Times: 2})
		if err := e.c.DeleteToken(ctx, "svc", tok.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.s.CountRequests(emulator.OpRevoke); n != 3 {
			t.Fatalf("%d revoke requests", n)
		}
	})

	t.Run("500 then success on list", func(t *testing.T) {
		e := newEmuWithSvc(t)
		e.s.MintToken("svc", "t", 0, "")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500, Times: 1})
		toks, err := e.c.ListTokens(ctx, "svc")
		if err != nil || len(toks) != 1 {
			t.Fatalf("%v %+v", err, toks)
		}
	})

	t.Run("transport drops retried for GET and DELETE", func(t *testing.T) {
		e := newEmuWithSvc(t)
		tok := e.s.MintToken("svc", "t", 0, "")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDropBefore, Times: 1})
		e.s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultDropAfter, Times: 1})
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
		// The first revoke commits but its answer is lost; the retry says NOT_FOUND.
		if err := e.c.DeleteToken(ctx, "svc", tok.ID); !IsNotFound(err) {
			t.Fatalf("want NOT_FOUND after a committed-then-dropped revoke, got %v", err)
		}
		if e.s.TokenState(tok.ID) != "revoked" {
			t.Fatal("not revoked")
		}
	})

	t.Run("per-attempt timeout retried", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond })
		e.s.AddServiceAccount("svc")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDelay, Delay: time.Second, Times: 1})
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("attempts bounded", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxAttempts = 3 })
		e.s.AddServiceAccount("svc")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 503, RetryAfter: "0"})
		_, err := e.c.ListTokens(ctx, "svc")
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Attempts != 3 {
			t.Fatalf("got %v", err)
		}
		if n := e.s.CountRequests(emulator.OpList); n != 3 {
			t.Fatalf("%d list requests, want 3", n)
		}
		if !strings.Contains(ae.Error(), "after 3 attempts") {
			t.Fatalf("message %q", ae.Error())
		}
	})

	t.Run("not retried: 400 401 403 404", func(t *testing.T) {
		for _, st := range []int{400, 401, 403, 404} {
			e := newEmuWithSvc(t)
			e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: st})
			_, err := e.c.ListTokens(ctx, "svc")
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != st {
				t.Fatalf("%d: got %v", st, err)
			}
			if n := e.s.CountRequests(emulator.OpList); n != 1 {
				t.Fatalf("%d retried: %d requests", st, n)
			}
		}
	})

	t.Run("cancel during Retry-After wait returns promptly", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxRetryWait, c.MaxCallTime = time.Minute, time.Hour })
		e.s.AddServiceAccount("svc")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "30"})
		cctx, cancel := context.WithCancel(t.Context())
		go func() {
			for e.s.CountRequests(emulator.OpList) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			cancel()
		}()
		start := time.Now()
		_, err := e.c.ListTokens(cctx, "svc")
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v after cancel", d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
	})
}

func TestEmulator_MintRetries(t *testing.T) {
	ctx := ctxT(t)

	t.Run("429 retried, exactly one live token", func(t *testing.T) {
		e := newEmuWithSvc(t)
		e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "0", Times: 2})
		ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		live := e.s.LiveTokens("svc")
		if len(live) != 1 || live[0].ID != ct.ID {
			t.Fatalf("live %+v", live)
		}
		if n := e.s.CountRequests(emulator.OpMint); n != 3 {
			t.Fatalf("%d mints", n)
		}
		// 429 means "not performed": no recovery list beyond the baseline.
		if n := e.s.CountRequests(emulator.OpList); n != 1 {
			t.Fatalf("%d lists", n)
		}
	})

	ambiguous := []struct {
		name  string
		fault emulator.Fault
		mod   func(*Config)
	}{
		{"drop_after", emulator.Fault{Kind: emulator.FaultDropAfter}, nil},
		{"drop_before", emulator.Fault{Kind: emulator.FaultDropBefore}, nil},
		{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503}, nil},
		{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: 500}, nil},
		{"timeout", emulator.Fault{Kind: emulator.FaultDelay, Delay: 2 * time.Second}, func(c *Config) { c.RequestTimeout = 150 * time.Millisecond }},
	}
	for _, tc := range ambiguous {
		t.Run(tc.name+" recovered", func(t *testing.T) {
			var mods []func(*Config)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			e := newEmuWithSvc(t, mods...)
			// A pre-existing token of the same name and shape must survive.
			old := e.s.MintToken("svc", "ci", 0, "")
			other := e.s.MintToken("svc", "other", 0, "")
			f := tc.fault
			f.Op, f.Times = emulator.OpMint, 1
			e.s.InjectFault(f)

			ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci"})
			if err != nil {
				t.Fatal(err)
			}
			if e.s.TokenState(old.ID) != "live" || e.s.TokenState(other.ID) != "live" {
				t.Fatal("a pre-existing token was revoked")
			}
			live := e.liveByName("svc", "ci")
			if len(live) != 2 {
				t.Fatalf("live %q tokens: %+v", "ci", live)
			}
			var mine *emulator.Token
			for i := range live {
				if live[i].ID != old.ID {
					mine = &live[i]
				}
			}
			if mine == nil || mine.ID != ct.ID || mine.Secret != ct.Secret {
				t.Fatalf("the live new token is not the returned one: %+v vs %s", mine, ct.ID)
			}
			if n := e.s.CountRequests(emulator.OpMint); n != 2 {
				t.Fatalf("%d mints", n)
			}
			// Every token minted via the API is either the returned one or revoked.
			for _, tk := range e.s.AllTokens() {
				if tk.ViaAPI && tk.ID != ct.ID && !tk.Revoked {
					t.Fatalf("orphan left live: %s", tk.ID)
				}
			}
		})
	}

	t.Run("failing every time: error and zero live tokens", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxAttempts = 4 })
		e.s.AddServiceAccount("svc")
		old := e.s.MintToken("svc", "ci", 0, "")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter})
		ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci", TTL: 600})
		if err == nil || ct != nil {
			t.Fatalf("want an error, got %+v", ct)
		}
		var te *TransportError
		if !errors.As(err, &te) || te.Attempts != 4 || errors.As(err, new(*AmbiguousMintError)) {
			t.Fatalf("got %#v", err)
		}
		if n := e.s.CountRequests(emulator.OpMint); n != 4 {
			t.Fatalf("%d mints", n)
		}
		live := e.liveByName("svc", "ci")
		if len(live) != 1 || live[0].ID != old.ID {
			t.Fatalf("live: %+v", live)
		}
		minted := 0
		for _, tk := range e.s.AllTokens() {
			if tk.ViaAPI {
				minted++
				if !tk.Revoked {
					t.Fatalf("orphan %s live", tk.ID)
				}
			}
		}
		if minted != 4 {
			t.Fatalf("%d API-minted tokens", minted)
		}
	})

	t.Run("recovery list fails: AmbiguousMintError", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxAttempts = 2; c.RecoveryTimeout = 300 * time.Millisecond })
		e.s.AddServiceAccount("svc")
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil { // baseline
			t.Fatal(err)
		}
		e.s.ResetRequests()
		e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter})
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500})
		_, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci"})
		// The clean-up keeps asking for its whole budget, beyond MaxAttempts.
		if n := e.s.CountRequests(emulator.OpList); n <= 2 {
			t.Fatalf("the recovery list was tried only %d times", n)
		}
		var am *AmbiguousMintError
		if !errors.As(err, &am) || am.Username != "svc" || am.Name != "ci" || len(am.Owed.Revoke) != 0 || len(am.Owed.Intents) != 1 {
			t.Fatalf("got %#v", err)
		}
		msg := err.Error()
		for _, want := range []string{`"ci"`, "unknown", "not listed yet"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("message %q lacks %q", msg, want)
			}
		}
		// No retry after a failed recovery.
		if n := e.s.CountRequests(emulator.OpMint); n != 1 {
			t.Fatalf("%d mints", n)
		}
	})

	t.Run("recovery list outlasts MaxAttempts: orphan revoked, mint succeeds", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxAttempts = 2 })
		e.s.AddServiceAccount("svc")
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil { // baseline
			t.Fatal(err)
		}
		e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 503, Times: 5})
		ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		live := e.liveByName("svc", "ci")
		if len(live) != 1 || live[0].ID != ct.ID {
			t.Fatalf("want only the returned token live, got %+v", live)
		}
	})

	t.Run("revoke of orphan fails: ids reported", func(t *testing.T) {
		e := newEmuWithSvc(t)
		e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
		e.s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 403})
		_, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci"})
		var am *AmbiguousMintError
		if !errors.As(err, &am) || len(am.Owed.Revoke) != 1 {
			t.Fatalf("got %#v", err)
		}
		live := e.liveByName("svc", "ci")
		if len(live) != 1 || live[0].ID != am.Owed.Revoke[0] {
			t.Fatalf("orphan id %v, live %+v", am.Owed.Revoke, live)
		}
		if !strings.Contains(err.Error(), am.Owed.Revoke[0]) {
			t.Fatalf("message lacks the orphan id: %s", err)
		}
	})

	t.Run("ttl and type must match for an orphan", func(t *testing.T) {
		e := newEmuWithSvc(t)
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
		// Tokens created after the baseline by someone else, same name, other shape.
		noTTL := e.s.MintToken("svc", "ci", 0, "")
		scaling := e.s.MintToken("svc", "ci", 600*time.Second, emulator.TokenTypeReadScaling)
		longer := e.s.MintToken("svc", "ci", 900*time.Second, "")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
		ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci", TTL: 600})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{noTTL.ID, scaling.ID, longer.ID, ct.ID} {
			if e.s.TokenState(id) != "live" {
				t.Fatalf("%s revoked", id)
			}
		}
		if n := len(e.liveByName("svc", "ci")); n != 4 {
			t.Fatalf("%d live", n)
		}
	})

	t.Run("caller cancels after the server committed: no orphan", func(t *testing.T) {
		e := newEmuWithSvc(t)
		cctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		base := baseTransport(t)
		e.c.hc = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := base.RoundTrip(r)
			if r.Method == http.MethodPost && err == nil {
				// Ctrl-C arrives just as the answer does: it is lost.
				_ = resp.Body.Close()
				cancel()
				return nil, context.Canceled
			}
			return resp, err
		})}
		_, err := e.c.CreateToken(cctx, "svc", CreateTokenRequest{Name: "ci"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		if live := e.liveByName("svc", "ci"); len(live) != 0 {
			t.Fatalf("orphan left: %+v", live)
		}
		if n := e.s.CountRequests(emulator.OpMint); n != 1 {
			t.Fatalf("%d mints after cancel", n)
		}
	})
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestEmulator_BaselineShared(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc")
	e.s.SetLatency(50 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: string(rune('a' + i))})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.s.CountRequests(emulator.OpList); n != 1 {
		t.Fatalf("%d baseline lists for 8 concurrent mints, want 1", n)
	}
	if _, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "later"}); err != nil {
		t.Fatal(err)
	}
	if n := e.s.CountRequests(emulator.OpList); n != 1 {
		t.Fatalf("%d lists after another mint, want 1", n)
	}
	if n := len(e.s.LiveTokens("svc")); n != 9 {
		t.Fatalf("%d live", n)
	}
}

func TestEmulator_ConcurrentSameNameMints(t *testing.T) {
	e := newEmu(t)
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc")
	e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 2})
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]bool{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "same"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[ct.ID] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	live := e.liveByName("svc", "same")
	if len(got) != 4 || len(live) != 4 {
		t.Fatalf("returned %d, live %d", len(got), len(live))
	}
	for _, tk := range live {
		if !got[tk.ID] {
			t.Fatalf("live token %s was not returned", tk.ID)
		}
	}
}

func TestEmulator_ListCache(t *testing.T) {
	ctx := ctxT(t)

	t.Run("concurrent calls share one request", func(t *testing.T) {
		e := newEmuWithSvc(t)
		e.s.MintToken("svc", "t", 0, "")
		e.s.SetLatency(100 * time.Millisecond)
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				toks, err := e.c.ListTokens(ctx, "svc")
				if err != nil || len(toks) != 1 {
					t.Errorf("%v %+v", err, toks)
				}
			}()
		}
		wg.Wait()
		if n := e.s.CountRequests(emulator.OpList); n != 1 {
			t.Fatalf("%d list requests", n)
		}
		// Served from the cache afterwards.
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
		if n := e.s.CountRequests(emulator.OpList); n != 1 {
			t.Fatalf("%d list requests", n)
		}
	})

	t.Run("writes invalidate", func(t *testing.T) {
		e := newEmuWithSvc(t)
		tok := e.s.MintToken("svc", "t", 0, "")
		if toks, _ := e.c.ListTokens(ctx, "svc"); len(toks) != 1 {
			t.Fatal("setup")
		}
		if err := e.c.DeleteToken(ctx, "svc", tok.ID); err != nil {
			t.Fatal(err)
		}
		toks, err := e.c.ListTokens(ctx, "svc")
		if err != nil || contains(ids(toks), tok.ID) {
			t.Fatalf("revoked id listed: %v %v", err, ids(toks))
		}
		ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "n"})
		if err != nil {
			t.Fatal(err)
		}
		toks, err = e.c.ListTokens(ctx, "svc")
		if err != nil || !contains(ids(toks), ct.ID) {
			t.Fatalf("minted id not listed: %v %v", err, ids(toks))
		}
		// A failed write invalidates too.
		n := e.s.CountRequests(emulator.OpList)
		e.s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 400, Times: 1})
		_ = e.c.DeleteToken(ctx, "svc", ct.ID)
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatal(err)
		}
		if e.s.CountRequests(emulator.OpList) != n+1 {
			t.Fatal("failed revoke did not invalidate the cache")
		}
	})

	t.Run("a call after a write never joins an older request", func(t *testing.T) {
		e := newEmuWithSvc(t)
		tok := e.s.MintToken("svc", "t", 0, "")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultDelay, Delay: 400 * time.Millisecond, Times: 1})
		done := make(chan []Token)
		go func() {
			toks, _ := e.c.ListTokens(ctx, "svc")
			done <- toks
		}()
		for e.s.CountRequests(emulator.OpList) == 0 {
			time.Sleep(2 * time.Millisecond)
		}
		// Revoke out of band the server state, then through the client.
		if err := e.c.DeleteToken(ctx, "svc", tok.ID); err != nil {
			t.Fatal(err)
		}
		toks, err := e.c.ListTokens(ctx, "svc")
		if err != nil || contains(ids(toks), tok.ID) {
			t.Fatalf("after revoke: %v %v", err, ids(toks))
		}
		if n := e.s.CountRequests(emulator.OpList); n != 2 {
			t.Fatalf("%d list requests, want 2 (no joining)", n)
		}
		old := <-done
		if contains(ids(old), tok.ID) {
			// The older request may have been answered before the revoke, but
			// the client still never reports a token it revoked.
			t.Fatalf("revoked id reported by the older call")
		}
		// And that older answer must not have become the cache.
		toks, _ = e.c.ListTokens(ctx, "svc")
		if contains(ids(toks), tok.ID) {
			t.Fatal("stale answer cached")
		}
	})

	// A cached list drops a token once it has surely expired: past its
	// expire_at on the list's floor (newest created_ts, less a minute, plus
	// the time since the answer), never on a clock estimate.
	t.Run("expiry judged on the list's floor at each call", func(t *testing.T) {
		e := newEmuWithSvc(t)
		short := e.s.MintToken("svc", "short", 300*time.Second, "")
		long := e.s.MintToken("svc", "long", 3600*time.Second, "")
		toks, err := e.c.ListTokens(ctx, "svc")
		if err != nil || len(toks) != 2 {
			t.Fatalf("%v %+v", err, toks)
		}
		e.s.Advance(359 * time.Second)
		if toks, err = e.c.ListTokens(ctx, "svc"); err != nil || !contains(ids(toks), short.ID) {
			t.Fatalf("59s past its expiry, within the floor's minute: %v %v", err, ids(toks))
		}
		e.s.Advance(2 * time.Second)
		toks, err = e.c.ListTokens(ctx, "svc")
		if err != nil || len(toks) != 1 || toks[0].ID != long.ID || contains(ids(toks), short.ID) {
			t.Fatalf("after expiry: %v %v", err, ids(toks))
		}
		if n := e.s.CountRequests(emulator.OpList); n != 1 {
			t.Fatalf("expiry should not need a new request: %d", n)
		}
	})

	// The tokens are copies; what their pointer fields point to is shared
	// with the cache, read-only (ListTokens).
	t.Run("returned slices are copies", func(t *testing.T) {
		e := newEmuWithSvc(t)
		e.s.MintToken("svc", "t", 300*time.Second, "")
		a, _ := e.c.ListTokens(ctx, "svc")
		a[0].Name = "mutated"
		a[0].ExpireAt = nil
		a = append(a[:0], Token{ID: "x"})
		_ = a
		b, _ := e.c.ListTokens(ctx, "svc")
		if len(b) != 1 || b[0].Name != "t" || b[0].ExpireAt.IsZero() {
			t.Fatalf("cache mutated: %+v", b)
		}
	})

	t.Run("errors are not cached and a waiter's cancel does not hurt others", func(t *testing.T) {
		e := newEmu(t, func(c *Config) { c.MaxAttempts = 1 })
		e.s.AddServiceAccount("svc")
		e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500, Times: 1})
		if _, err := e.c.ListTokens(ctx, "svc"); err == nil {
			t.Fatal("want an error")
		}
		if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
			t.Fatalf("error was cached: %v", err)
		}
		e2 := newEmu(t)
		e2.s.AddServiceAccount("svc")
		e2.s.SetLatency(200 * time.Millisecond)
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		res := make(chan error, 1)
		go func() { _, err := e2.c.ListTokens(ctx, "svc"); res <- err }()
		if _, err := e2.c.ListTokens(short, "svc"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want deadline, got %v", err)
		}
		if err := <-res; err != nil {
			t.Fatalf("other waiter failed: %v", err)
		}
	})
}

// TestEmulator_RandomFaults mints and revokes under random faults and checks
// the bar: every token minted through the API is returned or revoked, unless
// an *AmbiguousMintError names it.
func TestEmulator_RandomFaults(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4, 5, 6} {
		e := newEmu(t, func(c *Config) { c.MaxAttempts = 6; c.RequestTimeout = 300 * time.Millisecond })
		ctx := ctxT(t)
		e.s.AddServiceAccount("svc")
		pre := e.s.MintToken("svc", "tok-0", 0, "") // pre-existing, same name as a later mint
		e.s.SetRandomFaults(seed, 0.5, []emulator.Fault{
			{Op: emulator.OpMint, Kind: emulator.FaultDropAfter},
			{Op: emulator.OpMint, Kind: emulator.FaultDropBefore},
			{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 500},
			{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 502},
			{Op: emulator.OpMint, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "0"},
			{Op: emulator.OpMint, Kind: emulator.FaultDelay, Delay: time.Second},
			{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 503},
			{Op: emulator.OpList, Kind: emulator.FaultDropBefore},
			{Op: emulator.OpRevoke, Kind: emulator.FaultStatus, Status: 503},
			{Op: emulator.OpRevoke, Kind: emulator.FaultDropAfter},
		})
		returned := map[string]bool{}
		reported := map[string]bool{} // names of ambiguous errors
		failed := 0
		for i := range 16 {
			name := "tok-" + string(rune('0'+i%6))
			ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: name})
			if err == nil {
				returned[ct.ID] = true
				continue
			}
			failed++
			if errors.As(err, new(*AmbiguousMintError)) {
				reported[name] = true
			}
		}
		e.s.ClearFaults()
		orphansRevoked := 0
		for _, tk := range e.s.AllTokens() {
			if tk.ViaAPI && tk.Revoked {
				orphansRevoked++
			}
		}
		t.Logf("seed %d: %d returned, %d failed (%d names ambiguous), %d orphans revoked, %d requests",
			seed, len(returned), failed, len(reported), orphansRevoked, len(e.s.Requests()))
		for _, tk := range e.s.AllTokens() {
			if !tk.ViaAPI || tk.Revoked {
				continue
			}
			if !returned[tk.ID] && !reported[tk.Name] {
				t.Fatalf("seed %d: token %s (%s) live but neither returned nor reported", seed, tk.ID, tk.Name)
			}
		}
		for id := range returned {
			if e.s.TokenState(id) != "live" {
				t.Fatalf("seed %d: returned token %s is %s", seed, id, e.s.TokenState(id))
			}
		}
		if e.s.TokenState(pre.ID) != "live" {
			t.Fatalf("seed %d: pre-existing token revoked", seed)
		}
	}
}
