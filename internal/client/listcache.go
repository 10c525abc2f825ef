package client

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// listCache shares the token lists of one user within this Client:
// concurrent calls wait on one request, and its answer serves later calls
// until a write of that user (whatever its outcome) bumps the generation. A
// call that starts after a write never joins or uses a request that started
// before it. Errors are never cached.
type listCache struct {
	mu       sync.Mutex
	gen      uint64
	cache    []Token // raw answer (unfiltered) of a list started at cacheGen
	cacheGen uint64
	cacheOK  bool
	flights  map[uint64]*listFlight // in-flight shared lists, by generation
}

// listFlight is one shared in-flight list request of one generation.
type listFlight struct {
	gen     uint64
	done    chan struct{} // closed once toks and err are set
	toks    []Token
	err     error
	waiters int
	cancel  context.CancelFunc
}

// ListTokens returns the user's unexpired tokens (expire_at after the API's
// clock, Client.Now), without those this client revoked, as a fresh slice.
func (c *Client) ListTokens(ctx context.Context, username string) ([]Token, error) {
	if err := validUsername(OpListTokens, username); err != nil {
		return nil, err
	}
	s := c.users.get(username)
	cached, f, hit := s.lists.join(func(f *listFlight) {
		// The request runs detached from any one caller; it is cancelled
		// when every waiter has gone.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f.cancel = cancel
		go func() {
			defer cancel()
			ticket := s.ledger.listStarting()
			toks, err := c.getTokens(fctx, username)
			if err == nil {
				s.ledger.recordBaseline(ticket, toks)
			}
			s.lists.finish(f, toks, err)
		}()
	})
	if !hit {
		select {
		case <-f.done:
			if f.err != nil {
				return nil, f.err
			}
			cached = f.toks
		case <-ctx.Done():
			s.lists.leave(f)
			return nil, c.canceledError(&call{op: OpListTokens, method: http.MethodGet, path: tokensPath(username)}, 0, ctx.Err(), nil)
		}
	}
	return visible(cached, c.Now(), &s.ledger), nil
}

// visible returns fresh copies of the tokens of toks that are live at now
// and not revoked by this client.
func visible(toks []Token, now time.Time, l *ledger) []Token {
	out := make([]Token, 0, len(toks))
	for i := range toks {
		if t := &toks[i]; t.liveAt(now) && !l.isRevoked(t.ID) {
			out = append(out, t.clone())
		}
	}
	return out
}

// bump marks a write of the user: cached lists stop serving, and later list
// calls never join a request already in flight.
func (lc *listCache) bump() {
	lc.mu.Lock()
	lc.gen++
	lc.mu.Unlock()
}

// join returns the cached answer of the current generation (hit true), or
// else the shared request of this generation with the caller counted as one
// more waiter. When none is running, start is called (under the lock) with
// a new flight to run.
func (lc *listCache) join(start func(*listFlight)) (cached []Token, f *listFlight, hit bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.cacheOK && lc.cacheGen == lc.gen {
		return lc.cache, nil, true
	}
	f = lc.flights[lc.gen]
	if f == nil {
		f = &listFlight{gen: lc.gen, done: make(chan struct{})}
		lc.flights[lc.gen] = f
		start(f)
	}
	f.waiters++
	return nil, f, false
}

// leave drops a waiter that stopped waiting; the last one to leave cancels
// the request.
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

// finish records the outcome of f, caches a success when no write happened
// since f started, and releases f's waiters.
func (lc *listCache) finish(f *listFlight, toks []Token, err error) {
	lc.mu.Lock()
	f.toks, f.err = toks, err
	if lc.flights[f.gen] == f {
		delete(lc.flights, f.gen)
	}
	if err == nil && lc.gen == f.gen {
		lc.cache, lc.cacheGen, lc.cacheOK = toks, f.gen, true
	}
	lc.mu.Unlock()
	close(f.done)
}
