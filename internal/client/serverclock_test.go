package client

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// The API's clock an hour ahead of the client's, or an hour behind: far
// beyond the slack of a mint window.
var clockSkews = []time.Duration{time.Hour, -time.Hour}

// An ambiguous mint against an API whose clock is far from the client's
// (the client on time.Now, the emulator's clock ticking an hour off) is
// recovered: the token the dropped request created is revoked, the retry's
// token returned, nothing else of that name left live. The offset comes
// from the Date header of the baseline list when the client has minted
// nothing yet, and from the created_ts of an earlier mint once it has, even
// when every Date it sees is misleading (a proxy on the client's clock).
func TestRecovery_serverClockSkew(t *testing.T) {
	for _, skew := range clockSkews {
		for _, evidence := range []string{"date header", "earlier mint"} {
			t.Run(skew.String()+"/"+evidence, func(t *testing.T) {
				e := newEmu(t, func(c *Config) {
					c.Now = nil // time.Now
					if evidence == "earlier mint" {
						c.HTTPClient = &http.Client{Transport: proxyDate(baseTransport(t))}
					}
				})
				e.s.SetRealTimeClock(true)
				e.s.Advance(skew)
				ctx := ctxT(t)
				e.s.AddServiceAccount("svc_a")
				if evidence == "earlier mint" {
					if _, err := e.c.CreateToken(ctx, "svc_a", CreateTokenRequest{Name: "first"}); err != nil {
						t.Fatalf("first CreateToken: %v", err)
					}
					// A later answer's misleading Date does not undo
					// what the mint told.
					n := e.s.CountRequests(emulator.OpList)
					if _, err := e.c.ListTokens(ctx, "svc_a"); err != nil || e.s.CountRequests(emulator.OpList) == n {
						t.Fatalf("ListTokens: %v (list requests before %d, after %d)", err, n, e.s.CountRequests(emulator.OpList))
					}
				}

				e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
				ct, err := e.c.CreateToken(ctx, "svc_a", CreateTokenRequest{Name: "skewed", TTL: 3600})
				if err != nil {
					t.Fatalf("CreateToken: %v", err)
				}
				lost := requestsTokenID(e.s, emulator.FaultDropAfter)
				if lost == "" || e.s.TokenState(lost) != "revoked" {
					t.Fatalf("the token of the dropped mint (%q) is %s, want revoked", lost, e.s.TokenState(lost))
				}
				live := e.liveByName("svc_a", "skewed")
				if len(live) != 1 || live[0].ID != ct.ID {
					t.Fatalf("live tokens named skewed: %v, want only the returned %s", live, ct.ID)
				}
			})
		}
	}
}

// proxyDate stamps every answer with the client host's clock, as a proxy
// would: the Date header then says nothing of the API's clock.
func proxyDate(next http.RoundTripper) http.RoundTripper {
	return rtFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if resp != nil {
			resp.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		}
		return resp, err
	})
}

// shiftedNow makes the client's clock the emulator's moved by -skew, so that
// the emulator's clock is skew ahead of the client's however it is moved.
func shiftedNow(skew time.Duration) func(*Config) {
	return func(c *Config) {
		now := c.Now
		c.Now = func() time.Time { return now().Add(-skew) }
	}
}

// The window protections hold under skew: same-name tokens created outside
// the window on the API's clock are spared, two inside it are both left
// alone, and a LostMint matches the lost token on a later list.
func TestRecovery_windowProtectionsUnderSkew(t *testing.T) {
	for _, skew := range clockSkews {
		t.Run(skew.String(), func(t *testing.T) {
			t.Run("spares same-name tokens outside the window", func(t *testing.T) {
				sparesSameNameTokens(t, shiftedNow(skew))
			})
			t.Run("two candidates revokes none", func(t *testing.T) {
				twoCandidatesRevokesNone(t, shiftedNow(skew))
			})
			t.Run("lost mint matches later", func(t *testing.T) {
				lostMintMatchesLater(t, shiftedNow(skew))
			})
		})
	}
}

