package emulator

import (
	"testing"
	"time"
)

func TestAuthorizes(t *testing.T) {
	s := New()
	s.AddServiceAccount("svc_ci")
	live := s.MintToken("svc_ci", "live", 0, "")
	revoked := s.MintToken("svc_ci", "revoked", 0, "")
	expiring := s.MintToken("svc_ci", "expiring", 10*time.Minute, "")
	s.RevokeToken("svc_ci", revoked.ID)
	s.Advance(10 * time.Minute)
	cases := map[string]struct {
		secret string
		want   bool
	}{
		"live":         {live.Secret, true},
		"revoked":      {revoked.Secret, false},
		"expired":      {expiring.Secret, false},
		"unknown":      {"md_unknown", false},
		"empty":        {"", false},
		"admin":        {s.AdminToken(), true},
		"read_scaling": {s.MintToken("svc_ci", "rs", 0, TokenTypeReadScaling).Secret, true},
	}
	for name, c := range cases {
		if got := s.Authorizes(c.secret); got != c.want {
			t.Errorf("%s: Authorizes = %v, want %v", name, got, c.want)
		}
	}
}
