package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/syncbuffer"
)

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":8787", "[::]:0", "192.0.2.1:80", "example.com:80", "nonsense"} {
		var out, errb syncbuffer.Buffer
		if code := run(context.Background(), []string{"-addr", addr}, &out, &errb); code != 2 {
			t.Fatalf("-addr %s: exit %d", addr, code)
		}
		if out.String() != "" || !strings.Contains(errb.String(), "addr") {
			t.Fatalf("-addr %s: stdout %q stderr %q", addr, out.String(), errb.String())
		}
	}
	var out, errb syncbuffer.Buffer
	if code := run(context.Background(), []string{"-service-accounts", "svc-bad"}, &out, &errb); code != 2 {
		t.Fatalf("invalid service account accepted: %d", code)
	}
	if code := run(context.Background(), []string{"-token", ""}, &out, &errb); code != 2 {
		t.Fatalf("empty token accepted: %d", code)
	}
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncbuffer.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"-token", "tok-123", "-latency", "1ms"}, &out, &errb) }()

	var url string
	re := regexp.MustCompile(`^MOTHERDUCK_API_URL=(http://127\.0\.0\.1:\d+)\n$`)
	deadline := time.Now().Add(5 * time.Second)
	for url == "" {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no URL line; stdout %q stderr %q", out.String(), errb.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}

	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return apiCall(t, url, "tok-123", method, path, body)
	}

	st, m := call("POST", "/v1/users/svc_ci/tokens", `{"name":"demo token","ttl":600}`)
	if st != 200 {
		t.Fatalf("mint on seeded service account: %d %v", st, m)
	}
	secret, id := m["token"].(string), m["id"].(string)
	if st, _ := call("GET", "/v1/users/svc_reporting/tokens", ""); st != 200 {
		t.Fatalf("list on seeded service account: %d", st)
	}
	if st, _ := call("DELETE", "/v1/users/svc_ci/tokens/"+id, ""); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	st, m = call("GET", "/_emulator/tokens", "")
	if st != 200 {
		t.Fatalf("inspect: %d", st)
	}
	raw, _ := json.Marshal(m)
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), "tok-123") {
		t.Fatal("inspection leaks a secret")
	}
	if !strings.Contains(string(raw), `"state":"revoked"`) {
		t.Fatalf("inspection: %s", raw)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}

	logs := errb.String()
	for _, want := range []string{
		"POST /v1/users/svc_ci/tokens 200 minted id=" + id + ` name="demo token"`,
		"GET /v1/users/svc_reporting/tokens 200",
		"DELETE /v1/users/svc_ci/tokens/" + id + " 200 revoked id=" + id,
	} {
		if !strings.Contains(logs, want) {
			t.Fatalf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, secret) || strings.Contains(logs, "tok-123") {
		t.Fatal("log leaks a secret")
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stdout has more than one line: %q", out.String())
	}
}

// started is one run of the command in the background.
type started struct {
	url      string
	out, err *syncbuffer.Buffer
	stop     func() int // cancels the run and returns its exit code
}

func startRun(t *testing.T, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := started{out: &syncbuffer.Buffer{}, err: &syncbuffer.Buffer{}}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, st.out, st.err) }()
	re := regexp.MustCompile(`^MOTHERDUCK_API_URL=(http://127\.0\.0\.1:\d+)\n$`)
	deadline := time.Now().Add(5 * time.Second)
	for st.url == "" {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("exited %d; stderr %q", code, st.err.String())
		default:
		}
		if m := re.FindStringSubmatch(st.out.String()); m != nil {
			st.url = m[1]
		} else if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no URL line; stdout %q stderr %q", st.out.String(), st.err.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	stopped := false
	st.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("did not stop")
			return -1
		}
	}
	t.Cleanup(func() { st.stop() })
	return st
}

func apiCall(t *testing.T, url, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestSeededUsers: the admin is a human that may mint for itself and for the
// seeded service accounts, never for a seeded human member; the start line
// says which users are which.
func TestSeededUsers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		mint     map[string]int // username -> status of a mint by the admin
		announce []string
	}{
		{"defaults", nil,
			map[string]int{"admin": 200, "svc_ci": 200, "svc_reporting": 200, "alice": 404},
			[]string{`human admin "admin"`, "service accounts: svc_ci, svc_reporting", "human members: none"}},
		{"humans and accounts", []string{"-service-accounts", "svc_a", "-human-users", "alice, bob"},
			map[string]int{"admin": 200, "svc_a": 200, "alice": 403, "bob": 403, "svc_ci": 404},
			[]string{"service accounts: svc_a", "human members: alice, bob"}},
		{"no seeds", []string{"-service-accounts", ""},
			map[string]int{"admin": 200, "svc_ci": 404},
			[]string{"service accounts: none", "human members: none"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := startRun(t, append([]string{"-token", "tok"}, tc.args...)...)
			for user, want := range tc.mint {
				if got, m := apiCall(t, st.url, "tok", "POST", "/v1/users/"+user+"/tokens", `{"name":"n"}`); got != want {
					t.Errorf("mint for %s: %d %v, want %d", user, got, m, want)
				}
			}
			if code := st.stop(); code != 0 {
				t.Fatalf("exit %d", code)
			}
			for _, want := range tc.announce {
				if !strings.Contains(st.err.String(), want) {
					t.Errorf("start line lacks %q:\n%s", want, st.err.String())
				}
			}
		})
	}
}

func TestRefusesBadSeedsAndPageSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"service account twice", []string{"-service-accounts", "svc_a,svc_a"}, "", `service account "svc_a" is already a service account`},
		{"human and service account", []string{"-service-accounts", "svc_a", "-human-users", "svc_a"}, "", `human user "svc_a" is already a service account`},
		{"human named admin", []string{"-human-users", "admin"}, "", `human user "admin" is already the admin user`},
		{"non-ASCII service account", []string{"-service-accounts", "équipe_1"}, "", "invalid service account name"},
		{"negative page size", []string{"-page-size", "-1"}, "", "-page-size must not be negative"},
		{"bad page size env", nil, "ten", pageSizeEnv + `="ten"`},
		{"negative page size env", nil, "-2", pageSizeEnv + `="-2"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(pageSizeEnv, tc.env)
			var out, errb syncbuffer.Buffer
			if code := run(context.Background(), tc.args, &out, &errb); code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if out.String() != "" || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("stdout %q stderr %q, want %q", out.String(), errb.String(), tc.want)
			}
		})
	}
}

// TestPageSize: the token list pages by -page-size, whose default is the
// environment variable; the log shows each page's page_token.
func TestPageSize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		env   string
		pages int // pages to list 3 tokens
	}{
		{"none", nil, "", 1},
		{"flag", []string{"-page-size", "2"}, "", 2},
		{"environment", nil, "1", 3},
		{"flag over environment", []string{"-page-size", "3"}, "1", 1},
		{"flag 0 over environment", []string{"-page-size", "0"}, "1", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(pageSizeEnv, tc.env)
			st := startRun(t, append([]string{"-token", "tok"}, tc.args...)...)
			for i := 0; i < 3; i++ {
				if code, m := apiCall(t, st.url, "tok", "POST", "/v1/users/svc_ci/tokens", `{"name":"n"}`); code != 200 {
					t.Fatalf("mint: %d %v", code, m)
				}
			}
			path, pages, listed := "/v1/users/svc_ci/tokens", 0, 0
			var cursors []string
			for {
				code, m := apiCall(t, st.url, "tok", "GET", path, "")
				if code != 200 {
					t.Fatalf("list: %d %v", code, m)
				}
				pages++
				toks, _ := m["tokens"].([]any)
				listed += len(toks)
				next, _ := m["next_page_token"].(string)
				if next == "" || pages > 3 {
					break
				}
				cursors = append(cursors, next)
				path = "/v1/users/svc_ci/tokens?page_token=" + next
			}
			if pages != tc.pages || listed != 3 {
				t.Fatalf("%d tokens in %d pages, want 3 in %d", listed, pages, tc.pages)
			}
			st.stop()
			for _, c := range cursors {
				if !strings.Contains(st.err.String(), "GET /v1/users/svc_ci/tokens 200 page_token="+c) {
					t.Errorf("log lacks page_token=%s:\n%s", c, st.err.String())
				}
			}
		})
	}
}

// TestStartLineNamesTheAdminToken: with the default token the start line
// says which secret to use; a token given with -token is never printed.
func TestStartLineNamesTheAdminToken(t *testing.T) {
	st := startRun(t)
	if got, m := apiCall(t, st.url, defaultToken, "GET", "/v1/users/svc_ci/tokens", ""); got != 200 {
		t.Fatalf("default token refused: %d %v", got, m)
	}
	if code := st.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if want := `whose token is the default "md-emulator-admin-token"`; !strings.Contains(st.err.String(), want) {
		t.Errorf("start line lacks %q:\n%s", want, st.err.String())
	}

	st = startRun(t, "-token", "secret-given-with-flag")
	if code := st.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if line := st.err.String(); strings.Contains(line, "secret-given-with-flag") || !strings.Contains(line, "whose token is the -token secret") {
		t.Errorf("start line with -token:\n%s", line)
	}
}
