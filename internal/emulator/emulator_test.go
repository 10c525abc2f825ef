package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

var (
	uuidRE   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	secretRE = regexp.MustCompile(`^md_[0-9A-Za-z]{40}$`)
)

// client never reuses connections, so that a dropped connection is never
// silently retried by net/http on a fresh one.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, r.body)
	}
	return m
}

type call struct {
	method, path, token string
	body                any    // marshalled to JSON unless raw is set
	raw                 string // raw body
	contentType         string // default application/json when there is a body
	noContentType       bool
	userAgent           string
	ctx                 context.Context
}

func do(t *testing.T, base string, c call) result {
	t.Helper()
	var rd io.Reader
	hasBody := false
	switch {
	case c.raw != "":
		rd, hasBody = strings.NewReader(c.raw), true
	case c.body != nil:
		b, err := json.Marshal(c.body)
		if err != nil {
			t.Fatal(err)
		}
		rd, hasBody = bytes.NewReader(b), true
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if hasBody && !c.noContentType {
		ct := c.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

func start(t *testing.T) (*emulator.Server, string) {
	t.Helper()
	s := emulator.New()
	u := s.Start()
	t.Cleanup(s.Close)
	return s, u
}

// ciTokens is the token collection of svc_ci.
const ciTokens = "/v1/users/svc_ci/tokens"

// startWithCI starts an emulator with the service account svc_ci; it
// returns the server, its URL and the admin token.
func startWithCI(t *testing.T) (*emulator.Server, string, string) {
	t.Helper()
	s, u := start(t)
	s.AddServiceAccount("svc_ci")
	return s, u, s.AdminToken()
}

// wantError checks status, a JSON content type and the contract's error shape.
func wantError(t *testing.T, r result, status int, code string) map[string]any {
	t.Helper()
	if r.err != nil {
		t.Fatalf("request failed: %v", r.err)
	}
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	m := r.json(t)
	if m["code"] != code {
		t.Fatalf("code = %v, want %s; body %s", m["code"], code, r.body)
	}
	if msg, _ := m["message"].(string); msg == "" {
		t.Fatalf("message missing: %s", r.body)
	}
	issues, ok := m["issues"].([]any)
	if !ok {
		t.Fatalf("issues is not an array: %s", r.body)
	}
	for _, it := range issues {
		im, ok := it.(map[string]any)
		if !ok {
			t.Fatalf("issue is not an object: %s", r.body)
		}
		if s, _ := im["message"].(string); s == "" {
			t.Fatalf("issue without message: %s", r.body)
		}
	}
	return m
}

// issuePaths returns the first path element of every issue.
func issuePaths(m map[string]any) []string {
	var out []string
	issues, _ := m["issues"].([]any)
	for _, it := range issues {
		im, _ := it.(map[string]any)
		p, _ := im["path"].([]any)
		if len(p) > 0 {
			out = append(out, fmt.Sprint(p[0]))
		} else {
			out = append(out, "")
		}
	}
	return out
}

func wantPlainNotFound(t *testing.T, r result) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("request failed: %v", r.err)
	}
	if r.status != http.StatusNotFound {
		t.Fatalf("status = %d, want 404; body %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q, want text/plain", ct)
	}
	if string(r.body) != "Not Found" {
		t.Fatalf("body = %q, want Not Found", r.body)
	}
}

func mint(t *testing.T, base, token, user string, body map[string]any) map[string]any {
	t.Helper()
	r := do(t, base, call{method: "POST", path: "/v1/users/" + user + "/tokens", token: token, body: body})
	if r.err != nil || r.status != 200 {
		t.Fatalf("mint: status %d err %v body %s", r.status, r.err, r.body)
	}
	return r.json(t)
}

func list(t *testing.T, base, token, user string) []map[string]any {
	t.Helper()
	r := do(t, base, call{method: "GET", path: "/v1/users/" + user + "/tokens", token: token})
	if r.err != nil || r.status != 200 {
		t.Fatalf("list: status %d err %v body %s", r.status, r.err, r.body)
	}
	var out struct {
		Tokens []map[string]any `json:"tokens"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Tokens == nil {
		t.Fatalf("list without tokens array: %s", r.body)
	}
	return out.Tokens
}

func ids(list []map[string]any) []string {
	var out []string
	for _, m := range list {
		out = append(out, fmt.Sprint(m["id"]))
	}
	return out
}

func TestAuth(t *testing.T) {
	s, u := start(t)
	s.AddHumanUser("bob", false)
	s.AddServiceAccount("svc_ci")
	admin := s.AdminToken()
	path := "/v1/users/svc_ci/tokens"

	for name, hdr := range map[string]string{
		"missing":      "",
		"basic":        "Basic " + admin,
		"empty bearer": "Bearer ",
		"unknown":      "Bearer md_nope",
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", u+path, nil)
			if hdr != "" {
				req.Header.Set("Authorization", hdr)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			m := wantError(t, result{status: resp.StatusCode, header: resp.Header, body: b}, 401, "UNAUTHORIZED")
			if m["message"] != "Invalid Credentials" {
				t.Fatalf("message = %v", m["message"])
			}
		})
	}

	// Lower-case scheme is accepted.
	req, _ := http.NewRequest("GET", u+path, nil)
	req.Header.Set("Authorization", "bearer "+admin)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("lower-case bearer: %d", resp.StatusCode)
	}

	// Non-admin credentials get 403 on every admin call.
	member := s.UserTokenSecret("bob")
	svc := s.UserTokenSecret("svc_ci")
	scaling := s.MintToken("admin", "scaling", 0, emulator.TokenTypeReadScaling).Secret
	for name, tok := range map[string]string{"member": member, "service account": svc, "read_scaling admin": scaling} {
		t.Run(name, func(t *testing.T) {
			for _, c := range []call{
				{method: "GET", path: path},
				{method: "POST", path: path, body: map[string]any{"name": "x"}},
				{method: "DELETE", path: path + "/00000000-0000-4000-8000-000000000000"},
				{method: "POST", path: "/v1/users", body: map[string]any{"username": "svc_new"}},
				{method: "DELETE", path: "/v1/users/svc_ci"},
			} {
				c.token = tok
				m := wantError(t, do(t, u, c), 403, "FORBIDDEN")
				if m["message"] != "minimum role is organization admin" {
					t.Fatalf("message = %v", m["message"])
				}
			}
		})
	}
	if !s.UserExists("svc_ci") || s.UserExists("svc_new") {
		t.Fatal("a forbidden call changed state")
	}

	// A read_write token minted through the API for the admin is an admin credential.
	minted := mint(t, u, admin, "admin", map[string]any{"name": "second"})
	second := minted["token"].(string)
	list(t, u, second, "svc_ci")
	// A read_scaling token minted through the API is not.
	ro := mint(t, u, admin, "admin", map[string]any{"name": "ro", "token_type": "read_scaling"})
	wantError(t, do(t, u, call{method: "GET", path: path, token: ro["token"].(string)}), 403, "FORBIDDEN")

	// Revoked -> 401.
	r := do(t, u, call{method: "DELETE", path: "/v1/users/admin/tokens/" + minted["id"].(string), token: admin})
	if r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantError(t, do(t, u, call{method: "GET", path: path, token: second}), 401, "UNAUTHORIZED")

	// Expired -> 401.
	short := s.MintToken("admin", "short", 300*time.Second, "")
	list(t, u, short.Secret, "svc_ci")
	s.Advance(300 * time.Second)
	wantError(t, do(t, u, call{method: "GET", path: path, token: short.Secret}), 401, "UNAUTHORIZED")

	// The admin's seeded token still works; a deleted user's token does not.
	list(t, u, admin, "svc_ci")
	s.AddHumanUser("carol", true)
	carol := s.UserTokenSecret("carol")
	list(t, u, carol, "svc_ci")
	s.DeleteUser("carol")
	wantError(t, do(t, u, call{method: "GET", path: path, token: carol}), 401, "UNAUTHORIZED")
}

func TestMintAndList(t *testing.T) {
	s, u, admin := startWithCI(t)
	now := s.Now()
	if now.Nanosecond() != 0 || now.Location() != time.UTC {
		t.Fatalf("clock not UTC seconds: %v", now)
	}

	m := mint(t, u, admin, "svc_ci", map[string]any{"name": "ci", "ttl": 3600})
	tok, _ := m["token"].(string)
	id, _ := m["id"].(string)
	if !secretRE.MatchString(tok) {
		t.Fatalf("secret %q", tok)
	}
	if !uuidRE.MatchString(id) {
		t.Fatalf("id %q is not a UUIDv4", id)
	}
	if m["name"] != "ci" || m["read_only"] != false || m["token_type"] != "read_write" {
		t.Fatalf("mint answer %v", m)
	}
	if m["created_ts"] != now.Format(time.RFC3339) {
		t.Fatalf("created_ts = %v, want %s", m["created_ts"], now.Format(time.RFC3339))
	}
	if m["expire_at"] != now.Add(time.Hour).Format(time.RFC3339) {
		t.Fatalf("expire_at = %v", m["expire_at"])
	}
	if _, ok := m["description"]; ok {
		t.Fatal("description returned without one")
	}

	s.Advance(time.Second)
	m2 := mint(t, u, admin, "svc_ci", map[string]any{"name": "scaler", "token_type": "read_scaling"})
	if m2["read_only"] != true || m2["token_type"] != "read_scaling" {
		t.Fatalf("read_scaling answer %v", m2)
	}
	if _, ok := m2["expire_at"]; ok {
		t.Fatalf("expire_at present without ttl: %v", m2)
	}

	got := list(t, u, admin, "svc_ci")
	if want := []string{m2["id"].(string), id}; !slices.Equal(ids(got), want) { // never in creation order
		t.Fatalf("list ids %v, want %v", ids(got), want)
	}
	for _, e := range got {
		if _, ok := e["token"]; ok {
			t.Fatalf("list holds a secret: %v", e)
		}
		for _, k := range []string{"id", "name", "created_ts", "read_only", "token_type"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("list entry without %s: %v", k, e)
			}
		}
	}
	if got[1]["expire_at"] != m["expire_at"] || got[1]["created_ts"] != m["created_ts"] {
		t.Fatalf("list entry %v differs from mint answer %v", got[1], m)
	}
	r := do(t, u, call{method: "GET", path: "/v1/users/svc_ci/tokens?cursor=abc", token: admin})
	if r.status != 200 || strings.Contains(string(r.body), tok) {
		t.Fatalf("list with cursor: %d %s", r.status, r.body)
	}

	// The admin lists its own tokens: the seeded bootstrap token is there.
	own := list(t, u, admin, "admin")
	if len(own) != 1 || own[0]["name"] != "emulator-admin" {
		t.Fatalf("admin's tokens %v", own)
	}
	// Admin may mint for itself.
	mint(t, u, admin, "admin", map[string]any{"name": "mine"})

	// A service account without tokens lists [] (not null).
	s.AddServiceAccount("svc_empty")
	r = do(t, u, call{method: "GET", path: "/v1/users/svc_empty/tokens", token: admin})
	if strings.TrimSpace(string(r.body)) != `{"tokens":[]}` {
		t.Fatalf("empty list body %s", r.body)
	}

	// State as seen by tests.
	tk, ok := s.Token(id)
	if !ok || tk.Secret != tok || tk.Username != "svc_ci" || !tk.ViaAPI || tk.ExpireAt == nil || tk.Revoked {
		t.Fatalf("Token(%s) = %+v", id, tk)
	}
	if n := len(s.LiveTokens("svc_ci")); n != 2 {
		t.Fatalf("LiveTokens = %d", n)
	}
	// Same name twice is allowed: tokens are distinct.
	a := mint(t, u, admin, "svc_ci", map[string]any{"name": "dup"})
	b := mint(t, u, admin, "svc_ci", map[string]any{"name": "dup"})
	if a["id"] == b["id"] || a["token"] == b["token"] {
		t.Fatal("duplicate ids or secrets")
	}
}

// TestListOrder: the list call answers every live token, never in creation
// order (once there are two), and in the same order on every call.
func TestListOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tokens int
		step   time.Duration // clock move between mints
	}{
		{"two in one second", 2, 0},
		{"two seconds apart", 2, time.Second},
		{"three in one second", 3, 0},
		{"five a minute apart", 5, time.Minute},
		{"twelve in one second", 12, 0},
		{"forty", 40, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, u, admin := startWithCI(t)
			var created []string
			for i := 0; i < tc.tokens; i++ {
				created = append(created, mint(t, u, admin, "svc_ci", map[string]any{"name": fmt.Sprint("t", i)})["id"].(string))
				s.Advance(tc.step)
			}
			var live []string
			for _, tk := range s.LiveTokens("svc_ci") {
				live = append(live, tk.ID)
			}
			if !slices.Equal(live, created) {
				t.Fatalf("LiveTokens %v not in creation order %v", live, created)
			}
			got := ids(list(t, u, admin, "svc_ci"))
			if slices.Equal(got, created) {
				t.Fatalf("list answered in creation order: %v", got)
			}
			if !sameSet(got, created) {
				t.Fatalf("list %v, want the tokens %v", got, created)
			}
			if again := ids(list(t, u, admin, "svc_ci")); !slices.Equal(again, got) {
				t.Fatalf("second list %v differs from the first %v", again, got)
			}
		})
	}

	// A token minted with the clock moved back is created first; an
	// out-of-band token is listed too; a revoked one is not, and what remains
	// is still not in creation order.
	s, u, admin := startWithCI(t)
	var created []string
	for i := 0; i < 4; i++ {
		created = append(created, s.MintToken("svc_ci", fmt.Sprint("t", i), 0, "").ID)
	}
	s.Advance(-time.Hour)
	created = append([]string{s.MintToken("svc_ci", "early", 0, "").ID}, created...)
	if live := s.LiveTokens("svc_ci"); live[0].ID != created[0] {
		t.Fatal("LiveTokens not sorted by CreatedAt")
	}
	for len(created) > 1 {
		got := ids(list(t, u, admin, "svc_ci"))
		if slices.Equal(got, created) || !sameSet(got, created) {
			t.Fatalf("list %v, created %v", got, created)
		}
		s.RevokeToken("svc_ci", got[len(got)-1])
		created = slices.DeleteFunc(created, func(id string) bool { return id == got[len(got)-1] })
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// page is one answer of the token list, with its cursor as received.
type page struct {
	ids     []string
	next    any  // next_page_token as decoded: nil, or a string
	hasNext bool // the key is present
}

func listPage(t *testing.T, base, token, user, pageToken string) page {
	t.Helper()
	path := "/v1/users/" + user + "/tokens"
	if pageToken != "" {
		path += "?page_token=" + url.QueryEscape(pageToken)
	}
	r := do(t, base, call{method: "GET", path: path, token: token})
	if r.err != nil || r.status != 200 {
		t.Fatalf("list %s: status %d err %v body %s", path, r.status, r.err, r.body)
	}
	var out struct {
		Tokens []map[string]any `json:"tokens"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Tokens == nil {
		t.Fatalf("list body %s: %v", r.body, err)
	}
	m := r.json(t)
	next, has := m["next_page_token"]
	return page{ids: ids(out.Tokens), next: next, hasNext: has}
}

// TestListPaging: with a page size, the list pages with next_page_token and
// page_token and every token is listed exactly once, in the unpaged order;
// without one, it answers one page with no cursor, as the live API does.
func TestListPaging(t *testing.T) {
	for _, tc := range []struct {
		name             string
		tokens, pageSize int
		pages            int
	}{
		{"no page size", 5, 0, 1},
		{"no tokens", 0, 2, 1},
		{"one token a page", 5, 1, 5},
		{"two a page", 5, 2, 3},
		{"exact pages", 6, 3, 2},
		{"page larger than the list", 5, 10, 1},
		{"page size equal to the list", 5, 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, u, admin := startWithCI(t)
			for i := 0; i < tc.tokens; i++ {
				s.MintToken("svc_ci", fmt.Sprint("t", i), 0, "")
			}
			unpaged := ids(list(t, u, admin, "svc_ci"))
			s.SetTokenListPageSize(tc.pageSize)
			s.ResetRequests()

			var got []string
			cursor, pages := "", 0
			for {
				p := listPage(t, u, admin, "svc_ci", cursor)
				pages++
				got = append(got, p.ids...)
				if tc.pageSize == 0 {
					if p.hasNext {
						t.Fatalf("next_page_token without a page size: %v", p.next)
					}
					break
				}
				if !p.hasNext {
					t.Fatal("a paged answer without next_page_token")
				}
				if len(p.ids) > tc.pageSize {
					t.Fatalf("page of %d tokens, page size %d", len(p.ids), tc.pageSize)
				}
				if p.next == nil {
					break
				}
				next, ok := p.next.(string)
				if !ok || next == "" || next == cursor {
					t.Fatalf("next_page_token %#v after %q", p.next, cursor)
				}
				cursor = next
				if pages > tc.tokens+1 {
					t.Fatal("the cursors never end")
				}
			}
			if pages != tc.pages {
				t.Fatalf("%d pages, want %d", pages, tc.pages)
			}
			if !slices.Equal(got, unpaged) || len(got) != tc.tokens {
				t.Fatalf("pages listed %v, the unpaged list is %v", got, unpaged)
			}
			reqs := s.Requests()
			if len(reqs) != pages || reqs[0].PageToken != "" || (pages > 1 && reqs[pages-1].PageToken != cursor) {
				t.Fatalf("requests %+v", reqs)
			}
		})
	}

	s, u, admin := startWithCI(t)
	for i := 0; i < 3; i++ {
		s.MintToken("svc_ci", fmt.Sprint("t", i), 0, "")
	}

	// Without a page size, page_token is ignored (as the live API ignores cursor).
	if p := listPage(t, u, admin, "svc_ci", "garbage"); len(p.ids) != 3 || p.hasNext {
		t.Fatalf("page_token without a page size: %+v", p)
	}

	s.SetTokenListPageSize(2)
	first := listPage(t, u, admin, "svc_ci", "")
	second := listPage(t, u, admin, "svc_ci", first.next.(string))
	for name, tok := range map[string]string{
		"not base64":      "not a cursor!",
		"another prefix":  base64.RawURLEncoding.EncodeToString([]byte("page:1")),
		"negative offset": base64.RawURLEncoding.EncodeToString([]byte("emulator-page:-1")),
		"signed offset":   base64.RawURLEncoding.EncodeToString([]byte("emulator-page:+1")),
		"no offset":       base64.RawURLEncoding.EncodeToString([]byte("emulator-page:")),
	} {
		t.Run(name, func(t *testing.T) {
			r := do(t, u, call{method: "GET", path: "/v1/users/svc_ci/tokens?page_token=" + url.QueryEscape(tok), token: admin})
			if p := issuePaths(wantError(t, r, 400, "BAD_REQUEST")); len(p) != 1 || p[0] != "page_token" {
				t.Fatalf("issues %v", p)
			}
		})
	}
	// A cursor past the end (the list shrank between pages): an empty last page.
	s.RevokeToken("svc_ci", first.ids[0])
	s.RevokeToken("svc_ci", first.ids[1])
	if p := listPage(t, u, admin, "svc_ci", first.next.(string)); len(p.ids) != 0 || !p.hasNext || p.next != nil {
		t.Fatalf("page past the end: %+v", p)
	}
	if len(second.ids) != 1 || second.next != nil {
		t.Fatalf("second page %+v", second)
	}
}

// TestFaultRepeatCursor: the repeat_cursor fault hands a client the same
// cursor twice, with or without a page size; LaterPages confines a fault to
// the pages after the first.
func TestFaultRepeatCursor(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pageSize int
		fault    emulator.Fault
		// repeatedOn is the page whose next_page_token was already handed out;
		// received: that cursor is the page_token the page was asked with (else
		// it is the first page's own cursor, so that page came twice).
		repeatedOn int
		received   bool
	}{
		{"every list, paged", 1, emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultRepeatCursor}, 2, false},
		{"every list, no page size", 0, emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultRepeatCursor}, 2, false},
		{"later pages once", 1, emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultRepeatCursor, LaterPages: true, Times: 1}, 2, true},
		{"later pages of three", 2, emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultRepeatCursor, LaterPages: true}, 2, true},
		{"any op: lists only", 2, emulator.Fault{Kind: emulator.FaultRepeatCursor, Times: 2}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, u, admin := startWithCI(t)
			for i := 0; i < 5; i++ {
				s.MintToken("svc_ci", fmt.Sprint("t", i), 0, "")
			}
			s.SetTokenListPageSize(tc.pageSize)
			s.InjectFault(tc.fault)
			// A mint is not disturbed by a cursor fault, and does not use it up.
			mint(t, u, admin, "svc_ci", map[string]any{"name": "m"})

			seen := map[string]bool{}
			var pages []page
			cursor := ""
			for {
				p := listPage(t, u, admin, "svc_ci", cursor)
				pages = append(pages, p)
				next, _ := p.next.(string)
				if next == "" {
					t.Fatalf("page %d: no cursor repeated before the end (%+v)", len(pages), p)
				}
				if seen[next] {
					break
				}
				seen[next] = true
				cursor = next
			}
			if len(pages) != tc.repeatedOn {
				t.Fatalf("a cursor repeated on page %d, want %d", len(pages), tc.repeatedOn)
			}
			last := pages[len(pages)-1]
			if tc.received && last.next != cursor {
				t.Fatalf("next_page_token %v, want the page_token received %q", last.next, cursor)
			}
			if !tc.received && !slices.Equal(pages[1].ids, pages[0].ids) {
				t.Fatalf("the first page's cursor led to %v, not the first page %v", pages[1].ids, pages[0].ids)
			}
		})
	}

	// The fault changes only the cursor: the tokens of the page are as without it.
	s, u := start(t)
	s.AddServiceAccount("svc_ci")
	for i := 0; i < 3; i++ {
		s.MintToken("svc_ci", fmt.Sprint("t", i), 0, "")
	}
	s.SetTokenListPageSize(2)
	clean := listPage(t, u, s.AdminToken(), "svc_ci", "")
	s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultRepeatCursor, Times: 1})
	faulty := listPage(t, u, s.AdminToken(), "svc_ci", "")
	if !slices.Equal(clean.ids, faulty.ids) || faulty.next == clean.next {
		t.Fatalf("clean %+v, faulty %+v", clean, faulty)
	}
	if r := s.Requests(); r[1].Fault != string(emulator.FaultRepeatCursor) || r[0].Fault != "" {
		t.Fatalf("requests %+v", r)
	}
	// A status fault confined to later pages: the first page reads, the second fails.
	s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500, LaterPages: true})
	p := listPage(t, u, s.AdminToken(), "svc_ci", "")
	r := do(t, u, call{method: "GET", path: "/v1/users/svc_ci/tokens?page_token=" + url.QueryEscape(p.next.(string)), token: s.AdminToken()})
	wantError(t, r, 500, "INTERNAL_SERVER_ERROR")
}