// TestServerClock_now: Client.Now is the client's clock moved by the best
// estimate of the API's offset (the middle of what the evidence allows).
func TestServerClock_now(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	date := func(at time.Time) http.Header {
		return http.Header{"Date": []string{at.Format(http.TimeFormat)}}
	}
	tests := []struct {
		name    string
		observe func(k *serverClock)
		want    time.Duration
	}{
		{"no evidence: the client's clock", func(*serverClock) {}, 0},
		{"unreadable Date ignored", func(k *serverClock) {
			k.observeDate(http.Header{"Date": []string{"yesterday"}}, t0, t0)
		}, 0},
		// The server read 09:00:00 while the request was out from t0 to
		// t0+1s: its clock is between 59m59s and 1h1s ahead.
		{"Date header", func(k *serverClock) {
			k.observeDate(date(t0.Add(time.Hour)), t0, t0.Add(time.Second))
		}, time.Hour},
		{"a mint beats a later Date", func(k *serverClock) {
			k.observeMint(t0.Add(-time.Hour), t0, t0)
			k.observeDate(date(t0), t0, t0)
		}, -time.Hour + time.Second/2},
		// Readings that agree narrow the interval: [1h-10s, 1h+1s] and
		// [1h-10s, 1h+4s] leave [1h-10s, 1h+1s], whose middle is 1h-4.5s
		// (the latest alone would say 1h-3s).
		{"agreeing readings narrow", func(k *serverClock) {
			k.observeMint(t0.Add(time.Hour), t0, t0.Add(10*time.Second))
			k.observeMint(t0.Add(time.Hour+20*time.Second), t0.Add(17*time.Second), t0.Add(30*time.Second))
		}, time.Hour - 4500*time.Millisecond},
		{"the latest mint wins", func(k *serverClock) {
			k.observeMint(t0.Add(-time.Hour), t0, t0)
			k.observeMint(t0.Add(time.Hour), t0, t0)
		}, time.Hour + time.Second/2},
		// A list the Date agrees with changes nothing.
		{"a Date the list allows", func(k *serverClock) {
			k.observeDate(date(t0), t0, t0)
			k.observeList([]Token{listed(t0.Add(-time.Minute), 10*time.Minute)}, t0, t0)
		}, time.Second / 2},
		// The API listed a token created at 07:00 that expires at 07:10 in
		// an answer whose Date says 08:00: that Date is not the clock of
		// the timestamps. The newest created_ts is the API's time at least.
		{"a Date the list contradicts", func(k *serverClock) {
			k.observeDate(date(t0), t0, t0)
			k.observeList([]Token{listed(t0.Add(-time.Hour), 10*time.Minute), listed(t0.Add(-2*time.Hour), 0)}, t0, t0)
		}, -time.Hour},
		// An API may leave an expired token in its list a little while:
		// a Date less than a minute past it is kept.
		{"a Date a little past a listed expiry", func(k *serverClock) {
			k.observeDate(date(t0), t0, t0)
			k.observeList([]Token{listed(t0.Add(-5*time.Minute), 5*time.Minute-10*time.Second)}, t0, t0)
		}, time.Second / 2},
		// Once untrusted, Date readings are not used; a later list moves
		// the estimate to its newest created_ts.
		{"an untrusted Date stays unused", func(k *serverClock) {
			k.observeDate(date(t0), t0, t0)
			k.observeList([]Token{listed(t0.Add(-time.Hour), 10*time.Minute)}, t0, t0)
			k.observeDate(date(t0.Add(time.Minute)), t0.Add(time.Minute), t0.Add(time.Minute))
			k.observeList([]Token{listed(t0.Add(-time.Hour), 10*time.Minute), listed(t0.Add(-30*time.Minute), 10*time.Minute)},
				t0.Add(time.Minute), t0.Add(time.Minute))
		}, -31 * time.Minute},
		// No bound outlives its list: after a list that agreed, a clock
		// stepped two hours forward is followed.
		{"a stepped clock is followed", func(k *serverClock) {
			k.observeDate(date(t0), t0, t0)
			k.observeList([]Token{listed(t0.Add(-time.Minute), 10*time.Minute)}, t0, t0)
			k.observeDate(date(t0.Add(2*time.Hour)), t0, t0)
		}, 2*time.Hour + time.Second/2},
		// A token created after another had expired: this API lists
		// expired tokens, and its list says nothing against the Date.
		{"a list with an expired token is no evidence", func(k *serverClock) {
			k.observeDate(date(t0), t0, t0)
			k.observeList([]Token{listed(t0.Add(-48*time.Hour), time.Hour), listed(t0.Add(-time.Minute), 0)}, t0, t0)
		}, time.Second / 2},
		{"a mint is not overruled by a list", func(k *serverClock) {
			k.observeMint(t0, t0, t0)
			k.observeList([]Token{listed(t0.Add(-time.Hour), 10*time.Minute)}, t0, t0)
		}, time.Second / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{now: func() time.Time { return t0 }}
			tt.observe(&c.apiClock)
			if got := c.Now().Sub(t0); got != tt.want {
				t.Fatalf("Now() is %v from the client's clock, want %v", got, tt.want)
			}
		})
	}
}

// listed is a listed token created at created, with a ttl (0: none).
func listed(created time.Time, ttl time.Duration) Token {
	t := Token{ID: created.String(), CreatedTS: created}
	if ttl > 0 {
		e := created.Add(ttl)
		t.ExpireAt = &e
	}
	return t
}

