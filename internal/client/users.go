package client

import (
	"context"
	"slices"
	"sync"
	"time"
)

// users is the client's per-user bookkeeping: one *user per username, made
// on first use and kept for the life of the Client.
type users struct {
	mu sync.Mutex
	m  map[string]*user
}

// get returns the bookkeeping of username, creating it.
func (us *users) get(username string) *user {
	us.mu.Lock()
	defer us.mu.Unlock()
	if us.m == nil {
		us.m = map[string]*user{}
	}
	u := us.m[username]
	if u == nil {
		u = &user{
			flights:  map[uint64]*listFlight{},
			baseline: map[string]struct{}{},
			minted:   map[string]struct{}{},
			revoked:  map[string]struct{}{},
			locks:    map[string]*nameLock{},
		}
		us.m[username] = u
	}
	return u
}

// user is everything the client remembers about one user. Its fields are
// touched only by the methods below, under mu.
type user struct {
	mu sync.Mutex

	// gen is bumped before and after every write (mint, revoke, user
	// create/delete) of the user; a list answer is only reused within the
	// generation in which its request started.
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
	// ambiguous is set once a mint of the user left an intent open: a
	// list may then show its late token, which must never join the
	// baseline.
	ambiguous bool
	// locks serialise mints per token name.
	locks map[string]*nameLock
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

// nameLock is a context-aware mutex for one (user, token name).
type nameLock struct {
	ch   chan struct{}
	refs int
}

// bump marks a write of the user: cached lists stop serving, and later list
// calls never join a request already in flight.
func (u *user) bump() {
	u.mu.Lock()
	u.gen++
	u.mu.Unlock()
}

// joinList returns the cached list answer of the current generation
// (hit true), or else the shared request of this generation with the caller
// counted as one more waiter. When none is running, start is called (under
// the lock) with a new flight to run.
func (u *user) joinList(start func(*listFlight)) (cached []Token, f *listFlight, hit bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.cacheOK && u.cacheGen == u.gen {
		return u.cache, nil, true
	}
	f = u.flights[u.gen]
	if f == nil {
		f = &listFlight{gen: u.gen, done: make(chan struct{})}
		u.flights[u.gen] = f
		start(f)
	}
	f.waiters++
	return nil, f, false
}

// leaveList drops a waiter that stopped waiting; the last one to leave
// cancels the request.
func (u *user) leaveList(f *listFlight) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		if u.flights[f.gen] == f {
			delete(u.flights, f.gen)
		}
		f.cancel()
	}
}

// finishList records the outcome of f, caches a success when no write
// happened since f started, and releases f's waiters.
func (u *user) finishList(f *listFlight, toks []Token, err error) {
	u.mu.Lock()
	f.toks, f.err = toks, err
	if u.flights[f.gen] == f {
		delete(u.flights, f.gen)
	}
	if err == nil && u.gen == f.gen {
		u.cache, u.cacheGen, u.cacheOK = toks, f.gen, true
	}
	u.mu.Unlock()
	close(f.done)
}

// visible returns fresh copies of the tokens of toks that are live at now
// and not revoked by this client.
func (u *user) visible(toks []Token, now time.Time) []Token {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]Token, 0, len(toks))
	for i := range toks {
		t := &toks[i]
		if !t.liveAt(now) {
			continue
		}
		if _, gone := u.revoked[t.ID]; gone {
			continue
		}
		out = append(out, t.clone())
	}
	return out
}

// baselineTicket is taken before a list request; recordBaseline uses it to
// tell whether the answer can serve as the baseline.
type baselineTicket struct {
	eligible bool
	epoch    uint64
}

// listStarting returns the ticket of a list request about to be sent: it is
// eligible when no mint of the user is running and no mint of it is of
// unknown outcome.
func (u *user) listStarting() baselineTicket {
	u.mu.Lock()
	defer u.mu.Unlock()
	return baselineTicket{eligible: u.mintsActive == 0 && !u.ambiguous, epoch: u.mintEpoch}
}

// recordBaseline adds the listed ids to the baseline when no mint started or
// ran while the request was out.
func (u *user) recordBaseline(tk baselineTicket, toks []Token) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if tk.eligible && u.mintEpoch == tk.epoch && u.mintsActive == 0 {
		for _, t := range toks {
			u.baseline[t.ID] = struct{}{}
		}
		u.baselineKnown = true
	}
}

// hasBaseline reports whether the baseline has been learnt.
func (u *user) hasBaseline() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.baselineKnown
}

// startMint counts a mint as running (so that lists made meanwhile do not
// feed the baseline) until the returned func is called.
func (u *user) startMint() (end func()) {
	u.mu.Lock()
	u.mintsActive++
	u.mintEpoch++
	u.mu.Unlock()
	return func() {
		u.mu.Lock()
		u.mintsActive--
		u.mu.Unlock()
	}
}

// addMinted remembers an id this process minted and handed back.
func (u *user) addMinted(id string) {
	u.mu.Lock()
	u.minted[id] = struct{}{}
	u.mu.Unlock()
}

// revokeDone marks the end of a revoke of id (a write); gone says whether
// the token is now known to be invalid.
func (u *user) revokeDone(id string, gone bool) {
	u.mu.Lock()
	u.gen++
	if gone {
		u.revoked[id] = struct{}{}
	}
	u.mu.Unlock()
}

// known reports whether id is in the baseline, was minted by this process or
// was already revoked by it.
func (u *user) known(id string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.baseline[id]; ok {
		return true
	}
	if _, ok := u.minted[id]; ok {
		return true
	}
	_, ok := u.revoked[id]
	return ok
}

// markAmbiguous notes that a mint of the user left something owed.
func (u *user) markAmbiguous() {
	u.mu.Lock()
	u.ambiguous = true
	u.mu.Unlock()
}

// knownIDs returns the ids known returns true for, sorted.
func (u *user) knownIDs() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	ids := make([]string, 0, len(u.baseline)+len(u.minted)+len(u.revoked))
	for _, m := range []map[string]struct{}{u.baseline, u.minted, u.revoked} {
		for id := range m {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// lockName acquires the mint lock of a token name, giving up when ctx ends.
func (u *user) lockName(ctx context.Context, name string) (release func(), err error) {
	l := u.refName(name)
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; u.unrefName(name, l) }, nil
	case <-ctx.Done():
		u.unrefName(name, l)
		return nil, ctx.Err()
	}
}

// refName returns the mint lock of name, creating it, with one more
// reference; unrefName drops it.
func (u *user) refName(name string) *nameLock {
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.locks[name]
	if l == nil {
		l = &nameLock{ch: make(chan struct{}, 1)}
		u.locks[name] = l
	}
	l.refs++
	return l
}

func (u *user) unrefName(name string, l *nameLock) {
	u.mu.Lock()
	defer u.mu.Unlock()
	l.refs--
	if l.refs == 0 && u.locks[name] == l {
		delete(u.locks, name)
	}
}
