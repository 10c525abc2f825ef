package client

import (
	"context"
	"fmt"
)

// userState is everything the client remembers about one user. It is
// guarded by Client.mu.
type userState struct {
	// gen is bumped before and after every write (mint, revoke, user
	// create/delete) for the user; list answers are only reused within the
	// generation in which their request started.
	gen      uint64
	cache    []Token // raw answer (unfiltered) of a list started at cacheGen
	cacheGen uint64
	cacheOK  bool
	flights  map[uint64]*listFlight // in-flight shared lists, by generation

	// baseline holds ids known to have existed before this process's mints.
	baseline      map[string]struct{}
	baselineKnown bool
	// minted holds ids this process minted and handed back.
	minted map[string]struct{}
	// revoked holds ids this process revoked (or found already gone).
	revoked map[string]struct{}
	// mintEpoch counts mints started; mintsActive counts mints running.
	mintEpoch   uint64
	mintsActive int
	// suspects are signatures of recent ambiguous mints.
	suspects []suspect
	// locks serialise mints per token name.
	locks map[string]*nameLock
}

// listFlight is one shared in-flight list request.
type listFlight struct {
	done    chan struct{}
	toks    []Token
	err     error
	waiters int
	cancel  context.CancelFunc
}

// nameLock is a context-aware mutex for one (user, token name).
type nameLock struct {
	ch   chan struct{}
	refs int
}

func (c *Client) userLocked(username string) *userState {
	st := c.users[username]
	if st == nil {
		st = &userState{
			flights:  map[uint64]*listFlight{},
			baseline: map[string]struct{}{},
			minted:   map[string]struct{}{},
			revoked:  map[string]struct{}{},
			locks:    map[string]*nameLock{},
		}
		c.users[username] = st
	}
	return st
}

// bumpGen invalidates the user's cached list and detaches later list calls
// from requests already in flight.
func (c *Client) bumpGen(username string) {
	c.mu.Lock()
	c.userLocked(username).gen++
	c.mu.Unlock()
}

// visibleLocked returns fresh copies of the tokens that are live at Now() and
// not revoked by this client.
func (c *Client) visibleLocked(st *userState, toks []Token) []Token {
	now := c.now()
	out := make([]Token, 0, len(toks))
	for i := range toks {
		t := &toks[i]
		if !t.liveAt(now) {
			continue
		}
		if _, gone := st.revoked[t.ID]; gone {
			continue
		}
		out = append(out, t.clone())
	}
	return out
}

// ListTokens returns the user's unexpired tokens (expire_at > Config.Now()),
// sharing work within this Client: concurrent calls for one user wait on a
// single request, and its answer serves later calls until a mint or revoke
// of that user. A call that starts after such a write never joins or reuses a
// request that started before it. Errors are not cached; the returned slice
// is the caller's to modify.
func (c *Client) ListTokens(ctx context.Context, username string) ([]Token, error) {
	if err := validUsername(OpListTokens, username); err != nil {
		return nil, err
	}
	c.mu.Lock()
	st := c.userLocked(username)
	if st.cacheOK && st.cacheGen == st.gen {
		out := c.visibleLocked(st, st.cache)
		c.mu.Unlock()
		return out, nil
	}
	gen := st.gen
	f := st.flights[gen]
	if f == nil {
		// The request runs detached from any one caller; it is cancelled when
		// every waiter has gone.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &listFlight{done: make(chan struct{}), cancel: cancel}
		st.flights[gen] = f
		go c.runListFlight(fctx, username, st, gen, f)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		c.mu.Lock()
		defer c.mu.Unlock()
		f.waiters--
		if f.err != nil {
			return nil, f.err
		}
		return c.visibleLocked(st, f.toks), nil
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			if st.flights[gen] == f {
				delete(st.flights, gen)
			}
			f.cancel()
		}
		c.mu.Unlock()
		return nil, c.canceledError(&call{op: OpListTokens, method: "GET", path: tokensPath(username)}, 0, ctx.Err(), nil)
	}
}

func (c *Client) runListFlight(ctx context.Context, username string, st *userState, gen uint64, f *listFlight) {
	defer f.cancel()
	toks, err := c.fetchTokens(ctx, username)
	c.mu.Lock()
	f.toks, f.err = toks, err
	if st.flights[gen] == f {
		delete(st.flights, gen)
	}
	if err == nil && st.gen == gen {
		st.cache, st.cacheGen, st.cacheOK = toks, gen, true
	}
	c.mu.Unlock()
	close(f.done)
}

// fetchTokens lists the user's tokens from the server. When no mint of the
// user ran during the request (and no ambiguous mint is recent), the answer
// feeds the user's baseline. Tokens left by recent ambiguous mints are
// revoked and left out (see sweepSuspects).
func (c *Client) fetchTokens(ctx context.Context, username string) ([]Token, error) {
	c.mu.Lock()
	st := c.userLocked(username)
	eligible := st.mintsActive == 0 && !c.hasSuspectsLocked(st)
	epoch := st.mintEpoch
	c.mu.Unlock()

	toks, err := c.getTokens(ctx, username)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	if eligible && st.mintEpoch == epoch && st.mintsActive == 0 {
		for _, t := range toks {
			st.baseline[t.ID] = struct{}{}
		}
		st.baselineKnown = true
	}
	sus := c.liveSuspectsLocked(st)
	c.mu.Unlock()

	if len(sus) > 0 {
		toks = c.sweepSuspects(ctx, username, toks, sus)
	}
	return toks, nil
}

// ensureBaseline makes sure the user's baseline is known, listing the user
// (shared with concurrent ListTokens calls and mints) if needed.
func (c *Client) ensureBaseline(ctx context.Context, username string) error {
	for range 3 {
		c.mu.Lock()
		known := c.userLocked(username).baselineKnown
		c.mu.Unlock()
		if known {
			return nil
		}
		if _, err := c.ListTokens(ctx, username); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: could not learn the existing tokens of user %q", OpMintToken, username)
}

// lockName acquires the mint lock of (username, name), giving up when ctx ends.
func (c *Client) lockName(ctx context.Context, username, name string) (func(), error) {
	st, l := c.refName(username, name)
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; c.unrefName(st, name, l) }, nil
	case <-ctx.Done():
		c.unrefName(st, name, l)
		return nil, ctx.Err()
	}
}

// tryLockName acquires the mint lock of (username, name) only if it is free.
func (c *Client) tryLockName(username, name string) (func(), bool) {
	st, l := c.refName(username, name)
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; c.unrefName(st, name, l) }, true
	default:
		c.unrefName(st, name, l)
		return nil, false
	}
}

// refName returns the mint lock of (username, name), creating it, with one
// more reference; unrefName drops it.
func (c *Client) refName(username, name string) (*userState, *nameLock) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.userLocked(username)
	l := st.locks[name]
	if l == nil {
		l = &nameLock{ch: make(chan struct{}, 1)}
		st.locks[name] = l
	}
	l.refs++
	return st, l
}

func (c *Client) unrefName(st *userState, name string, l *nameLock) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l.refs--
	if l.refs == 0 && st.locks[name] == l {
		delete(st.locks, name)
	}
}