func TestExpiry(t *testing.T) {
	s, u, admin := startWithCI(t)
	m := mint(t, u, admin, "svc_ci", map[string]any{"name": "short", "ttl": 300})
	id := m["id"].(string)
	s.Advance(299 * time.Second)
	if len(list(t, u, admin, "svc_ci")) != 1 {
		t.Fatal("token gone before expiry")
	}
	s.Advance(time.Second)
	if l := list(t, u, admin, "svc_ci"); len(l) != 0 {
		t.Fatalf("expired token still listed: %v", l)
	}
	if len(s.LiveTokens("svc_ci")) != 0 || s.TokenState(id) != "expired" {
		t.Fatal("expired token still live")
	}
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/" + id, token: admin}), 404, "NOT_FOUND")
	if all := s.AllTokens(); len(all) != 2 { // bootstrap + the expired one
		t.Fatalf("AllTokens = %d", len(all))
	}

	// SetNow moves the clock absolutely.
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.SetNow(at)
	m = mint(t, u, admin, "svc_ci", map[string]any{"name": "max", "ttl": 31536000})
	if m["created_ts"] != "2030-01-02T03:04:05Z" || m["expire_at"] != "2031-01-02T03:04:05Z" {
		t.Fatalf("timestamps %v %v", m["created_ts"], m["expire_at"])
	}
}

