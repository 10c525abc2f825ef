package client

import (
	"net/http"
	"sync"
	"time"
)

// serverStampResolution is how coarse the API's clock readings are taken to
// be: created_ts and the Date header are whole seconds, so the server's time
// lies in [stamp, stamp+1s).
const serverStampResolution = time.Second

// serverClock is what the client knows of the API's clock: the offset of the
// server's clock from the client's (Config.Now), as an interval [lo, hi].
// The window of an ambiguous mint is compared with created_ts, which the
// server's clock stamps, so it is translated by this offset (see window).
//
// Evidence comes from two places. The created_ts of a token this client
// minted is the best: the same clock that stamps the tokens a lost mint may
// have created, read while the request was out. Until there is such a
// reading, the Date header of any answer (1s resolution, and possibly a
// proxy's clock) stands in; the baseline list that precedes every mint
// provides one. The latest reading of the best kind wins, so the evidence
// follows a clock that is stepped. It is safe for concurrent use.
type serverClock struct {
	mu       sync.Mutex
	known    bool
	fromMint bool          // the evidence is a minted token's created_ts
	lo, hi   time.Duration // server time minus client time lies in [lo, hi]
}

// observe records that the server's clock read stamp (to serverStampResolution)
// at some client time in [sent, got].
func (k *serverClock) observe(stamp, sent, got time.Time, fromMint bool) {
	if stamp.IsZero() || got.Before(sent) {
		return
	}
	lo := stamp.Sub(got)
	hi := stamp.Add(serverStampResolution).Sub(sent)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fromMint && !fromMint {
		return
	}
	k.known, k.fromMint, k.lo, k.hi = true, fromMint, lo, hi
}

// observeMint records the created_ts of a token minted by a request that was
// out between sent and got (client clock).
func (k *serverClock) observeMint(created, sent, got time.Time) {
	k.observe(created, sent, got, true)
}

// observeDate records the Date header of an answer to a request that was out
// between sent and got (client clock). A missing or unreadable header is
// ignored.
func (k *serverClock) observeDate(h http.Header, sent, got time.Time) {
	v := h.Get("Date")
	if v == "" {
		return
	}
	date, err := http.ParseTime(v)
	if err != nil {
		return
	}
	k.observe(date, sent, got, false)
}

// offset returns the best estimate of server time minus client time: the
// middle of what the evidence allows, or 0 without evidence.
func (k *serverClock) offset() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.known {
		return 0
	}
	return k.lo + (k.hi-k.lo)/2
}

// Now is the API's clock as far as its answers tell: the client's clock
// (Config.Now) moved by the offset learnt from the API's Date headers and
// the created_ts of minted tokens. Every decision about expiry or rotation
// is taken on it, never on the host's clock: a host running an hour ahead
// of the API must not take a token the API still lists for expired.
func (c *Client) Now() time.Time { return c.now().Add(c.apiClock.offset()) }

// ClockKnown reports whether any answer of the API has told its clock yet.
func (c *Client) ClockKnown() bool {
	c.apiClock.mu.Lock()
	defer c.apiClock.mu.Unlock()
	return c.apiClock.known
}
