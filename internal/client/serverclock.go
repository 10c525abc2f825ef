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
// may have created), else from any answer's Date header. Readings that agree
// narrow the interval; one that does not replaces it when it is of the same
// or a better kind, so the evidence follows a clock that is stepped.
type serverClock struct {
	mu       sync.Mutex
	known    bool
	fromMint bool
	lo, hi   time.Duration // server time minus client time lies in [lo, hi]
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
	if !k.known {
		return 0
	}
	return k.lo + (k.hi-k.lo)/2
}

// uncertainty is how far the offset may be from offset().
func (k *serverClock) uncertainty() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return (k.hi - k.lo) / 2
}

// Now is the API's clock as far as its answers tell. Every decision about
// expiry or rotation is taken on it, never on the host's clock: a host an
// hour ahead of the API must not take a token the API still lists for expired.
func (c *Client) Now() time.Time { return c.now().Add(c.apiClock.offset()) }

// ClockKnown reports whether any answer of the API has told its clock yet.
func (c *Client) ClockKnown() bool {
	c.apiClock.mu.Lock()
	defer c.apiClock.mu.Unlock()
	return c.apiClock.known
}
