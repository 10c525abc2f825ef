package provider

import (
	"testing"
)

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
