package emulator

import (
	mrand "math/rand"
	"strings"
	"time"
)

// randSource is the deterministic source of random faults.
type randSource = *mrand.Rand

// FaultKind says what an injected fault does to a request.
type FaultKind string

// Fault kinds.
const (
	// FaultStatus answers Status (with the contract's JSON error body for that
	// status, or a plain-text body for 429/502/503/504) and the Retry-After
	// header if RetryAfter is set; the operation is NOT performed.
	FaultStatus FaultKind = "status"
	// FaultDropBefore hijacks and closes the connection without performing the
	// operation.
	FaultDropBefore FaultKind = "drop_before"
	// FaultDropAfter performs (commits) the operation, then hijacks and closes
	// the connection without answering.
	FaultDropAfter FaultKind = "drop_after"
	// FaultDelay sleeps Delay (respecting request cancellation), then handles
	// the request normally.
	FaultDelay FaultKind = "delay"
	// FaultRepeatCursor applies to token lists only: the list is answered
	// normally, except that its next_page_token is the page_token the request
	// carried, or, on a first page, the cursor of that same first page. A
	// client that follows it is handed the same cursor twice.
	FaultRepeatCursor FaultKind = "repeat_cursor"
	// FaultCommitLate waits Delay whatever the client does, then performs
	// (commits) the operation and answers, if the client is still there: a
	// server that completes a request after the client gave up on it.
	FaultCommitLate FaultKind = "commit_late"
	// FaultMismatch applies to mints only: the token is minted with the
	// other token_type than the request asked for, and answered (and
	// listed) that way: an answer that does not match its request.
	FaultMismatch FaultKind = "mismatch"
)

// Fault describes a fault to inject into matching /v1 requests.
type Fault struct {
	Op       string // "" = any op (see the Op* constants)
	Username string // "" = any user (decoded; for create_user the body's username)
	// UserAgent restricts the fault to requests whose User-Agent header
	// contains it ("" = any): one of several clients sharing the emulator.
	UserAgent string
	// LaterPages restricts the fault to requests that carry a page_token
	// query parameter (the second and later pages of a list).
	LaterPages bool
	Kind       FaultKind
	Status     int    // for FaultStatus; 0 means 500
	RetryAfter string // raw Retry-After header value ("1", or an HTTP date)
	PlainText  bool   // for FaultStatus: a plain-text body, as a proxy or an unmatched route answers
	Delay      time.Duration
	Times      int // apply to the next Times matching requests; 0 = every matching request until cleared
}

func (f *Fault) matches(rt route) bool {
	if f.Op != "" && f.Op != rt.op {
		return false
	}
	if f.Username != "" && f.Username != rt.username {
		return false
	}
	if f.UserAgent != "" && !strings.Contains(rt.userAgent, f.UserAgent) {
		return false
	}
	if f.LaterPages && !rt.paged {
		return false
	}
	switch f.Kind {
	case FaultStatus, FaultDropBefore, FaultDropAfter, FaultDelay, FaultCommitLate:
		return true
	case FaultMismatch:
		return rt.op == OpMint
	case FaultRepeatCursor:
		return rt.op == OpList
	}
	return false
}

type faultState struct {
	f    Fault
	left int // remaining uses when f.Times > 0
}

// InjectFault adds a fault. Faults are checked in order of injection; the
// first that matches a request and has uses left applies. Faults of an
// unknown kind never match.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{f: f, left: f.Times})
}

// ClearFaults removes every injected fault and turns random faults off.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.rnd = nil
	s.randFaults = nil
	s.randRate = 0
}

// SetRandomFaults makes each /v1 request fail, with probability rate, with one
// of faults picked uniformly among those whose Op and Username match the
// request (Times is ignored), using a math/rand source seeded with seed: given
// the order of requests the outcome is deterministic. The source is consulted
// for every /v1 request, but an explicit fault (InjectFault) that applies wins
// over a random one. A rate <= 0 or an empty list turns random faults off.
func (s *Server) SetRandomFaults(seed int64, rate float64, faults []Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rate <= 0 || len(faults) == 0 {
		s.rnd = nil
		s.randFaults = nil
		s.randRate = 0
		return
	}
	s.rnd = mrand.New(mrand.NewSource(seed))
	s.randRate = rate
	s.randFaults = append([]Fault(nil), faults...)
}

// pickFaultLocked chooses the fault for a request, consuming one use of an
// explicit fault and advancing the random source.
func (s *Server) pickFaultLocked(rt route) *Fault {
	var chosen *Fault
	for _, fs := range s.faults {
		if !fs.f.matches(rt) {
			continue
		}
		if fs.f.Times > 0 {
			if fs.left <= 0 {
				continue
			}
			fs.left--
		}
		f := fs.f
		chosen = &f
		break
	}
	if s.rnd != nil {
		if s.rnd.Float64() < s.randRate {
			var cands []Fault
			for _, f := range s.randFaults {
				if f.matches(rt) {
					cands = append(cands, f)
				}
			}
			if len(cands) > 0 {
				f := cands[s.rnd.Intn(len(cands))]
				if chosen == nil {
					chosen = &f
				}
			}
		}
	}
	return chosen
}
