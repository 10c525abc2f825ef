package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const adminSecret = "md_ADMINsecretADMINsecretADMINsecret42"

func newTestClient(t *testing.T, url string, mod ...func(*Config)) (*Client, *recLogger) {
	t.Helper()
	log := &recLogger{}
	cfg := Config{BaseURL: url, Token: adminSecret, MaxRetryWait: 5 * time.Millisecond, BaseBackoff: time.Millisecond, RequestTimeout: 2 * time.Second, Logger: log}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

func TestNew_Validation(t *testing.T) {
	for _, bad := range []string{"", "api.motherduck.com", "/v1", "ftp://x", "https://", "https://h/?q=1", "https://h/#f", "https://user:hunter2@h", "://bad"} {
		_, err := New(Config{BaseURL: bad, Token: "x"})
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error echoes credentials: %v", err)
		}
	}
	if _, err := New(Config{BaseURL: "https://h", Token: "a b"}); err == nil || strings.Contains(err.Error(), "a b") {
		t.Errorf("token with a space: %v", err)
	}
	for in, want := range map[string]string{
		"https://api.motherduck.com":      "https://api.motherduck.com",
		"https://api.motherduck.com/":     "https://api.motherduck.com",
		" https://h:8080/prefix/ ":        "https://h:8080/prefix",
		"http://127.0.0.1:1234/a%2Fb/c//": "http://127.0.0.1:1234/a%2Fb/c",
	} {
		c, err := New(Config{BaseURL: in})
		if err != nil || c.baseURL != want {
			t.Errorf("%q: %v %q", in, err, c.baseURL)
		}
	}
}

func TestHeadersAndPaths(t *testing.T) {
	var mu sync.Mutex
	var seen []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r)
		bodies = append(bodies, string(b))
		mu.Unlock()
		switch {
		case r.Method == "GET":
			_, _ = io.WriteString(w, `{"tokens":[]}`)
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/tokens"):
			_, _ = io.WriteString(w, `{"token":"md_mintedSECRETmintedSECRET0001","id":"11111111-1111-4111-8111-111111111111","name":"n","created_ts":"2026-01-01T00:00:00Z","expire_at":"2026-01-01T00:05:00Z","read_only":false,"token_type":"read_write"}`)
		default:
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL+"/", func(c *Config) { c.UserAgent = "ua-test/1" })
	ctx := ctxT(t)
	ct, err := c.CreateToken(ctx, "a/b?c#d%e", CreateTokenRequest{Name: "n", TTL: 300})
	if err != nil {
		t.Fatal(err)
	}
	if ct.ExpireAt == nil || ct.ExpireAt.Sub(ct.CreatedTS) != 5*time.Minute || ct.Description != nil {
		t.Fatalf("%+v", ct)
	}
	if err := c.DeleteToken(ctx, "a/b?c#d%e", "id/x"); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateServiceAccount(ctx, "svc"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, "svc"); err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{
		"GET /v1/users/a%2Fb%3Fc%23d%25e/tokens",
		"POST /v1/users/a%2Fb%3Fc%23d%25e/tokens",
		"DELETE /v1/users/a%2Fb%3Fc%23d%25e/tokens/id%2Fx",
		"POST /v1/users",
		"DELETE /v1/users/svc",
	}
	if len(seen) != len(wantPaths) {
		t.Fatalf("%d requests", len(seen))
	}
	for i, r := range seen {
		if got := r.Method + " " + r.URL.EscapedPath(); got != wantPaths[i] {
			t.Errorf("request %d: %s, want %s", i, got, wantPaths[i])
		}
		if r.URL.RawQuery != "" {
			t.Errorf("query sent: %q", r.URL.RawQuery)
		}
		if r.Header.Get("Authorization") != "Bearer "+adminSecret || r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") != "ua-test/1" {
			t.Errorf("headers %v", r.Header)
		}
		hasBody := r.Method == "POST"
		if (r.Header.Get("Content-Type") == "application/json") != hasBody {
			t.Errorf("%s: content-type %q", r.Method, r.Header.Get("Content-Type"))
		}
	}
	if bodies[1] != `{"name":"n","ttl":300}` || bodies[3] != `{"username":"svc"}` {
		t.Fatalf("bodies %q", bodies)
	}
}

func TestMintBodyOmitsEmptyFields(t *testing.T) {
	b, _ := json.Marshal(CreateTokenRequest{Name: "x"})
	if string(b) != `{"name":"x"}` {
		t.Fatal(string(b))
	}
	b, _ = json.Marshal(CreateTokenRequest{Name: "x", TTL: 600, TokenType: TokenTypeReadScaling, Description: "d"})
	if string(b) != `{"name":"x","ttl":600,"token_type":"read_scaling","description":"d"}` {
		t.Fatal(string(b))
	}
}

