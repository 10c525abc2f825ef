package client

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// listCache shares one user's token lists: calls wait on one request, whose
// answer serves until a write of that user bumps the generation, so a call
// never uses a list started before a write. Errors are never cached.
type listCache struct {
	mu       sync.Mutex
	gen      uint64
	cache    []Token // unfiltered
	cacheAt  time.Time
	cacheGen uint64
	cacheOK  bool
	flights  map[uint64]*listFlight // by generation
}

type listFlight struct {
	gen     uint64
	done    chan struct{}
	toks    []Token
	at      time.Time // Config.Now when the answer came
	err     error
	waiters int
	cancel  context.CancelFunc
}

// ListTokens returns the user's tokens the API lists (it leaves out expired
// ones), without those this client revoked and those a cached list holds
// that have surely expired since (listFloor), as a fresh slice.
// Its tokens share their pointer fields with the cache: read through them,
// never write.
func (c *Client) ListTokens(ctx context.Context, username string) ([]Token, error) {
	if err := validUsername(OpListTokens, username); err != nil {
		return nil, err
	}
	s := c.users.get(username)
	cached, at, f, hit := s.lists.join(func(f *listFlight) {
		// Detached from any one caller, cancelled when every waiter has gone.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f.cancel = cancel
		go func() {
			defer cancel()
			ticket := s.ledger.listStarting()
			toks, err := c.getTokens(fctx, username)
			if err == nil {
				s.ledger.recordBaseline(ticket, toks)
			}
			s.lists.finish(f, toks, c.now(), err)
		}()
	})
	if !hit {
		select {
		case <-f.done:
			if f.err != nil {
				return nil, f.err
			}
			cached, at = f.toks, f.at
		case <-ctx.Done():
			s.lists.leave(f)
			return nil, c.canceledError(&call{op: OpListTokens, method: http.MethodGet, path: tokensPath(username)}, 0, ctx.Err(), nil)
		}
	}
	return visible(cached, listFloor(cached, at, c.now()), &s.ledger), nil
}

// listFloor is the earliest the API's clock can be now, from the list
// alone: it stamped every created_ts before answering at client time at
// (less a minute, for API hosts whose clocks differ a little). No clock
// estimate (a Date header may be another clock) can hide a token the API
// may still hold live: one past its expire_at on this floor has surely
// expired.
func listFloor(toks []Token, at, now time.Time) time.Time {
	newest, _ := listBounds(toks)
	return newest.Add(now.Sub(at) - contradicted)
}

// visible filters the cached list under one hold of the ledger's lock. The
// tokens are copied, their pointer fields (never written after decoding)
// are shared: every refresh calls this on its user's whole list.
func visible(toks []Token, now time.Time, l *ledger) []Token {
	out := make([]Token, 0, len(toks))
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range toks {
		if _, revoked := l.revoked[toks[i].ID]; !revoked && toks[i].liveAt(now) {
			out = append(out, toks[i])
		}
	}
	return out
}

// bump marks a write of the user, whatever its outcome.
func (lc *listCache) bump() {
	lc.mu.Lock()
	lc.gen++
	lc.mu.Unlock()
}

// join returns the cached answer of the current generation, or else its
// shared request, started (under the lock) if none is running.
func (lc *listCache) join(start func(*listFlight)) (cached []Token, at time.Time, f *listFlight, hit bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.cacheOK && lc.cacheGen == lc.gen {
		return lc.cache, lc.cacheAt, nil, true
	}
	f = lc.flights[lc.gen]
	if f == nil {
		f = &listFlight{gen: lc.gen, done: make(chan struct{})}
		lc.flights[lc.gen] = f
		start(f)
	}
	f.waiters++
	return nil, time.Time{}, f, false
}

func (lc *listCache) leave(f *listFlight) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		if lc.flights[f.gen] == f {
			delete(lc.flights, f.gen)
		}
		f.cancel()
	}
}

func (lc *listCache) finish(f *listFlight, toks []Token, at time.Time, err error) {
	lc.mu.Lock()
	f.toks, f.at, f.err = toks, at, err
	if lc.flights[f.gen] == f {
		delete(lc.flights, f.gen)
	}
	if err == nil && lc.gen == f.gen {
		lc.cache, lc.cacheAt, lc.cacheGen, lc.cacheOK = toks, at, f.gen, true
	}
	lc.mu.Unlock()
	close(f.done)
}
