package provider

import (
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

func TestTTLFromToken(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := base.Add(d); return &v }
	cases := []struct {
		name    string
		created time.Time
		expire  *time.Time
		want    int64 // 0 = null
	}{
		{"never expires", base, nil, 0},
		{"exact hour", base, at(time.Hour), 3600},
		{"sub-second created_ts", base.Add(400 * time.Millisecond), at(time.Hour), 3600},
		{"sub-second expire_at", base, at(time.Hour + 300*time.Millisecond), 3600},
		{"minimum", base, at(300 * time.Second), 300},
		{"below minimum", base, at(299 * time.Second), 0},
		{"maximum", base, at(31536000 * time.Second), 31536000},
		{"above maximum", base, at(31536001 * time.Second), 0},
	}
	for _, c := range cases {
		got := ttlFromToken(client.Token{CreatedTS: c.created, ExpireAt: c.expire})
		switch {
		case c.want == 0 && !got.IsNull():
			t.Errorf("%s: want null, got %d", c.name, got.ValueInt64())
		case c.want != 0 && got.ValueInt64() != c.want:
			t.Errorf("%s: want %d, got %s", c.name, c.want, got)
		}
	}
}

func TestUsernameAndNameRules(t *testing.T) {
	good := []string{"svc_ci", "alice", "first.last@example.com", "ünïcode_user", "svc-ci+1"}
	bad := []string{"", ".", "..", "a/b", "a?b", "a#b", "a%b", " a", "a ", "a b", "a\u200bb", "a\\b"}
	for _, u := range good {
		if msg := usernameProblem(u); msg != "" {
			t.Errorf("username %q refused: %s", u, msg)
		}
	}
	for _, u := range bad {
		if usernameProblem(u) == "" {
			t.Errorf("username %q accepted", u)
		}
	}
	if tokenNameProblem("MotherDuck Extension") == "" || tokenNameProblem("MotherDuck Flights") == "" {
		t.Error("reserved names accepted")
	}
	if msg := tokenNameProblem("motherduck extension"); msg != "" {
		t.Errorf("reserved names are case-sensitive, got %s", msg)
	}
	if msg := tokenNameProblem("名前 with spaces inside"); msg != "" {
		t.Errorf("unicode name refused: %s", msg)
	}
}

func TestCheckAPIURL(t *testing.T) {
	ok := []string{"https://api.motherduck.com", "https://api.motherduck.com/", "http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:9", "http://127.1.2.3"}
	notOK := []string{"http://api.motherduck.com", "http://10.0.0.1", "ftp://x", "api.motherduck.com", "https://", "https://u:p@h", "https://h/?q", "https://h/#f", "http://localhost.evil.com"}
	for _, u := range ok {
		if msg := checkAPIURL(u); msg != "" {
			t.Errorf("%s refused: %s", u, msg)
		}
	}
	for _, u := range notOK {
		if checkAPIURL(u) == "" {
			t.Errorf("%s accepted", u)
		}
	}
}

func TestParseImportID(t *testing.T) {
	u, id, problem := parseImportID("svc_ci/0b7c3f3e-5d55-4a52-9a55-6d1f7b0f0a11")
	if problem != "" || u != "svc_ci" || id != "0b7c3f3e-5d55-4a52-9a55-6d1f7b0f0a11" {
		t.Fatalf("got %q %q %q", u, id, problem)
	}
	for _, bad := range []string{"", "svc_ci", "/id", "svc_ci/", "a/b/c", "bad user/id", "svc_ci/id with space", "../id"} {
		if _, _, problem := parseImportID(bad); problem == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