// TestServerClock_dateOfAnotherClock: every Date the client sees is on the
// client's clock (a proxy's), an hour off the clock that stamps the tokens,
// and the client has minted nothing yet. A token the API lists is not taken
// for expired, and a mint whose answer was lost, then retried, leaves no
// token live that the client does not return or owe: whether the lists
// show the Date wrong before the mint (a listed token with ttl), only
// during its recovery (the lost token's ttl), or never.
func TestServerClock_dateOfAnotherClock(t *testing.T) {
	for _, skew := range clockSkews {
		for _, ttls := range []struct{ existing, minted time.Duration }{{600 * time.Second, time.Hour}, {0, 600 * time.Second}, {0, 0}} {
			t.Run(fmt.Sprintf("%s/existing ttl %s, minted ttl %s", skew, ttls.existing, ttls.minted), func(t *testing.T) {
				e := newEmu(t, func(c *Config) {
					c.Now = nil // time.Now
					c.HTTPClient = &http.Client{Transport: proxyDate(baseTransport(t))}
				})
				e.s.SetRealTimeClock(true)
				e.s.Advance(skew)
				ctx := ctxT(t)
				e.s.AddServiceAccount("svc_a")
				existing := e.s.MintToken("svc_a", "existing", ttls.existing, "")
				toks, err := e.c.ListTokens(ctx, "svc_a")
				if err != nil || !contains(ids(toks), existing.ID) {
					t.Fatalf("listed %v (%v): the token the API lists live is missing", ids(toks), err)
				}

				e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
				ct, err := e.c.CreateToken(ctx, "svc_a", CreateTokenRequest{Name: "lost", TTL: int64(ttls.minted / time.Second)})
				if err != nil {
					t.Fatalf("CreateToken: %v", err)
				}
				if _, err := e.c.SettleDebt(ctx, "svc_a", ct.Owed, true); err != nil {
					t.Fatalf("SettleDebt: %v", err)
				}
				lost := requestsTokenID(e.s, emulator.FaultDropAfter)
				if lost == "" || e.s.TokenState(lost) != "revoked" {
					t.Fatalf("the token of the dropped mint (%q) is %s, want revoked", lost, e.s.TokenState(lost))
				}
			})
		}
	}
}

// TestServerClock_dateALittlePastAListedExpiry: a Date 10m20s ahead of the
// clock of a token with ttl 600 is within a minute of its expiry, so it is
// kept as the clock; the token the API lists is still listed live.
func TestServerClock_dateALittlePastAListedExpiry(t *testing.T) {
	e := newEmu(t, func(c *Config) { c.Now = nil })
	e.s.SetRealTimeClock(true)
	e.s.SetDateOffset(10*time.Minute + 20*time.Second)
	e.s.AddServiceAccount("svc_a")
	tok := e.s.MintToken("svc_a", "short", 600*time.Second, "")
	toks, err := e.c.ListTokens(ctxT(t), "svc_a")
	if err != nil || !contains(ids(toks), tok.ID) {
		t.Fatalf("listed %v (%v): the token the API lists live is missing", ids(toks), err)
	}
}

// TestIntent_openWhileItsClockWasUntrusted: a lost mint recorded while a
// stale list had made the Date untrusted (the clock a month behind) is not
// closed by a later, honest clock one minute on: it stays open by what was
// not known of the clock.
func TestIntent_openWhileItsClockWasUntrusted(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	c := &Client{now: func() time.Time { return t0 }}
	c.apiClock.observeDate(http.Header{"Date": []string{t0.Format(http.TimeFormat)}}, t0, t0)
	c.apiClock.observeList([]Token{listed(t0.Add(-720*time.Hour), 10*time.Minute)}, t0, t0)
	in := Intent{From: c.Now(), To: c.Now(), ClockSlack: c.apiClock.uncertainty()}
	if honest := t0.Add(time.Minute); !honest.Before(in.Closes()) {
		t.Fatalf("closes at %s, before the honest clock's %s: a late commit would be missed", in.Closes(), honest)
	}
}

// TestServerClock_noDateHeader: an API that sends no Date (the contract
// promises none), five minutes off the client's clock: a mint whose answer
// was lost, tried once, is found and its token revoked, because nothing
// known of the API's clock widens its window.
func TestServerClock_noDateHeader(t *testing.T) {
	for _, skew := range []time.Duration{5 * time.Minute, -5 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			e := newEmu(t, func(c *Config) {
				c.Now, c.MaxAttempts = nil, 1 // time.Now
				c.HTTPClient = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
					resp, err := baseTransport(t).RoundTrip(r)
					if resp != nil {
						resp.Header.Del("Date")
					}
					return resp, err
				})}
			})
			e.s.SetRealTimeClock(true)
			e.s.Advance(skew)
			e.s.AddServiceAccount("svc_a")
			e.s.InjectFault(emulator.Fault{Op: emulator.OpMint, Kind: emulator.FaultDropAfter, Times: 1})
			if _, err := e.c.CreateToken(ctxT(t), "svc_a", CreateTokenRequest{Name: "lost", TTL: 3600}); err == nil {
				t.Fatal("CreateToken succeeded with one attempt and a lost answer")
			}
			lost := requestsTokenID(e.s, emulator.FaultDropAfter)
			if lost == "" || e.s.TokenState(lost) != "revoked" {
				t.Fatalf("the token of the dropped mint (%q) is %s, want revoked", lost, e.s.TokenState(lost))
			}
		})
	}
}
