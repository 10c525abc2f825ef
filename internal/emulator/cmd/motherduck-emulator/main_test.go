package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a goroutine-safe bytes.Buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":8787", "[::]:0", "192.0.2.1:80", "example.com:80", "nonsense"} {
		var out, errb syncBuffer
		if code := run(context.Background(), []string{"-addr", addr}, &out, &errb); code != 2 {
			t.Fatalf("-addr %s: exit %d", addr, code)
		}
		if out.String() != "" || !strings.Contains(errb.String(), "addr") {
			t.Fatalf("-addr %s: stdout %q stderr %q", addr, out.String(), errb.String())
		}
	}
	var out, errb syncBuffer
	if code := run(context.Background(), []string{"-service-accounts", "svc-bad"}, &out, &errb); code != 2 {
		t.Fatalf("invalid service account accepted: %d", code)
	}
	if code := run(context.Background(), []string{"-token", ""}, &out, &errb); code != 2 {
		t.Fatalf("empty token accepted: %d", code)
	}
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
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
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, url+path, rd)
		req.Header.Set("Authorization", "Bearer tok-123")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
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
