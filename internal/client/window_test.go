package client

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Another workspace (another process, another Client) mints tokens with the
// same name for the same user. A failed mint's clean-up and the later sweep
// for late commits must leave its tokens alone: only a token created while
// the failed request was out can be that request's.
func TestRecovery_sparesSameNameTokensOutsideTheWindow(t *testing.T) {
	sparesSameNameTokens(t)
}

func sparesSameNameTokens(t *testing.T, mod ...func(*Config)) {
	t.Helper()
	e := newEmu(t, mod...)
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc_a")
	if _, err := e.c.ListTokens(ctx, "svc_a"); err != nil { // the baseline
		t.Fatal(err)
	}
	e.s.Advance(time.Minute)
	before := e.s.MintToken("svc_a", "shared", 0, "") // the other workspace's
	e.s.Advance(time.Minute)

	e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	ct, err := e.c.CreateToken(ctx, "svc_a", CreateTokenRequest{Name: "shared"})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	var lost string
	for _, r := range e.s.Requests() {
		if r.Op == emulator.OpMint && r.Fault == string(emulator.FaultDropAfter) {
			lost = r.TokenID
		}
	}
	if lost == "" || e.s.TokenState(lost) != "revoked" {
		t.Fatalf("the token of the dropped mint (%q) is %s, want revoked", lost, e.s.TokenState(lost))
	}
	if st := e.s.TokenState(before.ID); st != "live" {
		t.Fatalf("the other workspace's token, minted a minute before the failed request, is %s", st)
	}

	// A later list sweeps for late commits of the failed request; a token
	// of that name minted a minute after it is not one.
	e.s.Advance(time.Minute)
	after := e.s.MintToken("svc_a", "shared", 0, "")
	toks, err := e.c.ListTokens(ctx, "svc_a")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{before.ID, after.ID, ct.ID} {
		if st := e.s.TokenState(id); st != "live" {
			t.Errorf("token %s is %s after the sweep, want live", id, st)
		}
		if !contains(ids(toks), id) {
			t.Errorf("token %s is not listed", id)
		}
	}
}

// When more than one unknown token of the name was created while the failed
// request was out, nobody can tell which is its: none is revoked, the intent
// stays open (owed), and settling it names them.
func TestRecovery_twoCandidatesInTheWindowRevokesNone(t *testing.T) {
	twoCandidatesRevokesNone(t)
}

func twoCandidatesRevokesNone(t *testing.T, mod ...func(*Config)) {
	t.Helper()
	e := newEmu(t, mod...) // the emulator's clock stands still: one instant
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc_a")
	if _, err := e.c.ListTokens(ctx, "svc_a"); err != nil {
		t.Fatal(err)
	}
	other := e.s.MintToken("svc_a", "shared", 0, "")
	e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	ct, err := e.c.CreateToken(ctx, "svc_a", CreateTokenRequest{Name: "shared"})
	if err != nil {
		t.Fatalf("the retry should succeed: %v", err)
	}
	lost := requestsTokenID(e.s, emulator.FaultDropAfter)
	if st := e.s.TokenState(other.ID); st != "live" {
		t.Fatalf("the other token is %s", st)
	}
	if st := e.s.TokenState(lost); st != "live" {
		t.Fatalf("the lost token is %s; with two candidates none may be revoked", st)
	}
	if len(ct.Owed.Intents) != 1 || len(ct.Owed.Revoke) != 0 {
		t.Fatalf("want the ambiguous mint owed as one open intent, got %+v", ct.Owed)
	}
	if e.s.CountRequests(emulator.OpRevoke) != 0 {
		t.Fatal("a revoke was sent")
	}
	// Settled later against a list, it names both, and stays open.
	toks, err := e.c.ListTokens(ctx, "svc_a")
	if err != nil {
		t.Fatal(err)
	}
	found, open, closed := e.c.Settle("svc_a", ct.Owed.Intents, toks, e.c.Now(), ct.ID)
	want := []string{other.ID, lost}
	slices.Sort(want)
	if len(found) != 0 || len(closed) != 0 || len(open) != 1 {
		t.Fatalf("found %v open %d closed %d, want one open intent", found, len(open), len(closed))
	}
	got := slices.Clone(open[0].Candidates)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("candidates %v, want %v", got, want)
	}
}

// When the clean-up cannot list, the error carries an open Intent that settles
// the question later: it matches the lost token and no other, also not a
// token of the same name that existed before.
func TestRecovery_lostMintMatchesLater(t *testing.T) {
	lostMintMatchesLater(t)
}

