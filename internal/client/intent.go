package client

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/wait"
)

// lateCommitBound is how long after the client stopped waiting a server is
// taken to be able to still commit a request it never answered (a timeout, a
// dropped connection, a 502/503/504 from a proxy in front of it). Until then
// "not in the list yet" is no evidence that the request created nothing.
const lateCommitBound = 10 * time.Minute

// intentSlack widens an intent's window on both sides: the API stamps
// created_ts to the second, and the offset of its clock is an estimate.
const intentSlack = 2 * time.Second

// Intent is a mint whose outcome is unknown: the one form it takes, from the
// moment the client gave up on its answer to the private state of the
// resource that keeps it until evidence settles it. It holds no secret.
type Intent struct {
	Username    string `json:"username"`
	Name        string `json:"name"`
	TTL         int64  `json:"ttl,omitempty"`
	TokenType   string `json:"token_type,omitempty"`
	Description string `json:"description,omitempty"`
	// From and To bound the request on the API's clock: from just before it
	// was sent to when the client stopped waiting for it.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Answered says the API itself answered (a JSON error, an unusable
	// success): it was done with the request at To, so nothing can commit
	// later. Otherwise the request may still commit until To+lateCommitBound.
	Answered bool `json:"answered,omitempty"`
	// Known are the ids of the user's tokens known not to be this request's
	// (listed before it, or minted by this client for other requests).
	Known []string `json:"known,omitempty"`
	// Hint is an id read from an unusable answer to this request.
	Hint string `json:"hint,omitempty"`
	// Candidates are the tokens the last settle found that could each be
	// its token (more than one): kept so that nobody drops it unseen.
	Candidates []string `json:"candidates,omitempty"`
}

// Closes is when the request can no longer commit, on the API's clock.
func (in *Intent) Closes() time.Time {
	if in.Answered {
		return in.To
	}
	return in.To.Add(lateCommitBound)
}

func (in *Intent) request() CreateTokenRequest {
	return CreateTokenRequest{Name: in.Name, TTL: in.TTL, TokenType: in.TokenType, Description: in.Description}
}

// Matches returns the listed tokens that the request may have created: the
// same name, token type, ttl and description, created between From and
// Closes (widened by intentSlack), and not among Known or exclude.
func (in *Intent) Matches(toks []Token, exclude ...string) []Token {
	req := in.request()
	lo := in.From.Truncate(time.Second).Add(-intentSlack)
	hi := in.Closes().Add(intentSlack)
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

// Settlement is what a list of the user's tokens says about an intent.
type Settlement struct {
	// Found is its token: listed, and the only token it can be.
	Found string
	// Candidates are the tokens it may have created when more than one
	// could be its: one of them may be another workspace's, so none is
	// touched and the intent stays open.
	Candidates []string
	// Open says the intent is still ambiguous and must be kept.
	Open bool
	// Closed says nothing was found and the request can no longer commit:
	// it created nothing (or its token is already gone).
	Closed bool
}

// Settle reads the intent against toks, a list of its user's tokens made
// after the request (on the API's clock, now). exclude are ids the caller
// holds (its state), never this request's token.
func (in *Intent) Settle(toks []Token, now time.Time, exclude ...string) Settlement {
	if in.Hint != "" && !slices.Contains(exclude, in.Hint) {
		// The answer to this very request named it: whatever it says of
		// itself, it is this request's token.
		for _, t := range toks {
			if t.ID == in.Hint {
				return Settlement{Found: in.Hint}
			}
		}
	}
	found := in.Matches(toks, exclude...)
	switch {
	case len(found) == 1:
		return Settlement{Found: found[0].ID}
	case len(found) > 1:
		ids := make([]string, len(found))
		for i, t := range found {
			ids[i] = t.ID
		}
		return Settlement{Candidates: ids, Open: true}
	case !now.Before(in.Closes()):
		return Settlement{Closed: true}
	default:
		return Settlement{Open: true}
	}
}

// Debt is what the client owes the API after mints that went wrong: tokens
// created by them that could not be invalidated (Revoke), and requests
// whose outcome is still unknown (Intents). A caller keeps it until it is
// settled (the provider: in the resource's state).
type Debt struct {
	Revoke  []string `json:"revoke,omitempty"`
	Intents []Intent `json:"intents,omitempty"`
}

// Empty reports whether nothing is owed.
func (d *Debt) Empty() bool { return d == nil || (len(d.Revoke) == 0 && len(d.Intents) == 0) }

// Add appends o to d.
func (d *Debt) Add(o Debt) {
	d.Revoke = append(d.Revoke, o.Revoke...)
	d.Intents = append(d.Intents, o.Intents...)
}

// SettleDebt settles every intent of d against a fresh list of username's
// tokens and invalidates what is owed, with a context detached from the
// caller's cancellation and bounded by the recovery timeout: giving up early
// would leave a live token nobody knows of. It returns what is still owed.
// exclude are ids the caller holds. When revoke is false it only looks: a
// token found joins Revoke, for the caller to invalidate later.
func (c *Client) SettleDebt(ctx context.Context, username string, d Debt, revoke bool, exclude ...string) (Debt, error) {
	if d.Empty() {
		return d, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()
	var out Debt
	var firstErr error
	if len(d.Intents) > 0 {
		var toks []Token
		err := c.persist(rctx, func() (err error) {
			toks, err = c.ListTokens(rctx, username)
			return err
		})
		switch {
		case IsNotFound(err): // the user is gone, and its tokens with it
			d.Intents = nil
		case err != nil:
			out.Intents, firstErr = d.Intents, err
			d.Intents = nil
		}
		now := c.Now()
		for i := range d.Intents {
			in := d.Intents[i]
			s := in.Settle(toks, now, exclude...)
			switch {
			case s.Found != "":
				out.Revoke = append(out.Revoke, s.Found)
			case s.Open:
				in.Candidates = s.Candidates
				out.Intents = append(out.Intents, in)
			default:
				c.log.Warn(ctx, "motherduck found no token left by an earlier mint of unknown outcome", map[string]any{
					"operation": OpMintToken, "path": tokensPath(username), "token_name": in.Name,
				})
			}
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

// persist repeats op, each time with the client's own retries, until it
// succeeds, fails for good, or ctx (the recovery budget) runs out.
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

// transient reports whether err may go away by itself: a transport failure,
// an unusable answer, a list that changed while it was read, 429 or a server
// error. Refusals (400, 401, 403, 404) do not.
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

// matchesRequest reports whether t has what a mint of req gives a token: the
// same name and token type, a lifetime matching the ttl (within
// ttlTolerance) or no expiry without ttl, and no conflicting description.
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