// The Date header of every /v1 answer is the emulator's clock, the one that
// stamps created_ts, as a real server's Date is its own clock; a client can
// learn the server's time from it.
func TestDateHeaderIsTheEmulatorsClock(t *testing.T) {
	s, u, admin := startWithCI(t)
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	s.SetNow(at)
	for _, c := range []call{
		{method: "GET", path: ciTokens, token: admin},
		{method: "GET", path: ciTokens, token: "wrong"},
		{method: "POST", path: ciTokens, token: admin, body: map[string]any{"name": "d"}},
	} {
		r := do(t, u, c)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got := r.header.Get("Date"); got != at.Format(http.TimeFormat) {
			t.Errorf("%s %s (status %d): Date %q, want %q", c.method, c.path, r.status, got, at.Format(http.TimeFormat))
		}
	}
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Times: 1})
	s.Advance(-48 * time.Hour)
	r := do(t, u, call{method: "GET", path: ciTokens, token: admin})
	if want := at.Add(-48 * time.Hour).Format(http.TimeFormat); r.status != 503 || r.header.Get("Date") != want {
		t.Errorf("injected 503: status %d, Date %q, want %q", r.status, r.header.Get("Date"), want)
	}
}

func TestRevoke(t *testing.T) {
	s, u := start(t)
	s.AddServiceAccount("svc_ci")
	s.AddServiceAccount("svc_other")
	admin := s.AdminToken()
	m := mint(t, u, admin, "svc_ci", map[string]any{"name": "x"})
	id := m["id"].(string)

	// Wrong owner -> 404, token untouched.
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_other/tokens/" + id, token: admin}), 404, "NOT_FOUND")
	r := do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/" + id, token: admin})
	if r.err != nil || r.status != 200 || strings.TrimSpace(string(r.body)) != "{}" {
		t.Fatalf("revoke: %d %v %s", r.status, r.err, r.body)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatal("revoke answer not JSON")
	}
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/" + id, token: admin}), 404, "NOT_FOUND")
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/not-a-uuid", token: admin}), 404, "NOT_FOUND")
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/nobody/tokens/" + id, token: admin}), 404, "NOT_FOUND")
	if len(list(t, u, admin, "svc_ci")) != 0 {
		t.Fatal("revoked token listed")
	}
	tk, _ := s.Token(id)
	if !tk.Revoked || !tk.RevokedAt.Equal(s.Now()) || s.TokenState(id) != "revoked" {
		t.Fatalf("token after revoke: %+v", tk)
	}

	// Out-of-band revocation.
	o := s.MintToken("svc_ci", "oob", 0, "")
	if !s.RevokeToken("svc_ci", o.ID) || s.RevokeToken("svc_ci", o.ID) {
		t.Fatal("RevokeToken")
	}
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/" + o.ID, token: admin}), 404, "NOT_FOUND")
}

