package client

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/wait"
)

// lateCommitBound is how long after the client gave up a server may still
// commit a request it never answered (a timeout, a dropped connection, a
// proxy's 502/503/504): until then "not listed yet" is no evidence.
const lateCommitBound = 10 * time.Minute

// intentSlack widens an intent's window on both sides: the API stamps
// created_ts to the second, and the offset of its clock is an estimate.
const intentSlack = 2 * time.Second

// Intent is a mint (or an account create) whose outcome is unknown, in one
// form from the failed call to the resource's private state. It holds no secret.
type Intent struct {
	Username    string `json:"username"`
	Name        string `json:"name"`
	TTL         int64  `json:"ttl,omitempty"`
	TokenType   string `json:"token_type,omitempty"`
	Description string `json:"description,omitempty"`
	// From and To bound the request on the API's clock, from sending to giving up.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Answered says the API itself answered (a JSON error, an unusable
	// success), so nothing can commit after To.
	Answered bool `json:"answered,omitempty"`
	// Known are ids known not to be this request's token.
	Known []string `json:"known,omitempty"`
	Hint  string   `json:"hint,omitempty"` // an id read from an unusable answer
	// ClockSlack widens the window by what is not known of the API's clock.
	ClockSlack time.Duration `json:"clock_slack,omitempty"`
	// Candidates: more than one token could be its own; kept so nobody drops it unseen.
	Candidates []string `json:"candidates,omitempty"`
	// offset: the API clock's offset From was taken with (in this process).
	offset time.Duration
}

// Closes is when the request can no longer commit, on the API's clock. A
// request not answered stays open longer by what was not known of that
// clock (ClockSlack): a window taken on a clock that was behind must not
// close early once the clock is better known.
func (in *Intent) Closes() time.Time {
	if in.Answered {
		return in.To
	}
	return in.To.Add(lateCommitBound + in.ClockSlack)
}

// cover widens the window to hold it also shifted by d, when the API's
// clock is found d away from the one the window was taken on.
func (in *Intent) cover(d time.Duration) {
	if d < 0 {
		in.From = in.From.Add(d)
	} else {
		in.To = in.To.Add(d)
	}
}

// Matches returns the listed tokens that the request may have created.
func (in *Intent) Matches(toks []Token, exclude ...string) []Token {
	req := CreateTokenRequest{Name: in.Name, TTL: in.TTL, TokenType: in.TokenType, Description: in.Description}
	lo := in.From.Truncate(time.Second).Add(-intentSlack - in.ClockSlack)
	hi := in.Closes().Add(intentSlack + in.ClockSlack)
	var out []Token
	for i := range toks {
		t := &toks[i]
		if !matchesRequest(t, req) || t.CreatedTS.Before(lo) || t.CreatedTS.After(hi) {
			continue
		}
		if slices.Contains(in.Known, t.ID) || slices.Contains(exclude, t.ID) {
			continue
		}
		out = append(out, t.clone())
	}
	return out
}

// Settle reads intents against toks, listed at listedAt (API clock). Mints of
// one request shape settle as a group, so that n lost mints and their tokens
// never take each other's for another state's: up to n matches are theirs
// (found), more are candidates and all stay open. exclude (held ids) and the
// tokens this client minted are never a match.
func (c *Client) Settle(username string, ins []Intent, toks []Token, listedAt time.Time, exclude ...string) (found []string, open, closed []Intent) {
	exclude = append(slices.Clone(exclude), c.users.get(username).ledger.mintedIDs()...)
	var order []CreateTokenRequest // one group per request shape
	groups := map[CreateTokenRequest][]Intent{}
	for _, in := range ins {
		k := CreateTokenRequest{Name: in.Name, TTL: in.TTL, TokenType: orDefault(in.TokenType), Description: in.Description}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], in)
	}
	listed := map[string]bool{}
	for _, t := range toks {
		listed[t.ID] = true
	}
	for _, k := range order {
		var rest []Intent
		var matches []string
		for _, in := range groups[k] {
			if in.Hint != "" && listed[in.Hint] && !slices.Contains(exclude, in.Hint) {
				found = append(found, in.Hint) // the answer to this very request named it
				exclude = append(exclude, in.Hint)
				continue
			}
			rest = append(rest, in)
		}
		for _, in := range rest {
			for _, t := range in.Matches(toks, exclude...) {
				if !slices.Contains(matches, t.ID) {
					matches = append(matches, t.ID)
				}
			}
		}
		if len(matches) > len(rest) {
			for _, in := range rest {
				in.Candidates = matches
				open = append(open, in)
			}
			continue
		}
		found = append(found, matches...)
		// The earliest mints take the matches; the others stay open until
		// their window closes.
		slices.SortStableFunc(rest, func(a, b Intent) int { return a.Closes().Compare(b.Closes()) })
		for _, in := range rest[len(matches):] {
			in.Candidates = nil
			if listedAt.Before(in.Closes()) {
				open = append(open, in)
			} else {
				closed = append(closed, in)
			}
		}
	}
	return found, open, closed
}

