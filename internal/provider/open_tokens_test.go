package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// TestOpenTokensRevokeAll: every open token is revoked, one already invalid
// counts as revoked, and one the API refuses or does not answer in time stays
// open with an error naming its id, never its secret.
func TestOpenTokensRevokeAll(t *testing.T) {
	s := emulator.New()
	for _, u := range []string{"svc_ci", "svc_refused", "svc_slow"} {
		s.AddServiceAccount(u)
	}
	url := s.Start()
	t.Cleanup(s.Close)
	c, err := client.New(client.Config{BaseURL: url, Token: s.AdminToken(), MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	mint := func(user string) emulator.Token {
		return s.MintToken(user, "eph", time.Hour, emulator.TokenTypeReadWrite)
	}
	live, gone, refused, slow := mint("svc_ci"), mint("svc_ci"), mint("svc_refused"), mint("svc_slow")
	s.RevokeToken("svc_ci", gone.ID)
	open := NewOpenTokens()
	for _, tok := range []emulator.Token{live, gone, refused, slow} {
		open.add(c, tok.Username, tok.ID)
	}
	s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Username: "svc_refused", Kind: emulator.FaultStatus, Status: 500})
	s.InjectFault(emulator.Fault{Op: emulator.OpRevoke, Username: "svc_slow", Kind: emulator.FaultDelay, Delay: time.Minute})

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	errs := open.RevokeAll(ctx)

	if got := s.TokenState(live.ID); got != "revoked" {
		t.Errorf("token %s: %s, want revoked", live.ID, got)
	}
	if n := open.Len(); n != 2 {
		t.Errorf("%d tokens still open, want 2 (refused, slow)", n)
	}
	if len(errs) != 2 {
		t.Fatalf("want 2 errors, got %v", errs)
	}
	all := errs[0].Error() + "\n" + errs[1].Error()
	for _, tok := range []emulator.Token{refused, slow} {
		if !strings.Contains(all, "ephemeral token "+tok.ID+" of user \""+tok.Username+"\" is still valid") {
			t.Errorf("no error names %s: %s", tok.ID, all)
		}
	}
	for _, tok := range []emulator.Token{live, gone, refused, slow} {
		if strings.Contains(all, tok.Secret) {
			t.Errorf("an error holds the secret of %s", tok.ID)
		}
	}
}