func TestUsers(t *testing.T) {
	s, u := start(t)
	admin := s.AdminToken()
	s.AddHumanUser("bob", true)

	// Created through the API: 200 {"username"}, always a service account
	// (other fields, such as a role, are ignored).
	for _, name := range []string{"svc_new1", "abc", "A1_", "Z__9", "a" + strings.Repeat("b", emulator.MaxUsernameLength-1)} {
		t.Run("create "+name[:min(len(name), 12)], func(t *testing.T) {
			r := do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"username": name, "role": "admin"}})
			if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"username":"`+name+`"}` {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Fatal("create answer not JSON")
			}
			if !s.IsServiceAccount(name) {
				t.Fatal("not created as a service account")
			}
		})
	}

	for name, body := range map[string]any{
		"duplicate":              map[string]any{"username": "svc_new1"},
		"duplicate human":        map[string]any{"username": "bob"},
		"duplicate admin":        map[string]any{"username": emulator.DefaultAdminUsername},
		"too short":              map[string]any{"username": "ab"},
		"empty":                  map[string]any{"username": ""},
		"too long":               map[string]any{"username": "a" + strings.Repeat("b", emulator.MaxUsernameLength)},
		"digit first":            map[string]any{"username": "1abc"},
		"underscore first":       map[string]any{"username": "_abc"},
		"non-ASCII letter first": map[string]any{"username": "Élan_2"},
		"non-ASCII letter after": map[string]any{"username": "equipé_1"},
		"non-ASCII digit":        map[string]any{"username": "svc_١٢٣"},
		"hyphen":                 map[string]any{"username": "svc-ci"},
		"space":                  map[string]any{"username": "svc ci"},
		"slash":                  map[string]any{"username": "svc/ci"},
		"missing":                map[string]any{"name": "svc_ci"},
		"number":                 map[string]any{"username": 12345},
		"null":                   map[string]any{"username": nil},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(s.Requests())
			m := wantError(t, do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: body}), 400, "BAD_REQUEST")
			if p := issuePaths(m); len(p) != 1 || p[0] != "username" {
				t.Fatalf("issues %v", m["issues"])
			}
			if m["message"] != "Bad Request" {
				t.Fatalf("message %v", m["message"])
			}
			if n, _ := body.(map[string]any)["username"].(string); n != "" && !strings.HasPrefix(name, "duplicate") && s.UserExists(n) {
				t.Fatalf("refused name %q exists", n)
			}
			if len(s.Requests()) != before+1 {
				t.Fatal("request not recorded")
			}
		})
	}
	if !s.IsServiceAccount("svc_new1") || s.IsServiceAccount("bob") || s.IsServiceAccount(emulator.DefaultAdminUsername) {
		t.Fatal("a refused duplicate changed the existing user")
	}
	wantError(t, do(t, u, call{method: "POST", path: "/v1/users", token: admin, raw: "[1]"}), 400, "BAD_REQUEST")
	wantError(t, do(t, u, call{method: "POST", path: "/v1/users", token: admin, raw: `{"username":"svc_ok"}`, contentType: "text/plain"}), 400, "BAD_REQUEST")
	if s.UserExists("svc_ok") {
		t.Fatal("created with wrong content type")
	}
	if emulator.ValidServiceAccountName("Élan_2") || emulator.ValidServiceAccountName("ab") || !emulator.ValidServiceAccountName("abc") {
		t.Fatal("ValidServiceAccountName disagrees with the API")
	}
	// Path username of 256 characters -> 400 on every path route.
	tooLong := strings.Repeat("x", emulator.MaxUsernameLength+1)
	for _, c := range []call{
		{method: "GET", path: "/v1/users/" + tooLong + "/tokens"},
		{method: "GET", path: "/v1/users/" + tooLong + "/instances"},
		{method: "POST", path: "/v1/users/" + tooLong + "/tokens", body: map[string]any{"name": "x"}},
		{method: "DELETE", path: "/v1/users/" + tooLong + "/tokens/x"},
		{method: "DELETE", path: "/v1/users/" + tooLong},
	} {
		c.token = admin
		m := wantError(t, do(t, u, c), 400, "BAD_REQUEST")
		if p := issuePaths(m); len(p) == 0 || p[0] != "username" {
			t.Fatalf("%s %s: issues %v", c.method, c.path, m["issues"])
		}
	}
	// 255 multi-byte characters are fine (404: no such user).
	wantError(t, do(t, u, call{method: "GET", path: "/v1/users/" + strings.Repeat("%C3%A9", 255) + "/tokens", token: admin}), 404, "NOT_FOUND")

	// Mint for service account ok; another human 403; unknown user 404.
	m := mint(t, u, admin, "svc_new1", map[string]any{"name": "ci"})
	wantError(t, do(t, u, call{method: "POST", path: "/v1/users/ghost/tokens", token: admin, body: map[string]any{"name": "x"}}), 404, "NOT_FOUND")
	wantError(t, do(t, u, call{method: "GET", path: "/v1/users/ghost/tokens", token: admin}), 404, "NOT_FOUND")
	// Listing another human's tokens is allowed.
	list(t, u, admin, "bob")

	// Delete: answer, every token of the user dies (and only those), then 404.
	m2 := mint(t, u, admin, "svc_new1", map[string]any{"name": "ci2", "ttl": 3600})
	other := mint(t, u, admin, "abc", map[string]any{"name": "ci"})
	r := do(t, u, call{method: "DELETE", path: "/v1/users/svc_new1", token: admin})
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"username":"svc_new1"}` {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	for _, id := range []string{m["id"].(string), m2["id"].(string)} {
		if tk, _ := s.Token(id); !tk.Revoked || s.TokenState(id) != "revoked" {
			t.Fatalf("user's token %s survived its deletion: %+v", id, tk)
		}
	}
	if s.TokenState(other["id"].(string)) != "live" || len(s.LiveTokens("svc_new1")) != 0 {
		t.Fatal("deleting a user touched another user's token")
	}
	if s.UserExists("svc_new1") {
		t.Fatal("user exists after delete")
	}
	wantError(t, do(t, u, call{method: "GET", path: "/v1/users/svc_new1/tokens", token: admin}), 404, "NOT_FOUND")
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_new1", token: admin}), 404, "NOT_FOUND")
	wantError(t, do(t, u, call{method: "DELETE", path: "/v1/users/svc_new1/tokens/" + m["id"].(string), token: admin}), 404, "NOT_FOUND")
	// Recreated with the same name: the old token does not come back.
	if r := do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"username": "svc_new1"}}); r.status != 200 {
		t.Fatalf("recreate: %d", r.status)
	}
	if l := list(t, u, admin, "svc_new1"); len(l) != 0 {
		t.Fatalf("old tokens came back: %v", l)
	}
	if !s.IsServiceAccount("svc_new1") {
		t.Fatal("recreated user is not a service account")
	}
	mint(t, u, admin, "svc_new1", map[string]any{"name": "after"})
	if !s.DeleteUser("svc_new1") || s.DeleteUser("svc_new1") {
		t.Fatal("DeleteUser")
	}
}

// TestMintForWhom: an admin may mint for its own user and for service
// accounts, never for another human user, admin or not.
func TestMintForWhom(t *testing.T) {
	s, u := start(t)
	s.AddServiceAccount("svc_ci")
	s.AddHumanUser("bob", false)
	s.AddHumanUser("carol", true)
	carolToken := s.UserTokenSecret("carol")
	for _, tc := range []struct {
		name, caller, target string
		status               int
		code                 string
	}{
		{"admin for itself", s.AdminToken(), emulator.DefaultAdminUsername, 200, ""},
		{"admin for a service account", s.AdminToken(), "svc_ci", 200, ""},
		{"admin for a human member", s.AdminToken(), "bob", 403, "FORBIDDEN"},
		{"admin for another human admin", s.AdminToken(), "carol", 403, "FORBIDDEN"},
		{"second admin for itself", carolToken, "carol", 200, ""},
		{"second admin for the first", carolToken, emulator.DefaultAdminUsername, 403, "FORBIDDEN"},
		{"admin for a missing user", s.AdminToken(), "ghost", 404, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.LiveTokens(tc.target))
			r := do(t, u, call{method: "POST", path: "/v1/users/" + tc.target + "/tokens", token: tc.caller, body: map[string]any{"name": "x"}})
			if tc.status == 200 {
				if r.status != 200 || len(s.LiveTokens(tc.target)) != before+1 {
					t.Fatalf("mint: %d %s", r.status, r.body)
				}
				return
			}
			m := wantError(t, r, tc.status, tc.code)
			if tc.status == 403 && m["message"] != "cannot create tokens for other human users" {
				t.Fatalf("message %v", m["message"])
			}
			if len(s.LiveTokens(tc.target)) != before {
				t.Fatal("a refused mint minted a token")
			}
		})
	}
	// Listing another human's tokens is allowed.
	if l := list(t, u, s.AdminToken(), "carol"); len(l) != 2 {
		t.Fatalf("carol's tokens %v", l)
	}
}