func lostMintMatchesLater(t *testing.T, mod ...func(*Config)) {
	t.Helper()
	e := newEmu(t, append([]func(*Config){func(c *Config) { c.RecoveryTimeout = 300 * time.Millisecond }}, mod...)...)
	ctx := ctxT(t)
	e.s.AddServiceAccount("svc_a")
	pre := e.s.MintToken("svc_a", "shared", 0, "")
	if _, err := e.c.ListTokens(ctx, "svc_a"); err != nil {
		t.Fatal(err)
	}
	e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
	e.s.InjectFault(emulator.Fault{Op: emulator.OpList, Kind: emulator.FaultStatus, Status: 500})
	_, err := e.c.CreateToken(ctx, "svc_a", CreateTokenRequest{Name: "shared", TTL: 3600})
	var amb *AmbiguousMintError
	if !errors.As(err, &amb) || len(amb.Owed.Intents) != 1 || len(amb.Owed.Revoke) != 0 {
		t.Fatalf("want an *AmbiguousMintError with one open intent, got %v", err)
	}
	lostIn := amb.Owed.Intents[0]
	if !contains(lostIn.Known, pre.ID) || lostIn.TTL != 3600 || lostIn.Name != "shared" || lostIn.Username != "svc_a" {
		t.Fatalf("intent %+v", lostIn)
	}
	e.s.ClearFaults()
	// A token of the same name minted after the request could no longer
	// commit (lateCommitBound) is not the lost one.
	e.s.Advance(lateCommitBound + time.Minute)
	e.s.MintToken("svc_a", "shared", time.Hour, "")
	other, err := New(Config{BaseURL: e.url, Token: e.s.AdminToken(), Now: e.s.Now})
	if err != nil {
		t.Fatal(err)
	}
	toks, err := other.ListTokens(ctx, "svc_a")
	if err != nil {
		t.Fatal(err)
	}
	got := ids(lostIn.Matches(toks))
	if lost := requestsTokenID(e.s, emulator.FaultDropAfter); len(got) != 1 || got[0] != lost {
		t.Fatalf("Matches = %v, want only the lost token %s", got, lost)
	}
}

// requestsTokenID returns the id of the token minted by the mint request
// that got fault f.
func requestsTokenID(s *emulator.Server, f emulator.FaultKind) string {
	for _, r := range s.Requests() {
		if r.Op == emulator.OpMint && r.Fault == string(f) {
			return r.TokenID
		}
	}
	return ""
}

// TestSettle_lostMintsOfOneShapeSettleEachOther: two lost mints of one
// resource (one request shape) and the two tokens they left: both tokens
// are theirs, neither is another state's. Three tokens for two mints are
// candidates, and both mints stay open.
func TestSettle_lostMintsOfOneShapeSettleEachOther(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	in := func(at time.Time) Intent {
		return Intent{Username: "u", Name: "n", From: at, To: at.Add(2 * time.Second)}
	}
	tok := func(id string, at time.Time) Token {
		return Token{ID: id, Name: "n", CreatedTS: at, TokenType: TokenTypeReadWrite}
	}
	ins := []Intent{in(t0), in(t0.Add(3 * time.Second))}
	toks := []Token{tok("a", t0.Add(20*time.Second)), tok("b", t0.Add(21*time.Second))}
	found, open, closed := c.Settle("u", ins, toks, t0.Add(time.Minute))
	slices.Sort(found)
	if !slices.Equal(found, []string{"a", "b"}) || len(open) != 0 || len(closed) != 0 {
		t.Fatalf("found %v open %d closed %d; want both tokens found", found, len(open), len(closed))
	}
	found, open, _ = c.Settle("u", ins, append(toks, tok("c", t0.Add(22*time.Second))), t0.Add(time.Minute))
	if len(found) != 0 || len(open) != 2 || len(open[0].Candidates) != 3 {
		t.Fatalf("found %v open %+v; want both mints open with three candidates", found, open)
	}
	// One token for two mints: it is theirs; the other mint stays open
	// until its window closes, then is dropped.
	found, open, closed = c.Settle("u", ins, toks[:1], t0.Add(time.Minute))
	if !slices.Equal(found, []string{"a"}) || len(open) != 1 || len(closed) != 0 {
		t.Fatalf("found %v open %d closed %d", found, len(open), len(closed))
	}
	_, open, closed = c.Settle("u", ins, toks[:1], t0.Add(time.Hour))
	if len(open) != 0 || len(closed) != 1 {
		t.Fatalf("after the windows closed: open %d closed %d", len(open), len(closed))
	}
}
