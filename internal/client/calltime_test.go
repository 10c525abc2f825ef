package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCallTime_Default: one call may take RequestTimeout per attempt, at
// most a minute in all unless one attempt needs more.
func TestCallTime_Default(t *testing.T) {
	for _, tc := range []struct {
		timeout  time.Duration
		attempts int
		want     time.Duration
	}{
		{0, 0, time.Minute},                     // 30s * 5, capped
		{time.Second, 3, 3 * time.Second},       // 1s * 3
		{10 * time.Second, 5, 50 * time.Second}, // 10s * 5
		{5 * time.Minute, 2, 5 * time.Minute},   // never less than one attempt
	} {
		c, err := New(Config{BaseURL: "https://h", RequestTimeout: tc.timeout, MaxAttempts: tc.attempts})
		if err != nil {
			t.Fatal(err)
		}
		if c.maxCallTime != tc.want {
			t.Errorf("RequestTimeout %v, MaxAttempts %d: call time %v, want %v", tc.timeout, tc.attempts, c.maxCallTime, tc.want)
		}
	}
}

// TestCallTime_FrozenAPI: an API that accepts requests and never answers
// is given up on when the call's time is spent, not after every attempt;
// the error says how many attempts were made over how long, and each wait
// and the decision to give up are logged at WARN.
func TestCallTime_FrozenAPI(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, log := newTestClient(t, srv.URL, func(c *Config) {
		c.RequestTimeout, c.MaxAttempts, c.MaxCallTime = 100*time.Millisecond, 20, 450*time.Millisecond
	})
	_, err := c.ListTokens(ctxT(t), "u")
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("want a per-attempt timeout, got %#v", err)
	}
	n := int(requests.Load())
	if n < 2 || n > 5 || te.Attempts != n {
		t.Fatalf("%d requests, error says %d attempts: want 2..5 within the call's time, not all 20", n, te.Attempts)
	}
	if !regexp.MustCompile(`request timed out.* \[after \d attempts over \d+ms\]$`).MatchString(err.Error()) {
		t.Fatalf("error does not say how long and how many attempts: %q", err)
	}
	if w := log.count("warn", "retrying"); w != n-1 {
		t.Fatalf("%d retry warnings for %d attempts", w, n)
	}
	if log.count("warn", "giving up: another attempt would not fit in its time limit") != 1 {
		t.Fatalf("giving up was not logged: %v", log.texts())
	}
}

// TestCallTime_LongRetryAfter: a Retry-After of an hour is honoured, never
// cut to MaxRetryWait (that would retry before the server allows it): it
// does not fit in the call's time, so the call fails at once, saying so at
// WARN with the server's wish, instead of waiting in silence.
func TestCallTime_LongRetryAfter(t *testing.T) {
	srv, requests := rateLimited(t, "3600")
	c, log := newTestClient(t, srv, func(c *Config) {
		c.RequestTimeout, c.MaxAttempts, c.MaxRetryWait = 2*time.Second, 5, 30*time.Second
	})
	_, err := c.ListTokens(ctxT(t), "u")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests || ae.Attempts != 1 {
		t.Fatalf("want the 429 after one attempt, got %#v", err)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d requests", n)
	}
	var gaveUp *logEvent
	for _, e := range log.all() {
		if e.level == "warn" && strings.Contains(e.msg, "giving up") {
			gaveUp = &e
		}
	}
	if gaveUp == nil {
		t.Fatalf("no WARN about giving up: %v", log.texts())
	}
	why, _ := gaveUp.fields["wait_reason"].(string)
	if !strings.Contains(why, "asked to wait 1h0m0s (Retry-After)") || gaveUp.fields["wait_ms"] != int64(3600000) {
		t.Fatalf("the WARN does not say which wait was asked and allowed: %v", gaveUp.fields)
	}
}

// TestCallTime_WaitBeyondTheCallersDeadline: a Retry-After that would run
// past the caller's deadline (the resource's timeouts) ends the call at once
// with the answer that asked for it, not later with a timeout that hides it.
// (A list runs detached from its callers, shared between them: it keeps its
// own time limit.)
func TestCallTime_WaitBeyondTheCallersDeadline(t *testing.T) {
	srv, _ := rateLimited(t, "20")
	c, log := newTestClient(t, srv, func(c *Config) {
		c.RequestTimeout, c.MaxAttempts, c.MaxRetryWait = 30*time.Second, 5, 30*time.Second
	})
	ctx, cancel := context.WithTimeout(ctxT(t), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := c.DeleteToken(ctx, "u", "00000000-0000-4000-8000-000000000001")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("want the 429, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v: waited toward a deadline the retry could not meet", d)
	}
	if !strings.Contains(strings.Join(log.texts(), "\n"), "operation's time limit") {
		t.Fatalf("no WARN about the operation's time limit: %v", log.texts())
	}
}

// TestCallTime_CutShortSaysWhy: a retry not made because its wait would not
// fit says which wait, whose limit and how much time was left, and still
// unwraps to the API's answer.
func TestCallTime_CutShortSaysWhy(t *testing.T) {
	srv, _ := rateLimited(t, "20")
	c, _ := newTestClient(t, srv, func(c *Config) {
		c.RequestTimeout, c.MaxAttempts, c.MaxRetryWait = 30*time.Second, 5, 30*time.Second
	})
	ctx, cancel := context.WithTimeout(ctxT(t), 5*time.Second)
	defer cancel()
	err := c.DeleteToken(ctx, "u", "00000000-0000-4000-8000-000000000001")
	var cut *RetryCutShortError
	if !errors.As(err, &cut) || !IsRateLimited(err) {
		t.Fatalf("want a rate-limited answer cut short, got %#v", err)
	}
	if cut.RetryAfter != 20*time.Second || !cut.CallerDeadline || cut.Left <= 0 || cut.Left > 5*time.Second {
		t.Fatalf("cut short: %+v", cut)
	}
	if !regexp.MustCompile(`^revoke token: HTTP 429 TOO_MANY_REQUESTS: slow down; not retried: the server asked to wait 20s \(Retry-After\), ` +
		`and the operation's time limit has [0-9.]+s left$`).MatchString(err.Error()) {
		t.Fatalf("error text: %q", err)
	}
}

// rateLimited is a server that answers every request 429 with Retry-After
// set to retryAfter; it returns its URL and a count of the requests.
func rateLimited(t *testing.T, retryAfter string) (string, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"message":"slow down","code":"TOO_MANY_REQUESTS"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &requests
}
