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
	// What the lists prove, whatever a Date header says: the API stamped
	// every listed created_ts before answering (offset >= dataLo) and lists
	// no expired token (offset < dataHi).
	dataLo, dataHi       time.Duration
	hasDataLo, hasDataHi bool
}

// contradicted: a Date reading further than this past what the lists allow
// is taken for a header that does not tell the clock of the timestamps,
// and the lists' own evidence is used instead.
const contradicted = time.Minute

// observeList learns bounds of the offset from a list answered at some
// client time in [sent, got].
func (k *serverClock) observeList(toks []Token, sent, got time.Time) {
	var lo, hi time.Duration
	hasLo, hasHi := false, false
	for i := range toks {
		if d := toks[i].CreatedTS.Sub(got); !hasLo || d > lo {
			lo, hasLo = d, true
		}
		if e := toks[i].ExpireAt; e != nil {
			if d := e.Add(serverStampResolution).Sub(sent); !hasHi || d < hi {
				hi, hasHi = d, true
			}
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if hasLo && (!k.hasDataLo || lo > k.dataLo) {
		k.dataLo, k.hasDataLo = lo, true
	}
	if hasHi && (!k.hasDataHi || hi < k.dataHi) {
		k.dataHi, k.hasDataHi = hi, true
	}
	if k.hasDataLo && k.hasDataHi && k.dataLo >= k.dataHi { // a stepped clock: this list alone
		k.dataLo, k.hasDataLo, k.dataHi, k.hasDataHi = lo, hasLo, hi, hasHi
	}
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
	off, _ := k.estimate()
	return off
}

// uncertainty is how far the offset may be from offset(): also, when the
// lists contradict the Date header, how far apart the two are, so that a
// window taken on either clock holds what the API stamps.
func (k *serverClock) uncertainty() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, u := k.estimate()
	return u
}

// estimate: the readings' middle, unless a listed token proves it late (the
// API listed a token that on that clock had expired): a Date a little late
// is moved just below that expiry; one far off gives way to the newest
// listed created_ts. Lists that hold a token created after another had
// expired are no evidence: that API lists expired tokens. Called with k.mu
// held.
func (k *serverClock) estimate() (off, uncertainty time.Duration) {
	if k.known {
		off, uncertainty = k.lo+(k.hi-k.lo)/2, (k.hi-k.lo)/2
	}
	if !k.hasDataHi || off < k.dataHi || k.fromMint || (k.hasDataLo && k.dataLo >= k.dataHi) {
		return off, uncertainty
	}
	moved := k.dataHi - time.Second
	if k.hasDataLo && (off-k.dataHi > contradicted || moved < k.dataLo) {
		moved = k.dataLo
	}
	return moved, max(uncertainty, off-moved)
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