// Debt is what mints that went wrong left owed: tokens still to invalidate
// and requests of unknown outcome. The caller keeps it until it is settled.
type Debt struct {
	Revoke  []string `json:"revoke,omitempty"`
	Intents []Intent `json:"intents,omitempty"`
}

func (d *Debt) Empty() bool { return d == nil || (len(d.Revoke) == 0 && len(d.Intents) == 0) }

func (d *Debt) Add(o Debt) {
	d.Revoke = append(d.Revoke, o.Revoke...)
	d.Intents = append(d.Intents, o.Intents...)
}

// SettleDebt runs detached from the caller's cancellation: giving up early
// would leave a live token nobody knows of. With revoke false it only looks.
func (c *Client) SettleDebt(ctx context.Context, username string, d Debt, revoke bool, exclude ...string) (Debt, error) {
	if d.Empty() {
		return d, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()
	var out Debt
	var firstErr error
	if len(d.Intents) > 0 {
		// A fresh list, and the API's time taken before it: a window that
		// closes while the list is read is judged as still open.
		listedAt, clockKnown := c.Now(), c.ClockKnown()
		var toks []Token
		err := c.persist(rctx, func() (err error) {
			toks, err = c.getTokens(rctx, username)
			return err
		})
		if !clockKnown {
			listedAt = c.Now()
		}
		switch {
		case IsNotFound(err): // the user is gone, and its tokens with it
			d.Intents = nil
		case err != nil:
			out.Intents, firstErr = d.Intents, err
			d.Intents = nil
		}
		found, open, closed := c.Settle(username, d.Intents, toks, listedAt, exclude...)
		out.Revoke, out.Intents = append(out.Revoke, found...), append(out.Intents, open...)
		for _, in := range closed {
			c.log.Warn(ctx, "motherduck found no token left by an earlier mint of unknown outcome", map[string]any{
				"operation": OpMintToken, "path": tokensPath(username), "token_name": in.Name,
			})
		}
	}
	ids := append(slices.Clone(d.Revoke), out.Revoke...)
	out.Revoke = nil
	for _, id := range slices.Compact(ids) {
		if !revoke {
			out.Revoke = append(out.Revoke, id)
			continue
		}
		err := c.persist(rctx, func() error { return c.DeleteToken(rctx, username, id) })
		if err != nil && !IsNotFound(err) {
			out.Revoke = append(out.Revoke, id)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		c.log.Warn(ctx, "motherduck revoked a token left behind by a mint of unknown outcome", map[string]any{
			"operation": OpRevokeToken, "path": tokensPath(username), "token_id": id,
		})
	}
	return out, firstErr
}

// persist repeats op until it succeeds, fails for good, or ctx runs out.
func (c *Client) persist(ctx context.Context, op func() error) error {
	for round := 1; ; round++ {
		err := op()
		if err == nil || !transient(err) {
			return err
		}
		if wait.Sleep(ctx, c.backoff(round)) != nil {
			return err
		}
	}
}

// transient reports whether err may go away by itself; a refusal does not.
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
	}
	var te *TransportError
	var ie *InvalidResponseError
	var ue *ListUnsettledError
	return errors.As(err, &te) || errors.As(err, &ie) || errors.As(err, &ue)
}

// matchesRequest reports whether a mint of req could have given t. A token
// listed without a description is no conflict: older regions drop it.
func matchesRequest(t *Token, req CreateTokenRequest) bool {
	if t.Name != req.Name || orDefault(t.TokenType) != orDefault(req.TokenType) {
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
	return t.Description == nil || *t.Description == "" || *t.Description == req.Description
}

func orDefault(tokenType string) string {
	if tokenType == "" {
		return TokenTypeReadWrite
	}
	return tokenType
}