// TestInstances: GET /v1/users/{username}/instances answers 200 while the
// user exists and a JSON NOT_FOUND once it is deleted (or never existed);
// GET /v1/users/{username} stays an unrouted plain-text 404.
func TestInstances(t *testing.T) {
	s, u := start(t)
	admin := s.AdminToken()
	s.AddHumanUser("bob", false)
	bob := s.UserTokenSecret("bob")
	if r := do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"username": "svc_x"}}); r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	instances := func(user, token string) result {
		return do(t, u, call{method: "GET", path: "/v1/users/" + user + "/instances", token: token})
	}
	for _, user := range []string{"svc_x", "bob", emulator.DefaultAdminUsername} {
		r := instances(user, admin)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: %d %s", user, r.status, r.body)
		}
		if len(r.json(t)) == 0 {
			t.Fatalf("%s: empty body", user)
		}
	}
	for name, tc := range map[string]struct {
		user, token string
		status      int
		code        string
	}{
		"no credentials":   {"svc_x", "", 401, "UNAUTHORIZED"},
		"not an admin":     {"svc_x", bob, 403, "FORBIDDEN"},
		"never existed":    {"ghost", admin, 404, "NOT_FOUND"},
		"escaped username": {"svc%5Fx", admin, 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := instances(tc.user, tc.token)
			if tc.status == 200 {
				if r.status != 200 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				return
			}
			wantError(t, r, tc.status, tc.code)
		})
	}
	if r := do(t, u, call{method: "DELETE", path: "/v1/users/svc_x", token: admin}); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantError(t, instances("svc_x", admin), 404, "NOT_FOUND")
	wantPlainNotFound(t, do(t, u, call{method: "GET", path: "/v1/users/svc_x", token: admin}))
	wantPlainNotFound(t, do(t, u, call{method: "GET", path: "/v1/users/bob", token: admin}))
	wantPlainNotFound(t, do(t, u, call{method: "POST", path: "/v1/users/bob/instances", token: admin, body: map[string]any{}}))
	if r := do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"username": "svc_x"}}); r.status != 200 {
		t.Fatalf("recreate: %d %s", r.status, r.body)
	}
	if r := instances("svc_x", admin); r.status != 200 {
		t.Fatalf("after recreate: %d %s", r.status, r.body)
	}
	if n := s.CountRequests(emulator.OpInstances); n != 9 {
		t.Fatalf("instances requests recorded = %d, want 9", n)
	}
}

func TestMintValidation(t *testing.T) {
	s, u, admin := startWithCI(t)
	path := ciTokens

	bad := []struct {
		name        string
		c           call
		wantPathKey string // "" = the issue has no path (body-level)
	}{
		{"missing name", call{body: map[string]any{"ttl": 300}}, "name"},
		{"empty name", call{body: map[string]any{"name": ""}}, "name"},
		{"null name", call{body: map[string]any{"name": nil}}, "name"},
		{"number name", call{body: map[string]any{"name": 5}}, "name"},
		{"name 256", call{body: map[string]any{"name": strings.Repeat("é", 256)}}, "name"},
		{"reserved extension", call{body: map[string]any{"name": "MotherDuck Extension"}}, "name"},
		{"reserved flights", call{body: map[string]any{"name": "MotherDuck Flights"}}, "name"},
		{"ttl 299", call{body: map[string]any{"name": "x", "ttl": 299}}, "ttl"},
		{"ttl 299.9", call{raw: `{"name":"x","ttl":299.9}`}, "ttl"},
		{"ttl too big", call{body: map[string]any{"name": "x", "ttl": 31536001}}, "ttl"},
		{"ttl negative", call{body: map[string]any{"name": "x", "ttl": -1}}, "ttl"},
		{"ttl string", call{body: map[string]any{"name": "x", "ttl": "300"}}, "ttl"},
		{"ttl null", call{body: map[string]any{"name": "x", "ttl": nil}}, "ttl"},
		{"ttl huge", call{raw: `{"name":"x","ttl":1e400}`}, ""},
		{"ttl bool", call{body: map[string]any{"name": "x", "ttl": true}}, "ttl"},
		{"token_type unknown", call{body: map[string]any{"name": "x", "token_type": "admin"}}, "token_type"},
		{"token_type number", call{body: map[string]any{"name": "x", "token_type": 1}}, "token_type"},
		{"token_type case", call{body: map[string]any{"name": "x", "token_type": "READ_WRITE"}}, "token_type"},
		{"malformed JSON", call{raw: `{"name": "x"`}, ""},
		{"trailing garbage", call{raw: `{"name": "x"} x`}, ""},
		{"array", call{raw: `[{"name":"x"}]`}, ""},
		{"string", call{raw: `"x"`}, ""},
		{"null", call{raw: `null`}, ""},
		{"empty body", call{noContentType: false, raw: " "}, ""},
		{"no body", call{}, ""},
		{"text/plain", call{raw: `{"name":"x"}`, contentType: "text/plain"}, ""},
		{"form", call{raw: `name=x`, contentType: "application/x-www-form-urlencoded"}, ""},
		{"json-ish", call{raw: `{"name":"x"}`, contentType: "application/jsonx"}, ""},
		{"no content type", call{raw: `{"name":"x"}`, noContentType: true}, ""},
		{"oversized", call{raw: `{"name":"x","pad":"` + strings.Repeat("a", 1<<20) + `"}`}, ""},
		{"description empty", call{body: map[string]any{"name": "x", "description": ""}}, "description"},
		{"description long", call{body: map[string]any{"name": "x", "description": strings.Repeat("d", 1001)}}, "description"},
		{"description number", call{body: map[string]any{"name": "x", "description": 1}}, "description"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			c.method, c.path, c.token = "POST", path, admin
			m := wantError(t, do(t, u, c), 400, "BAD_REQUEST")
			paths := issuePaths(m)
			if len(paths) == 0 {
				t.Fatalf("no issues: %v", m)
			}
			if tc.wantPathKey != "" && paths[0] != tc.wantPathKey {
				t.Fatalf("issue paths %v, want %s", paths, tc.wantPathKey)
			}
		})
	}
	if n := len(s.LiveTokens("svc_ci")); n != 0 {
		t.Fatalf("a refused mint created %d tokens", n)
	}

	// Several issues at once are all reported.
	m := wantError(t, do(t, u, call{method: "POST", path: path, token: admin, body: map[string]any{"name": "", "ttl": 1, "token_type": "x"}}), 400, "BAD_REQUEST")
	if p := issuePaths(m); fmt.Sprint(p) != "[name ttl token_type]" {
		t.Fatalf("issues %v", p)
	}

	good := []struct {
		name string
		c    call
		ttl  int
	}{
		{"name 255 code points", call{body: map[string]any{"name": strings.Repeat("é", 255)}}, 0},
		{"reserved other case", call{body: map[string]any{"name": "motherduck extension"}}, 0},
		{"reserved with suffix", call{body: map[string]any{"name": "MotherDuck Flights 2"}}, 0},
		{"ttl 300", call{body: map[string]any{"name": "x", "ttl": 300}}, 300},
		{"ttl max", call{body: map[string]any{"name": "x", "ttl": 31536000}}, 31536000},
		{"ttl 300.0", call{raw: `{"name":"x","ttl":300.0}`}, 300},
		{"ttl 3e2", call{raw: `{"name":"x","ttl":3e2}`}, 300},
		{"ttl fractional truncated", call{raw: `{"name":"x","ttl":300.7}`}, 300},
		{"charset", call{raw: `{"name":"x"}`, contentType: "application/json; charset=utf-8"}, 0},
		{"upper-case content type", call{raw: `{"name":"x"}`, contentType: "Application/JSON"}, 0},
		{"unknown fields", call{body: map[string]any{"name": "x", "bogus": []int{1}, "read_only": true}}, 0},
		{"explicit read_write", call{body: map[string]any{"name": "x", "token_type": "read_write"}}, 0},
		{"whitespace around body", call{raw: "\n {\"name\":\"x\"} \n"}, 0},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			c.method, c.path, c.token = "POST", path, admin
			r := do(t, u, c)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			m := r.json(t)
			if _, ok := m["bogus"]; ok {
				t.Fatal("unknown field echoed")
			}
			if m["token_type"] != "read_write" || m["read_only"] != false {
				t.Fatalf("answer %v", m)
			}
			if tc.ttl > 0 {
				want := s.Now().Add(time.Duration(tc.ttl) * time.Second).Format(time.RFC3339)
				if m["expire_at"] != want {
					t.Fatalf("expire_at %v, want %s", m["expire_at"], want)
				}
			} else if _, ok := m["expire_at"]; ok {
				t.Fatalf("expire_at without ttl: %v", m)
			}
		})
	}
}

