package client

import (
	"context"
	"slices"
	"sync"
)

// perUser holds what the client keeps about each user, for the life of the
// Client: two things with two jobs, each behind its own lock.
type perUser struct {
	mu sync.Mutex
	m  map[string]*userState
}

type userState struct {
	lists  listCache
	ledger ledger
}

func (p *perUser) get(username string) *userState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]*userState{}
	}
	s := p.m[username]
	if s == nil {
		s = &userState{
			lists: listCache{flights: map[uint64]*listFlight{}},
			ledger: ledger{baseline: map[string]struct{}{}, minted: map[string]struct{}{}, revoked: map[string]struct{}{},
				locks: map[string]*nameLock{}},
		}
		p.m[username] = s
	}
	return s
}

// ledger is what the client knows of one user's tokens as a minter: the ids
// that existed before its mints (the baseline), those it minted and revoked.
type ledger struct {
	mu sync.Mutex

	baseline      map[string]struct{}
	baselineKnown bool
	minted        map[string]struct{}
	revoked       map[string]struct{}
	mintEpoch     uint64 // mints started
	mintsActive   int
	// ambiguous: a mint left an intent open, so a list may show its late
	// token, which must never join the baseline.
	ambiguous bool
	locks     map[string]*nameLock
}

// baselineTicket tells recordBaseline whether a list can be the baseline:
// no mint ran or was of unknown outcome while it was out.
type baselineTicket struct {
	eligible bool
	epoch    uint64
}

func (l *ledger) listStarting() baselineTicket {
	l.mu.Lock()
	defer l.mu.Unlock()
	return baselineTicket{eligible: l.mintsActive == 0 && !l.ambiguous, epoch: l.mintEpoch}
}

func (l *ledger) recordBaseline(tk baselineTicket, toks []Token) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tk.eligible && l.mintEpoch == tk.epoch && l.mintsActive == 0 {
		for _, t := range toks {
			l.baseline[t.ID] = struct{}{}
		}
		l.baselineKnown = true
	}
}

func (l *ledger) hasBaseline() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.baselineKnown
}

// startMint counts a mint as running until the returned func is called.
func (l *ledger) startMint() (end func()) {
	l.mu.Lock()
	l.mintsActive++
	l.mintEpoch++
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.mintsActive--
		l.mu.Unlock()
	}
}

func (l *ledger) addMinted(id string) {
	l.mu.Lock()
	l.minted[id] = struct{}{}
	l.mu.Unlock()
}

func (l *ledger) addRevoked(id string) {
	l.mu.Lock()
	l.revoked[id] = struct{}{}
	l.mu.Unlock()
}

// mintedIDs are the ids this client minted and handed back: another
// resource's tokens, never a lost mint's.
func (l *ledger) mintedIDs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make([]string, 0, len(l.minted))
	for id := range l.minted {
		ids = append(ids, id)
	}
	return ids
}

func (l *ledger) markAmbiguous() {
	l.mu.Lock()
	l.ambiguous = true
	l.mu.Unlock()
}

// known reports whether id is in the baseline, minted or revoked.
func (l *ledger) known(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range []map[string]struct{}{l.baseline, l.minted, l.revoked} {
		if _, ok := m[id]; ok {
			return true
		}
	}
	return false
}

func (l *ledger) knownIDs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make([]string, 0, len(l.baseline)+len(l.minted)+len(l.revoked))
	for _, m := range []map[string]struct{}{l.baseline, l.minted, l.revoked} {
		for id := range m {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// nameLock is a context-aware mutex for one (user, token name).
type nameLock struct {
	ch   chan struct{}
	refs int
}

func (l *ledger) lockName(ctx context.Context, name string) (release func(), err error) {
	nl := l.refName(name)
	select {
	case nl.ch <- struct{}{}:
		return func() { <-nl.ch; l.unrefName(name, nl) }, nil
	case <-ctx.Done():
		l.unrefName(name, nl)
		return nil, ctx.Err()
	}
}

func (l *ledger) refName(name string) *nameLock {
	l.mu.Lock()
	defer l.mu.Unlock()
	nl := l.locks[name]
	if nl == nil {
		nl = &nameLock{ch: make(chan struct{}, 1)}
		l.locks[name] = nl
	}
	nl.refs++
	return nl
}

func (l *ledger) unrefName(name string, nl *nameLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	nl.refs--
	if nl.refs == 0 && l.locks[name] == nl {
		delete(l.locks, name)
	}
}