func TestErrorBodies(t *testing.T) {
	long := strings.Repeat("x", 1000)
	cases := []struct {
		status      int
		body        string
		code, msg   string
		issues      string
		notFound    bool
		maxMsgBytes int
	}{
		{400, `{"message":"Bad Request","code":"BAD_REQUEST","issues":[{"message":"Too long","path":["username"]},{"message":"other"}],"data":{"x":1}}`, "BAD_REQUEST", "Bad Request", "username: Too long; other", false, 0},
		{404, `{"message":"user not found","code":"NOT_FOUND","issues":[]}`, "NOT_FOUND", "user not found", "", true, 0},
		{404, "Not Found", "", "Not Found", "", false, 0},
		{404, `{"message":"nope","code":"OTHER"}`, "OTHER", "nope", "", false, 0},
		{403, "", "", "Forbidden", "", false, 0},
		{418, "line1\n\tline2\x00 " + long, "", "line1 line2", "", false, 210},
	}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		c, _ := newTestClient(t, srv.URL)
		err := c.DeleteToken(ctxT(t), "u", "t")
		srv.Close()
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%d: %T %v", tc.status, err, err)
		}
		if ae.StatusCode != tc.status || ae.Code != tc.code || !strings.HasPrefix(ae.Message, tc.msg) || ae.Operation != OpRevokeToken || ae.Method != "DELETE" || ae.Path != "/v1/users/u/tokens/t" {
			t.Errorf("%d: %#v", tc.status, ae)
		}
		if tc.maxMsgBytes > 0 && len(ae.Message) > tc.maxMsgBytes {
			t.Errorf("message not truncated: %d bytes", len(ae.Message))
		}
		if tc.issues != "" && !strings.Contains(err.Error(), tc.issues) {
			t.Errorf("issues missing from %q", err)
		}
		if IsNotFound(err) != tc.notFound {
			t.Errorf("%d %q: IsNotFound=%v", tc.status, tc.body, IsNotFound(err))
		}
	}
}

func TestInvalidSuccessBodies(t *testing.T) {
	for _, body := range []string{``, `not json`, `[]`, `{}`, `{"tokens":{}}`, `{"tokens":[{"name":"x"}]}`, `{"tokens":[{"id":"a","created_ts":"yesterday"}]}`, `{"tokens":[{"id":"a","created_ts":"2026-01-01T00:00:00Z","expire_at":true}]}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) }))
		c, _ := newTestClient(t, srv.URL)
		_, err := c.ListTokens(ctxT(t), "u")
		srv.Close()
		var ie *InvalidResponseError
		if !errors.As(err, &ie) {
			t.Errorf("%q: %v", body, err)
		}
	}
	// Timestamps in other shapes are accepted.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"tokens":[{"id":"a","created_ts":"2026-01-01T00:00:00.123456","expire_at":null,"read_only":true,"token_type":"read_scaling","description":null},{"id":"b","created_ts":1767225600,"expire_at":"2100-01-01 00:00:00+00:00","read_only":false,"token_type":"read_write","description":"d"}]}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	toks, err := c.ListTokens(ctxT(t), "u")
	if err != nil || len(toks) != 2 || toks[0].ExpireAt != nil || toks[0].Description != nil || toks[1].Description == nil || toks[1].CreatedTS.Year() != 2026 {
		t.Fatalf("%v %+v", err, toks)
	}
}

func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"tokens":[`+strings.Repeat(" ", 5<<20)+`]}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxAttempts = 1 })
	if _, err := c.ListTokens(ctxT(t), "u"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}
}

// fakeAPI is a minimal in-test API for mint edge cases the emulator cannot
// produce: unusable success bodies.
type fakeAPI struct {
	mu      sync.Mutex
	live    map[string]string // id -> name
	created map[string]string // id -> created_ts of the tokens it minted
	mintFn  func(w http.ResponseWriter, id string) bool
	hide    func(id string) bool // tokens the list leaves out (a lagging list)
	n       int
	lists   int
	revokes int
	mints   int
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method {
	case "GET":
		f.lists++
		var out []map[string]any
		for id, name := range f.live {
			if f.hide != nil && f.hide(id) {
				continue
			}
			ts, ok := f.created[id]
			if !ok {
				ts = "2026-01-01T00:00:00Z" // seeded before the test
			}
			out = append(out, map[string]any{"id": id, "name": name, "created_ts": ts, "read_only": false, "token_type": "read_write"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"tokens": out})
	case "POST":
		f.mints++
		f.n++
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", f.n)
		var req CreateTokenRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.live[id] = req.Name
		if f.created == nil {
			f.created = map[string]string{}
		}
		f.created[id] = time.Now().UTC().Format(time.RFC3339)
		if f.mintFn != nil && f.mintFn(w, id) {
			return
		}
		_, _ = fmt.Fprintf(w, `{"token":"md_mintedSECRETmintedSECRET%04d","id":%q,"name":%q,"created_ts":%q,"read_only":false,"token_type":"read_write"}`, f.n, id, req.Name, f.created[id])
	case "DELETE":
		f.revokes++
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if _, ok := f.live[id]; !ok {
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"message":"token not found","code":"NOT_FOUND"}`)
			return
		}
		delete(f.live, id)
		_, _ = io.WriteString(w, `{}`)
	}
}