func TestDescriptionSupport(t *testing.T) {
	s, u, admin := startWithCI(t)

	m := mint(t, u, admin, "svc_ci", map[string]any{"name": "d", "description": "for CI"})
	if m["description"] != "for CI" {
		t.Fatalf("mint answer %v", m)
	}
	l := list(t, u, admin, "svc_ci")
	if l[0]["description"] != "for CI" {
		t.Fatalf("list %v", l)
	}
	mint(t, u, admin, "svc_ci", map[string]any{"name": "d1000", "description": strings.Repeat("ü", 1000)})
	if tk, _ := s.Token(m["id"].(string)); tk.Description != "for CI" {
		t.Fatalf("stored description %q", tk.Description)
	}

	s.SetDescriptionSupport(false)
	// An older region drops the field silently, even when it would be invalid.
	for _, d := range []any{"ignored", "", 42, strings.Repeat("x", 2000)} {
		m2 := mint(t, u, admin, "svc_ci", map[string]any{"name": "old", "description": d})
		if _, ok := m2["description"]; ok {
			t.Fatalf("description returned with support off: %v", m2)
		}
		if tk, _ := s.Token(m2["id"].(string)); tk.Description != "" {
			t.Fatal("description stored with support off")
		}
	}
	for _, e := range list(t, u, admin, "svc_ci") {
		if _, ok := e["description"]; ok {
			t.Fatalf("description listed with support off: %v", e)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	s, u := start(t)
	admin := s.AdminToken()
	for _, c := range []call{
		{method: "GET", path: "/"},
		{method: "GET", path: "/v1"},
		{method: "GET", path: "/v1/"},
		{method: "PUT", path: "/v1/users"},
		{method: "GET", path: "/v2/users/admin/tokens"},
		{method: "GET", path: "/v1/users/admin"},
		{method: "GET", path: "/v1/users/admin/tokens/"},
		{method: "GET", path: "/v1/users//tokens"},
		{method: "PUT", path: "/v1/users/admin/tokens"},
		{method: "PATCH", path: "/v1/users/admin/tokens/x"},
		{method: "GET", path: "/v1/users/admin/tokens/x"},
		{method: "POST", path: "/v1/users/admin"},
		{method: "DELETE", path: "/v1/users/admin/tokens/x/y"},
		{method: "DELETE", path: "/v1/users/admin/keys/x"},
		{method: "GET", path: "/_emulator/nothing"},
	} {
		wantPlainNotFound(t, do(t, u, c))
		c.token = admin
		wantPlainNotFound(t, do(t, u, c))
	}
	if n := s.CountRequests(emulator.OpUnknown); n != 28 {
		t.Fatalf("unknown requests recorded = %d", n)
	}
}

func TestEscapedUsernames(t *testing.T) {
	s, u := start(t)
	admin := s.AdminToken()
	s.AddHumanUser("team/alice", false)
	s.AddHumanUser("a b?c", false)
	s.AddHumanUser("ünï", false)
	s.MintToken("team/alice", "t1", 0, "")
	s.MintToken("a b?c", "t2", 0, "")

	if l := list(t, u, admin, "team%2Falice"); len(l) != 1 || l[0]["name"] != "t1" {
		t.Fatalf("list team/alice: %v", l)
	}
	if l := list(t, u, admin, "a%20b%3Fc"); len(l) != 1 || l[0]["name"] != "t2" {
		t.Fatalf("list 'a b?c': %v", l)
	}
	list(t, u, admin, "%C3%BCn%C3%AF")
	// An unescaped slash splits the segment: no route.
	wantPlainNotFound(t, do(t, u, call{method: "GET", path: "/v1/users/team/alice/tokens", token: admin}))

	reqs := s.Requests()
	if reqs[0].Path != "/v1/users/team%2Falice/tokens" || reqs[0].Username != "team/alice" || reqs[0].Op != "list" || reqs[0].Status != 200 {
		t.Fatalf("request record %+v", reqs[0])
	}
	if reqs[1].Username != "a b?c" {
		t.Fatalf("request record %+v", reqs[1])
	}

	// Revoke with an escaped username and id.
	tk := s.LiveTokens("team/alice")[0]
	r := do(t, u, call{method: "DELETE", path: "/v1/users/team%2Falice/tokens/" + tk.ID, token: admin})
	if r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	// Delete a user with an escaped name.
	r = do(t, u, call{method: "DELETE", path: "/v1/users/a%20b%3Fc", token: admin})
	if r.status != 200 || r.json(t)["username"] != "a b?c" {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
}

func TestRequestsRecord(t *testing.T) {
	s, u, admin := startWithCI(t)
	before := s.Now()
	m := mint(t, u, admin, "svc_ci", map[string]any{"name": "n"})
	list(t, u, admin, "svc_ci")
	do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/" + m["id"].(string), token: admin})
	do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"username": "svc_x"}})
	do(t, u, call{method: "DELETE", path: "/v1/users/svc_x", token: admin})
	do(t, u, call{method: "GET", path: "/v1/users/svc_ci/tokens"})

	reqs := s.Requests()
	want := []struct {
		op, user string
		status   int
	}{
		{"mint", "svc_ci", 200}, {"list", "svc_ci", 200}, {"revoke", "svc_ci", 200},
		{"create_user", "svc_x", 200}, {"delete_user", "svc_x", 200}, {"list", "svc_ci", 401},
	}
	if len(reqs) != len(want) {
		t.Fatalf("requests %+v", reqs)
	}
	for i, w := range want {
		r := reqs[i]
		if r.Op != w.op || r.Username != w.user || r.Status != w.status || r.Fault != "" || !r.At.Equal(before) {
			t.Fatalf("request %d = %+v, want %+v", i, r, w)
		}
	}
	if reqs[0].TokenID != m["id"] || reqs[0].TokenName != "n" || reqs[2].TokenID != m["id"] {
		t.Fatalf("token ids not recorded: %+v", reqs)
	}
	if s.CountRequests("list") != 2 || s.CountRequests("mint") != 1 || s.CountRequests("") != 6 {
		t.Fatal("CountRequests")
	}
	// Out-of-band calls are not recorded.
	s.MintToken("svc_ci", "oob", 0, "")
	s.UserTokenSecret("svc_ci")
	if s.CountRequests("") != 6 {
		t.Fatal("out-of-band call recorded")
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.CountRequests("") != 0 {
		t.Fatal("ResetRequests")
	}
}

func TestFaultStatus(t *testing.T) {
	s, u, admin := startWithCI(t)
	path := ciTokens

	s.InjectFault(emulator.Fault{Op: "mint", Kind: emulator.FaultStatus, Status: 500, Times: 1})
	wantError(t, do(t, u, call{method: "POST", path: path, token: admin, body: map[string]any{"name": "x"}}), 500, "INTERNAL_SERVER_ERROR")
	if len(s.LiveTokens("svc_ci")) != 0 {
		t.Fatal("status fault performed the operation")
	}
	mint(t, u, admin, "svc_ci", map[string]any{"name": "x"}) // Times exhausted

	for _, st := range []int{429, 502, 503, 504} {
		s.InjectFault(emulator.Fault{Op: "list", Kind: emulator.FaultStatus, Status: st, RetryAfter: "1", Times: 1})
		r := do(t, u, call{method: "GET", path: path, token: admin})
		if r.status != st || r.header.Get("Retry-After") != "1" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Fatalf("fault %d: %d %v %s", st, r.status, r.header, r.body)
		}
		if string(r.body) != http.StatusText(st) {
			t.Fatalf("body %q", r.body)
		}
	}
	date := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 401, RetryAfter: date, Times: 1})
	r := do(t, u, call{method: "GET", path: path, token: admin})
	wantError(t, r, 401, "UNAUTHORIZED")
	if r.header.Get("Retry-After") != date {
		t.Fatal("Retry-After date")
	}
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 404, Times: 1})
	wantError(t, do(t, u, call{method: "GET", path: path, token: admin}), 404, "NOT_FOUND")
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 403, Times: 1})
	wantError(t, do(t, u, call{method: "GET", path: path, token: admin}), 403, "FORBIDDEN")
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 400, Times: 1})
	wantError(t, do(t, u, call{method: "GET", path: path, token: admin}), 400, "BAD_REQUEST")
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 409, Times: 1})
	wantError(t, do(t, u, call{method: "GET", path: path, token: admin}), 409, "CONFLICT")

	// Filters: op and username; Times 0 = until cleared.
	s.AddServiceAccount("svc_b")
	s.InjectFault(emulator.Fault{Op: "list", Username: "svc_b", Kind: emulator.FaultStatus, Status: 503})
	for i := 0; i < 3; i++ {
		if r := do(t, u, call{method: "GET", path: "/v1/users/svc_b/tokens", token: admin}); r.status != 503 {
			t.Fatalf("persistent fault: %d", r.status)
		}
		list(t, u, admin, "svc_ci")
		mint(t, u, admin, "svc_b", map[string]any{"name": "ok"})
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-3]
	if last.Fault != "status" || last.Status != 503 || last.HandledStatus != 0 || last.Username != "svc_b" {
		t.Fatalf("fault record %+v", last)
	}
	s.ClearFaults()
	list(t, u, admin, "svc_b")

	// Order: the first matching fault with uses left applies.
	s.InjectFault(emulator.Fault{Op: "list", Kind: emulator.FaultStatus, Status: 502, Times: 1})
	s.InjectFault(emulator.Fault{Op: "list", Kind: emulator.FaultStatus, Status: 504, Times: 1})
	if a, b := do(t, u, call{method: "GET", path: path, token: admin}), do(t, u, call{method: "GET", path: path, token: admin}); a.status != 502 || b.status != 504 {
		t.Fatalf("fault order: %d %d", a.status, b.status)
	}
	list(t, u, admin, "svc_ci")

	// Fault on create_user matches the body's username.
	s.InjectFault(emulator.Fault{Op: "create_user", Username: "svc_z", Kind: emulator.FaultStatus, Status: 500, Times: 1})
	wantError(t, do(t, u, call{method: "POST", path: "/v1/users", token: admin, body: map[string]any{"username": "svc_z"}}), 500, "INTERNAL_SERVER_ERROR")
	if s.UserExists("svc_z") {
		t.Fatal("create_user performed under a status fault")
	}
}

