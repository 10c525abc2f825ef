package client

import (
	"net/http"
	"sync"
	"time"
)

// serverStampResolution: created_ts and the Date header are whole seconds.
const serverStampResolution = time.Second

// serverClock is the offset of the API's clock from Config.Now, best learnt
// from a minted token's created_ts (the clock that stamps what a lost mint
// may have created), else from any answer's Date header, unless a token list
// contradicts that Date (observeList). Readings that agree narrow the
// interval; one that does not replaces it when it is of the same or a better
// kind, so the evidence follows a clock that is stepped.
type serverClock struct {
	mu       sync.Mutex
	known    bool
	fromMint bool
	lo, hi   time.Duration // server time minus client time lies in [lo, hi]
	// dateUntrusted: a token list's Date (or, without one, the client's
	// clock) was more than contradicted past a token that list holds live:
	// it is not the clock of the timestamps, and Date readings are no longer
	// used. Until a mint tells the clock, the newest listed created_ts is
	// the estimate (listLo, a lower bound), uncertain by how far the Date
	// was from it (disagree).
	dateUntrusted    bool
	listLo, disagree time.Duration
	hasListLo        bool
}

// contradicted: how far a Date may run past a token its list holds live
// (an API may drop an expired token from its list a little late).
const contradicted = time.Minute

// observeList checks the clock against a list answered at some client time
// in [sent, got], once a Date is the only evidence.
func (k *serverClock) observeList(toks []Token, sent, got time.Time) {
	if len(toks) == 0 {
		return
	}
	newest, expiry := listBounds(toks)
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.dateUntrusted:
		if lo := newest.Sub(got); !k.hasListLo || lo > k.listLo {
			k.listLo, k.hasListLo = lo, true
		}
	case k.fromMint || expiry == nil || !newest.Before(*expiry):
		// A mint told the clock; or nothing listed expires; or a token was
		// created after another had expired: that API lists expired
		// tokens, and its list says nothing of its clock.
	default:
		off, _ := k.estimate()
		if off-expiry.Sub(sent) <= contradicted {
			return
		}
		k.dateUntrusted, k.known = true, false
		k.listLo, k.hasListLo = newest.Sub(got), true
		k.disagree = off - k.listLo
	}
}

// listBounds: the newest created_ts, and the earliest expire_at (nil when
// none expires).
func listBounds(toks []Token) (newest time.Time, expiry *time.Time) {
	for i := range toks {
		if toks[i].CreatedTS.After(newest) {
			newest = toks[i].CreatedTS
		}
		if e := toks[i].ExpireAt; e != nil && (expiry == nil || e.Before(*expiry)) {
			expiry = e
		}
	}
	return newest, expiry
}

// observe: the server's clock read stamp at some client time in [sent, got].
func (k *serverClock) observe(stamp, sent, got time.Time, fromMint bool) {
	if stamp.IsZero() || got.Before(sent) {
		return
	}
	lo := stamp.Sub(got)
	hi := stamp.Add(serverStampResolution).Sub(sent)
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case k.dateUntrusted && !fromMint:
	case k.known && lo <= k.hi && hi >= k.lo:
		k.lo, k.hi, k.fromMint = max(lo, k.lo), min(hi, k.hi), k.fromMint || fromMint
	case k.fromMint && !fromMint:
	default:
		k.known, k.fromMint, k.lo, k.hi = true, fromMint, lo, hi
	}
}

func (k *serverClock) observeMint(created, sent, got time.Time) {
	k.observe(created, sent, got, true)
}

func (k *serverClock) observeDate(h http.Header, sent, got time.Time) {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	k.observe(date, sent, got, false)
}

// offset is the middle of what the evidence allows.
func (k *serverClock) offset() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	off, _ := k.estimate()
	return off
}

// uncertainty is how far the offset may be from offset(): once the Date is
// untrusted, how far it was, so that a window taken on either clock holds
// what the API stamps.
func (k *serverClock) uncertainty() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, u := k.estimate()
	return u
}

// estimate: the middle of the readings, else the newest listed created_ts
// once the Date is untrusted, else (no Date, nothing minted) the client's
// clock, as uncertain as the time a request may still commit. Called with
// k.mu held.
func (k *serverClock) estimate() (off, uncertainty time.Duration) {
	switch {
	case k.known:
		return k.lo + (k.hi-k.lo)/2, (k.hi - k.lo) / 2
	case k.hasListLo:
		return k.listLo, k.disagree
	}
	return 0, lateCommitBound
}

// Now is the API's clock as far as its answers tell. Every decision about
// expiry or rotation is taken on it, never on the host's clock: a host an
// hour ahead of the API must not take a token the API still lists for expired.
func (c *Client) Now() time.Time { return c.now().Add(c.apiClock.offset()) }

// ClockKnown reports whether any answer of the API has told its clock yet.
func (c *Client) ClockKnown() bool {
	c.apiClock.mu.Lock()
	defer c.apiClock.mu.Unlock()
	return c.apiClock.known || c.apiClock.hasListLo
}