func TestMintUnusableSuccessBodies(t *testing.T) {
	for name, write := range map[string]func(w http.ResponseWriter, id string){
		"not json": func(w http.ResponseWriter, id string) { _, _ = io.WriteString(w, `<html>`) },
		"missing token": func(w http.ResponseWriter, id string) {
			_, _ = fmt.Fprintf(w, `{"id":%q,"created_ts":"2026-01-01T00:00:00Z"}`, id)
		},
		"missing id": func(w http.ResponseWriter, id string) {
			_, _ = io.WriteString(w, `{"token":"md_mintedSECRETmintedSECRET9999"}`)
		},
		"truncated": func(w http.ResponseWriter, id string) { _, _ = io.WriteString(w, `{"token":"md_mintedSECRETmint`) },
		// An id that names no token: the committed token is found by the
		// list, not taken to be gone because revoking that id answers 404.
		"id not a token's, missing token": func(w http.ResponseWriter, id string) {
			_, _ = io.WriteString(w, `{"id":"not-a-uuid","created_ts":"2026-01-01T00:00:00Z"}`)
		},
		// An answer naming a token that existed before (here "pre"): that
		// token is kept, and the one the request minted is found and revoked.
		"a known token's id": func(w http.ResponseWriter, id string) {
			_, _ = io.WriteString(w, `{"token":"md_mintedSECRETmintedSECRET9999","id":"pre","name":"other","created_ts":"2026-01-01T00:00:00Z","read_only":false,"token_type":"read_write"}`)
		},
		// The same, in an answer that is otherwise right: still not new.
		"a known token's id in a good answer": func(w http.ResponseWriter, id string) {
			_, _ = io.WriteString(w, `{"token":"md_mintedSECRETmintedSECRET9999","id":"pre","name":"ci","created_ts":"2026-01-01T00:00:00Z","read_only":false,"token_type":"read_write"}`)
		},
		// Not the token asked for: it is revoked, not kept.
		"another name": func(w http.ResponseWriter, id string) {
			_, _ = fmt.Fprintf(w, `{"token":"md_mintedSECRETmintedSECRET9999","id":%q,"name":"other","created_ts":"2026-01-01T00:00:00Z","read_only":false,"token_type":"read_write"}`, id)
		},
		"another token_type": func(w http.ResponseWriter, id string) {
			_, _ = fmt.Fprintf(w, `{"token":"md_mintedSECRETmintedSECRET9999","id":%q,"name":"ci","created_ts":"2026-01-01T00:00:00Z","read_only":true,"token_type":"read_only_scaling"}`, id)
		},
		"path-like id, bad created_ts": func(w http.ResponseWriter, id string) {
			_, _ = io.WriteString(w, `{"token":"md_mintedSECRETmintedSECRET9999","id":"../../u","created_ts":"bad","read_only":false,"token_type":"read_write"}`)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeAPI{live: map[string]string{"pre": "ci"}}
			f.mintFn = func(w http.ResponseWriter, id string) bool { write(w, id); return true }
			srv := httptest.NewServer(f)
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL)
			ct, err := c.CreateToken(ctxT(t), "u", CreateTokenRequest{Name: "ci"})
			var ie *InvalidResponseError
			if ct != nil || !errors.As(err, &ie) {
				t.Fatalf("got %v %v", ct, err)
			}
			if strings.Contains(err.Error(), "md_minted") {
				t.Fatalf("secret in error: %v", err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.live) != 1 || f.live["pre"] != "ci" || f.mints != 1 {
				t.Fatalf("live %v mints %d", f.live, f.mints)
			}
		})
	}
}