// A fault with UserAgent applies only to the client whose User-Agent
// contains it: two clients sharing one emulator, faults on one side.
func TestFaultUserAgent(t *testing.T) {
	s, u, admin := startWithCI(t)
	path := ciTokens
	s.InjectFault(emulator.Fault{Op: "mint", UserAgent: "side-a", Kind: emulator.FaultStatus, Status: 503})
	body := map[string]any{"name": "x"}
	if r := do(t, u, call{method: "POST", path: path, token: admin, body: body, userAgent: "tool/side-b"}); r.status != 200 {
		t.Fatalf("the other client's mint: %d %s", r.status, r.body)
	}
	if r := do(t, u, call{method: "POST", path: path, token: admin, body: body, userAgent: "tool/side-a (+x)"}); r.status != 503 {
		t.Fatalf("the faulted client's mint: %d %s", r.status, r.body)
	}
	if n := len(s.LiveTokens("svc_ci")); n != 1 {
		t.Fatalf("%d live tokens, want the other client's only", n)
	}
}

func TestFaultDrop(t *testing.T) {
	s, u, admin := startWithCI(t)
	path := ciTokens

	s.InjectFault(emulator.Fault{Op: "mint", Kind: emulator.FaultDropBefore, Times: 1})
	r := do(t, u, call{method: "POST", path: path, token: admin, body: map[string]any{"name": "before"}})
	if r.err == nil {
		t.Fatalf("drop_before: got an answer %d %s", r.status, r.body)
	}
	if len(s.LiveTokens("svc_ci")) != 0 {
		t.Fatal("drop_before performed the operation")
	}
	rec := s.Requests()[0]
	if rec.Status != 0 || rec.Fault != "drop_before" || rec.HandledStatus != 0 {
		t.Fatalf("record %+v", rec)
	}

	s.InjectFault(emulator.Fault{Op: "mint", Kind: emulator.FaultDropAfter, Times: 1})
	r = do(t, u, call{method: "POST", path: path, token: admin, body: map[string]any{"name": "after"}})
	if r.err == nil {
		t.Fatalf("drop_after: got an answer %d %s", r.status, r.body)
	}
	live := s.LiveTokens("svc_ci")
	if len(live) != 1 || live[0].Name != "after" || !live[0].ViaAPI {
		t.Fatalf("drop_after did not commit: %+v", live)
	}
	rec = s.Requests()[1]
	if rec.Status != 0 || rec.Fault != "drop_after" || rec.HandledStatus != 200 || rec.TokenID != live[0].ID {
		t.Fatalf("record %+v", rec)
	}
	// The committed token is visible in the list.
	if l := list(t, u, admin, "svc_ci"); len(l) != 1 || l[0]["id"] != live[0].ID {
		t.Fatalf("list %v", l)
	}

	// drop_after on revoke commits the revocation.
	s.InjectFault(emulator.Fault{Op: "revoke", Kind: emulator.FaultDropAfter, Times: 1})
	r = do(t, u, call{method: "DELETE", path: path + "/" + live[0].ID, token: admin})
	if r.err == nil {
		t.Fatal("drop_after revoke answered")
	}
	if tk, _ := s.Token(live[0].ID); !tk.Revoked {
		t.Fatal("drop_after revoke did not commit")
	}
	wantError(t, do(t, u, call{method: "DELETE", path: path + "/" + live[0].ID, token: admin}), 404, "NOT_FOUND")

	// drop_before on a list, with a keep-alive client: still an error for a POST.
	s.InjectFault(emulator.Fault{Op: "create_user", Kind: emulator.FaultDropBefore, Times: 1})
	kc := &http.Client{}
	req, _ := http.NewRequest("POST", u+"/v1/users", strings.NewReader(`{"username":"svc_k"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := kc.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("drop_before create_user answered %d", resp.StatusCode)
	}
	if s.UserExists("svc_k") {
		t.Fatal("drop_before created the user")
	}
	kc.CloseIdleConnections()
}

func TestFaultDropWithHandlerOnly(t *testing.T) {
	// Handler() served by httptest: hijacking works the same.
	s := emulator.New()
	s.AddServiceAccount("svc_ci")
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	s.InjectFault(emulator.Fault{Kind: emulator.FaultDropAfter, Times: 1})
	r := do(t, ts.URL, call{method: "POST", path: "/v1/users/svc_ci/tokens", token: s.AdminToken(), body: map[string]any{"name": "x"}})
	if r.err == nil || len(s.LiveTokens("svc_ci")) != 1 {
		t.Fatalf("drop_after through Handler: err %v, live %d", r.err, len(s.LiveTokens("svc_ci")))
	}
}

func TestFaultDelayAndLatency(t *testing.T) {
	s, u, admin := startWithCI(t)
	path := ciTokens

	s.InjectFault(emulator.Fault{Op: "list", Kind: emulator.FaultDelay, Delay: 150 * time.Millisecond, Times: 1})
	t0 := time.Now()
	list(t, u, admin, "svc_ci")
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Fatalf("delay not applied: %v", d)
	}
	if rec := s.Requests()[0]; rec.Fault != "delay" || rec.Status != 200 {
		t.Fatalf("record %+v", rec)
	}

	// A client that gives up during the delay: nothing is performed.
	s.InjectFault(emulator.Fault{Op: "mint", Kind: emulator.FaultDelay, Delay: 5 * time.Second, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := do(t, u, call{method: "POST", path: path, token: admin, body: map[string]any{"name": "late"}, ctx: ctx})
	if r.err == nil || !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("expected a timeout, got %v %d", r.err, r.status)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		reqs := s.Requests()
		if rec := reqs[len(reqs)-1]; rec.Op == "mint" && rec.Status == 0 && rec.Fault == "delay" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cancelled request not recorded as status 0: %+v", reqs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if len(s.LiveTokens("svc_ci")) != 0 {
		t.Fatal("cancelled delayed mint performed")
	}

	s.SetLatency(120 * time.Millisecond)
	t0 = time.Now()
	list(t, u, admin, "svc_ci")
	if d := time.Since(t0); d < 120*time.Millisecond {
		t.Fatalf("latency not applied: %v", d)
	}
	// Latency does not apply to the inspection endpoint.
	t0 = time.Now()
	if resp, err := client.Get(u + "/_emulator/tokens"); err != nil {
		t.Fatal(err)
	} else {
		_ = resp.Body.Close()
	}
	if d := time.Since(t0); d >= 120*time.Millisecond {
		t.Fatalf("latency applied to /_emulator: %v", d)
	}
	s.SetLatency(0)
}

// faultTrace runs a fixed sequence of requests and returns what happened.
func faultTrace(t *testing.T, seed int64) []string {
	t.Helper()
	s, u, admin := startWithCI(t)
	s.SetRandomFaults(seed, 0.5, []emulator.Fault{
		{Kind: emulator.FaultStatus, Status: 503, RetryAfter: "0"},
		{Kind: emulator.FaultStatus, Status: 500},
		{Kind: emulator.FaultDropBefore},
		{Kind: emulator.FaultDropAfter},
		{Kind: emulator.FaultDelay, Delay: time.Millisecond},
	})
	for i := 0; i < 40; i++ {
		if i%2 == 0 {
			do(t, u, call{method: "POST", path: "/v1/users/svc_ci/tokens", token: admin, body: map[string]any{"name": fmt.Sprint("n", i)}})
		} else {
			do(t, u, call{method: "GET", path: "/v1/users/svc_ci/tokens", token: admin})
		}
	}
	var out []string
	for _, r := range s.Requests() {
		out = append(out, fmt.Sprintf("%s:%s:%d:%d", r.Op, r.Fault, r.Status, r.HandledStatus))
	}
	return out
}

func TestRandomFaultsDeterministic(t *testing.T) {
	a := faultTrace(t, 42)
	b := faultTrace(t, 42)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different outcome:\n%v\n%v", a, b)
	}
	faulted := 0
	kinds := map[string]bool{}
	for _, e := range a {
		parts := strings.Split(e, ":")
		if parts[1] != "" {
			faulted++
			kinds[parts[1]] = true
		}
	}
	if faulted < 8 || faulted > 32 {
		t.Fatalf("rate 0.5 gave %d faults of 40", faulted)
	}
	if len(kinds) < 3 {
		t.Fatalf("kinds not mixed: %v", kinds)
	}
	if c := faultTrace(t, 7); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("different seeds gave the same outcome")
	}

	// Rate 0 or ClearFaults turns them off; explicit faults win.
	s, u := start(t)
	s.SetRandomFaults(1, 1, []emulator.Fault{{Kind: emulator.FaultStatus, Status: 502}})
	s.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 504, Times: 1})
	if r := do(t, u, call{method: "GET", path: "/v1/users/admin/tokens", token: s.AdminToken()}); r.status != 504 {
		t.Fatalf("explicit fault should win: %d", r.status)
	}
	if r := do(t, u, call{method: "GET", path: "/v1/users/admin/tokens", token: s.AdminToken()}); r.status != 502 {
		t.Fatalf("rate 1: %d", r.status)
	}
	// Random faults honour Op filters.
	s.SetRandomFaults(1, 1, []emulator.Fault{{Op: "mint", Kind: emulator.FaultStatus, Status: 502}})
	list(t, u, s.AdminToken(), "admin")
	s.ClearFaults()
	list(t, u, s.AdminToken(), "admin")
	s.SetRandomFaults(1, 0, []emulator.Fault{{Kind: emulator.FaultStatus, Status: 502}})
	list(t, u, s.AdminToken(), "admin")
}

func TestConcurrency(t *testing.T) {
	s, u := start(t)
	admin := s.AdminToken()
	const workers = 16
	const each = 10
	for w := 0; w < workers; w++ {
		s.AddServiceAccount(fmt.Sprintf("svc_%d", w))
	}
	s.SetRandomFaults(3, 0.1, []emulator.Fault{{Kind: emulator.FaultStatus, Status: 503}, {Op: "list", Kind: emulator.FaultDelay, Delay: time.Millisecond}})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			user := fmt.Sprintf("svc_%d", w)
			for i := 0; i < each; i++ {
				r := do(t, u, call{method: "POST", path: "/v1/users/" + user + "/tokens", token: admin, body: map[string]any{"name": fmt.Sprint(i), "ttl": 300 + i}})
				if r.err != nil || (r.status != 200 && r.status != 503) {
					errs <- fmt.Errorf("mint: %w %d %s", r.err, r.status, r.body)
					return
				}
				if r.status == 200 {
					var m map[string]any
					_ = json.Unmarshal(r.body, &m)
					if i%2 == 0 {
						do(t, u, call{method: "DELETE", path: "/v1/users/" + user + "/tokens/" + fmt.Sprint(m["id"]), token: admin})
					}
				}
				do(t, u, call{method: "GET", path: "/v1/users/" + user + "/tokens", token: admin})
				_ = s.LiveTokens(user)
				_ = s.AllTokens()
				_ = s.Requests()
				if i == 5 {
					s.Advance(time.Millisecond)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Every 200 mint created exactly one token.
	okMints := 0
	for _, r := range s.Requests() {
		if r.Op == "mint" && r.Status == 200 {
			okMints++
		}
	}
	viaAPI := 0
	for _, tk := range s.AllTokens() {
		if tk.ViaAPI {
			viaAPI++
		}
	}
	if okMints != viaAPI {
		t.Fatalf("mints answered 200 = %d, tokens via API = %d", okMints, viaAPI)
	}
}

func TestOutOfBand(t *testing.T) {
	s := emulator.New()
	u := s.Start()
	defer s.Close()
	if s.URL() != u || !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Fatalf("URL %q", u)
	}
	if s.Start() != u {
		t.Fatal("second Start changed the URL")
	}
	if !secretRE.MatchString(s.AdminToken()) {
		t.Fatalf("admin token %q", s.AdminToken())
	}
	s.SetAdminToken("md-emulator-admin-token")
	if s.AdminToken() != "md-emulator-admin-token" {
		t.Fatal("SetAdminToken")
	}
	list(t, u, "md-emulator-admin-token", "admin")
	if len(s.LiveTokens("admin")) != 1 {
		t.Fatal("SetAdminToken minted a second token")
	}

	if tk := s.MintToken("ghost", "x", 0, ""); tk.ID != "" {
		t.Fatal("MintToken for a missing user")
	}
	if s.UserTokenSecret("ghost") != "" {
		t.Fatal("UserTokenSecret for a missing user")
	}
	s.AddServiceAccount("svc_ci")
	tk := s.MintToken("svc_ci", "seeded", 90*time.Minute, emulator.TokenTypeReadScaling)
	if tk.ViaAPI || tk.TokenType != "read_scaling" || tk.ExpireAt == nil || !tk.ExpireAt.Equal(s.Now().Add(90*time.Minute)) {
		t.Fatalf("seeded token %+v", tk)
	}
	l := list(t, u, s.AdminToken(), "svc_ci")
	if len(l) != 1 || l[0]["read_only"] != true || l[0]["name"] != "seeded" {
		t.Fatalf("seeded token listed as %v", l)
	}
	// The copy handed out cannot change the server's state.
	*tk.ExpireAt = time.Time{}
	if got, _ := s.Token(tk.ID); got.ExpireAt.IsZero() {
		t.Fatal("Token shares memory with the server")
	}

	// Revoking the bootstrap token through the API, then SetAdminToken restores a credential.
	adminID := s.LiveTokens("admin")[0].ID
	r := do(t, u, call{method: "DELETE", path: "/v1/users/admin/tokens/" + adminID, token: s.AdminToken()})
	if r.status != 200 {
		t.Fatalf("self-revoke %d", r.status)
	}
	wantError(t, do(t, u, call{method: "GET", path: "/v1/users/admin/tokens", token: s.AdminToken()}), 401, "UNAUTHORIZED")
	s.SetAdminToken("fresh-secret")
	list(t, u, "fresh-secret", "admin")

	// Real-time clock moves by itself.
	s.SetRealTimeClock(true)
	t0 := s.Now()
	time.Sleep(1100 * time.Millisecond)
	if !s.Now().After(t0) {
		t.Fatal("real-time clock did not move")
	}
	s.SetRealTimeClock(false)
	t1 := s.Now()
	s.Advance(time.Hour)
	if !s.Now().Equal(t1.Add(time.Hour)) {
		t.Fatal("Advance")
	}

	s.Close()
	if s.URL() != "" {
		t.Fatal("URL after Close")
	}
	if resp, err := client.Get(u + "/v1/users/admin/tokens"); err == nil {
		_ = resp.Body.Close()
		t.Fatal("still serving after Close")
	}
	if len(s.AllTokens()) == 0 {
		t.Fatal("state lost on Close")
	}
}

func TestListen(t *testing.T) {
	s := emulator.New()
	defer s.Close()
	if _, err := s.Listen("256.0.0.1:0"); err == nil {
		t.Fatal("bad address accepted")
	}
	u, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	list(t, u, s.AdminToken(), "admin")
}

func TestInspectEndpoint(t *testing.T) {
	s, u, admin := startWithCI(t)
	a := mint(t, u, admin, "svc_ci", map[string]any{"name": "a", "ttl": 300, "description": "d"})
	b := mint(t, u, admin, "svc_ci", map[string]any{"name": "b"})
	c := mint(t, u, admin, "svc_ci", map[string]any{"name": "c", "token_type": "read_scaling"})
	do(t, u, call{method: "DELETE", path: "/v1/users/svc_ci/tokens/" + b["id"].(string), token: admin})
	s.Advance(10 * time.Minute)
	s.ResetRequests()

	resp, err := client.Get(u + "/_emulator/tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, secret := range []string{admin, a["token"].(string), b["token"].(string), c["token"].(string)} {
		if strings.Contains(string(body), secret) {
			t.Fatal("inspection endpoint leaks a secret")
		}
	}
	var out struct {
		Tokens []map[string]any `json:"tokens"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, e := range out.Tokens {
		states[fmt.Sprint(e["name"])] = fmt.Sprint(e["state"])
		if _, ok := e["token"]; ok {
			t.Fatal("token field present")
		}
	}
	if states["a"] != "expired" || states["b"] != "revoked" || states["c"] != "live" || states["emulator-admin"] != "live" {
		t.Fatalf("states %v", states)
	}
	if s.CountRequests("") != 0 {
		t.Fatal("inspection request recorded")
	}

	// Not from loopback: refused.
	rr := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/_emulator/tokens", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	s.Handler().ServeHTTP(rr, req)
	if rr.Code != http.StatusForbidden {
		t.Fatalf("non-loopback: %d", rr.Code)
	}
}

func TestHandlerWithRecorder(t *testing.T) {
	// The handler works without a listener, too.
	s := emulator.New()
	rr := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/v1/users", strings.NewReader(`{"username":"svc_rec"}`))
	req.Header.Set("Authorization", "Bearer "+s.AdminToken())
	req.Header.Set("Content-Type", "application/json")
	s.Handler().ServeHTTP(rr, req)
	if rr.Code != 200 || !s.IsServiceAccount("svc_rec") {
		t.Fatalf("%d %s", rr.Code, rr.Body)
	}
}

func FuzzMintBody(f *testing.F) {
	for _, seed := range []string{`{"name":"x"}`, `{"name":"x","ttl":300}`, `[]`, `{`, `null`, `{"ttl":1e999}`, `{"name":"\ud800"}`} {
		f.Add(seed)
	}
	s := emulator.New()
	s.AddServiceAccount("svc_ci")
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		rr := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/v1/users/svc_ci/tokens", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.AdminToken())
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rr, req)
		if rr.Code != 200 && rr.Code != 400 {
			t.Fatalf("status %d for %q", rr.Code, body)
		}
		var m map[string]any
		if err := json.Unmarshal(rr.Body.Bytes(), &m); err != nil {
			t.Fatalf("answer not JSON for %q", body)
		}
		s.ResetRequests()
	})
}
