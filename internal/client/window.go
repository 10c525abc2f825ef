package client

import (
	"slices"
	"time"
)

// mintWindowSlack widens the window of an ambiguous mint on both sides. The
// API stamps created_ts to the second: the slack covers the rounding, and a
// server clock that is off by about a second from what the client made of it
// (or from the client's clock, when the client has no reading of it yet). A
// token stamped outside the widened window is never taken for the lost
// mint's token.
const mintWindowSlack = 2 * time.Second

// mintWindow is the stretch of time in which a mint request was out, from
// just before it was sent to the moment the client gave up on its answer,
// on the server's clock as far as the client can tell (serverClock.window
// translates the client's readings). Only a token created inside it can be
// the token that request minted; a token of the same name created outside
// it is someone else's (another workspace minting the same name, for
// instance).
type mintWindow struct {
	From, To time.Time
}

// holds reports whether created (a token's created_ts) lies in the window,
// widened by mintWindowSlack.
func (w mintWindow) holds(created time.Time) bool {
	lo := w.From.Truncate(time.Second).Add(-mintWindowSlack)
	hi := w.To.Add(mintWindowSlack)
	return !created.Before(lo) && !created.After(hi)
}

// LostMint identifies the token that a mint request may have created when
// the client could not learn that token's id (the API stayed unreachable for
// the whole clean-up, or more than one listed token could be it). It holds no
// secret: a caller can keep it (the provider keeps it in private state) and
// settle it later with Matches on a fresh list of the user's tokens.
type LostMint struct {
	Username    string `json:"username"`
	Name        string `json:"name"`
	TTL         int64  `json:"ttl,omitempty"`
	TokenType   string `json:"token_type,omitempty"`
	Description string `json:"description,omitempty"`
	// From and To bound the request on the server's clock, as the client
	// estimated it (see mintWindow): comparable with created_ts.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Known are the ids of the user's tokens that the client knew to exist
	// (or to have been minted or revoked by it) before the request.
	Known []string `json:"known,omitempty"`
}

// Matches returns the tokens of toks that the lost mint may have created:
// same name, token type, ttl and description as the request, created inside
// its window, and not among the ids known before it. One match is the lost
// token; none means the request created nothing (or its token is gone);
// more than one cannot be told apart.
func (l *LostMint) Matches(toks []Token) []Token {
	req := l.request()
	w := mintWindow{From: l.From, To: l.To}
	var out []Token
	for i := range toks {
		t := &toks[i]
		if matchesRequest(t, req) && w.holds(t.CreatedTS) && !slices.Contains(l.Known, t.ID) {
			out = append(out, t.clone())
		}
	}
	return out
}

func (l *LostMint) request() CreateTokenRequest {
	return CreateTokenRequest{Name: l.Name, TTL: l.TTL, TokenType: l.TokenType, Description: l.Description}
}

// matchesRequest reports whether t has what a mint of req gives a token: the
// same name and token type, a lifetime matching the ttl (within
// ttlTolerance) or no expiry without ttl, and no conflicting description.
func matchesRequest(t *Token, req CreateTokenRequest) bool {
	if t.Name != req.Name {
		return false
	}
	want := req.TokenType
	if want == "" {
		want = TokenTypeReadWrite
	}
	got := t.TokenType
	if got == "" {
		got = TokenTypeReadWrite
	}
	if got != want {
		return false
	}
	if req.TTL > 0 {
		if t.ExpireAt == nil {
			return false
		}
		d := t.ExpireAt.Sub(t.CreatedTS) - time.Duration(req.TTL)*time.Second
		if d < -ttlTolerance || d > ttlTolerance {
			return false
		}
	} else if t.ExpireAt != nil {
		return false
	}
	if t.Description != nil && *t.Description != "" && *t.Description != req.Description {
		return false
	}
	return true
}