// TestMintAnswerLeavingOutFields: an answer without name, token_type or
// description is no mismatch (a region may drop description; the contract's
// answer carries the others, but leaving one out says nothing against it).
func TestMintAnswerLeavingOutFields(t *testing.T) {
	f := &fakeAPI{live: map[string]string{}}
	f.mintFn = func(w http.ResponseWriter, id string) bool {
		_, _ = fmt.Fprintf(w, `{"token":"md_mintedSECRETmintedSECRET0001","id":%q,"created_ts":%q,"read_only":true}`, id, f.created[id])
		return true
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	ct, err := c.CreateToken(ctxT(t), "u", CreateTokenRequest{Name: "ro", TokenType: TokenTypeReadScaling, Description: "d"})
	if err != nil || ct == nil {
		t.Fatalf("an answer leaving out fields was refused: %v", err)
	}
	if ct.TokenType != TokenTypeReadScaling {
		t.Fatalf("token_type %q, want the one asked for", ct.TokenType)
	}
}

// TestMintHintNotYetListed: an unusable answer names the token the request
// minted, but the list does not show it yet, while another client's token of
// the same name was created meanwhile. The hinted token is revoked; the other
// client's is not touched.
func TestMintHintNotYetListed(t *testing.T) {
	f := &fakeAPI{live: map[string]string{}}
	var hidden string
	f.mintFn = func(w http.ResponseWriter, id string) bool {
		hidden = id
		f.live["other-client"] = "ci" // another workspace's mint of the same name
		f.created["other-client"] = f.created[id]
		_, _ = fmt.Fprintf(w, `{"id":%q,"name":"ci","created_ts":"2026-01-01T00:00:00Z"}`, id) // no secret
		return true
	}
	f.hide = func(id string) bool { return id == hidden }
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	if _, err := c.CreateToken(ctxT(t), "u", CreateTokenRequest{Name: "ci"}); err == nil {
		t.Fatal("an unusable answer was accepted")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.live[hidden]; ok || f.live["other-client"] != "ci" {
		t.Fatalf("live %v: want the hinted token revoked and the other client's kept", f.live)
	}
}

func TestMintDialErrorRetriedWithoutRecovery(t *testing.T) {
	f := &fakeAPI{live: map[string]string{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	var calls atomic.Int32
	base := baseTransport(t)
	hc := &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == "POST" && calls.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return base.RoundTrip(r)
	})}
	c, _ := newTestClient(t, srv.URL, func(c *Config) { c.HTTPClient = hc })
	ct, err := c.CreateToken(ctxT(t), "u", CreateTokenRequest{Name: "ci"})
	if err != nil || ct == nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mints != 1 || f.lists != 1 || len(f.live) != 1 {
		t.Fatalf("mints %d lists %d live %v", f.mints, f.lists, f.live)
	}
}

func TestMintConnectionRefusedEveryTime(t *testing.T) {
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c, _ := newTestClient(t, "http://"+addr, func(c *Config) { c.MaxAttempts = 3 })
	// Pretend the baseline is known so that the mint itself is exercised.
	c.users.get("u").ledger.recordBaseline(baselineTicket{eligible: true}, nil)
	_, err = c.CreateToken(ctxT(t), "u", CreateTokenRequest{Name: "ci"})
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 3 || errors.As(err, new(*AmbiguousMintError)) {
		t.Fatalf("got %#v", err)
	}
}

// TestLateCommitSettled: the server commits a mint after the client gave up
// on it and after its recovery looked ("not in the list yet" is no
// evidence): the mint is owed as an open intent, and settling it later
// revokes the late token.
func TestLateCommitSettled(t *testing.T) {
	s := emulator.New()
	var first atomic.Bool
	first.Store(true)
	release := make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	h := s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/tokens") && first.CompareAndSwap(true, false) {
			// A slow server that ignores the client's disconnect and commits
			// only once the client has moved on.
			<-release
			h.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer letGo() // before Close, which waits for the held handler
	s.AddServiceAccount("svc")
	log := &recLogger{}
	c, err := New(Config{BaseURL: srv.URL, Token: s.AdminToken(), RequestTimeout: 100 * time.Millisecond, BaseBackoff: time.Millisecond, MaxRetryWait: 5 * time.Millisecond, Logger: log, Now: s.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	ct, err := c.CreateToken(ctx, "svc", CreateTokenRequest{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	letGo()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.LiveTokens("svc")) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(s.LiveTokens("svc")) != 2 {
		t.Fatal("the late commit did not happen")
	}
	if len(ct.Owed.Intents) != 1 {
		t.Fatalf("the unanswered mint must be owed as an open intent, got %+v", ct.Owed)
	}
	// A list is only a read: it revokes nothing behind the caller's back.
	if toks, err := c.ListTokens(ctx, "svc"); err != nil || len(toks) != 2 {
		t.Fatalf("listed %v (%v), want both tokens", ids(toks), err)
	}
	// Settling the debt is the named step that finds and revokes it.
	left, err := c.SettleDebt(ctx, "svc", ct.Owed, true, ct.ID)
	if err != nil || !left.Empty() {
		t.Fatalf("SettleDebt left %+v (%v)", left, err)
	}
	live := s.LiveTokens("svc")
	if len(live) != 1 || live[0].ID != ct.ID {
		t.Fatalf("live %+v", live)
	}
}

func TestRetryAfterAndBackoff(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"0":                             0,
		"3":                             3 * time.Second,
		" 7 ":                           7 * time.Second,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
		"Wed, 31 Dec 2025 23:59:00 GMT": 0,
	} {
		got, ok := parseRetryAfter(in, now)
		if !ok || got != want {
			t.Errorf("%q: %v %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("%q accepted", in)
		}
	}
	c, _ := New(Config{BaseURL: "https://h", BaseBackoff: 10 * time.Millisecond, MaxRetryWait: 50 * time.Millisecond})
	for n := 1; n < 70; n++ {
		for range 20 {
			d := c.backoff(n)
			ceiling := min(10*time.Millisecond<<min(n-1, 10), 50*time.Millisecond)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v > %v", n, d, ceiling)
			}
		}
	}
	res := &attemptResult{header: http.Header{"Retry-After": {"120"}}}
	// Retry-After is honoured in full: MaxRetryWait caps the backoff only.
	if w, why := c.retryWait(res, 1); w != 2*time.Minute || !strings.Contains(why, "asked to wait 2m0s (Retry-After)") {
		t.Fatalf("Retry-After not honoured: %v (%s)", w, why)
	}
	// No wait asked for (0, or a date already past): the backoff, not a
	// retry at once.
	for _, ra := range []string{"0", "Wed, 21 Oct 2015 07:28:00 GMT"} {
		res := &attemptResult{header: http.Header{"Retry-After": {ra}}}
		if w, why := c.retryWait(res, 3); why != "exponential backoff" || w > 40*time.Millisecond {
			t.Fatalf("Retry-After %q: %v (%s), want the backoff", ra, w, why)
		}
	}
}

func TestFormatNeverPrintsSecrets(t *testing.T) {
	exp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ct := &CreatedToken{Token: Token{ID: "id-1", Name: "n", ExpireAt: &exp}, Secret: "md_mintedSECRETmintedSECRET0001"}
	cfg := Config{BaseURL: "https://h", Token: adminSecret}
	c, _ := New(cfg)
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10v", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, ct), fmt.Sprintf(verb, *ct), fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg), fmt.Sprintf(verb, c))
		outs = append(outs, fmt.Sprintf(verb, []any{ct, *ct, cfg}), fmt.Sprintf(verb, map[string]any{"a": ct}), fmt.Sprintf(verb, struct{ T CreatedToken }{*ct}))
	}
	outs = append(outs, ct.String(), ct.GoString(), cfg.String(), cfg.GoString(), c.String(), fmt.Sprint(ct), fmt.Sprintln(*ct))
	b, _ := json.Marshal(ct)
	outs = append(outs, string(b))
	for _, o := range outs {
		for _, s := range []string{"md_mintedSECRET", "ADMINsecret", fmt.Sprintf("%x", "md_minted"), fmt.Sprintf("%x", "md_ADMIN"), fmt.Sprintf("%X", "md_minted")} {
			if strings.Contains(o, s) {
				t.Fatalf("secret printed: %s", o)
			}
		}
	}
	if got := fmt.Sprintf("%+v", ct); !strings.Contains(got, "id-1") || !strings.Contains(got, redacted) {
		t.Fatalf("%%+v lost the fields: %s", got)
	}
	if got := fmt.Sprintf("%#v", *ct); !strings.HasPrefix(got, "client.CreatedToken{") {
		t.Fatalf("%%#v: %s", got)
	}
	var nilTok *CreatedToken
	_ = fmt.Sprintf("%v", nilTok) // must not panic
}

// TestCancelDuringBackoffPrompt: a deadline that the backoff would outlast
// ends the call at once, with the last answer (here a 503), rather than a
// wait toward a timeout.
func TestCancelDuringBackoffPrompt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(c *Config) {
		c.BaseBackoff, c.MaxRetryWait, c.MaxCallTime = time.Minute, time.Minute, time.Hour
	})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.DeleteToken(ctx, "u", "t")
	var ae *APIError
	if time.Since(start) > time.Second || !errors.As(err, &ae) || ae.StatusCode != 503 {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
}
