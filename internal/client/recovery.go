package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/wait"
)

// recoverMint cleans up after a mint whose outcome is unknown: with a context
// detached from the caller's cancellation, it lists the user's tokens and
// revokes the token that this request may have created (see orphans), plus
// hintID when known (an id read from an unusable answer). It returns nil
// when that succeeded, else an
// *AmbiguousMintError; its Lost is set when the token's id could not be
// learnt (the list failed, or more than one listed token could be it).
func (c *Client) recoverMint(ctx context.Context, username string, u *user, req CreateTokenRequest, hintID string, at time.Time, w mintWindow, cause error) error {
	u.addSuspect(req, w, suspectLifetime)
	known := u.knownIDs()

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()

	var toks []Token
	lerr := c.persist(rctx, func() (err error) {
		toks, err = c.getTokens(rctx, username)
		return err
	})

	// An id read from an unusable answer (hintID) counts when it is new to
	// this process (a replayed answer can name only a token created since
	// the baseline). Listed as a token this request may have created, it
	// is the one; listed as another token, it is ignored; not listed, it is
	// revoked first, and a 404 (it names no token) leaves the list to search
	// (see orphans). A hint must never hide the token the request created.
	hinted := hintID != "" && !u.known(hintID)
	var hintTok *Token
	for i := range toks {
		if toks[i].ID == hintID {
			hintTok = &toks[i]
		}
	}
	search := lerr == nil
	var cands, left []string
	var firstErr error
	// revoke invalidates id, noting it as left behind when that fails other
	// than with a 404; it returns the error.
	revoke := func(id string) error {
		err := c.persist(rctx, func() error { return c.DeleteToken(rctx, username, id) })
		if err != nil && !IsNotFound(err) {
			left = append(left, id)
			if firstErr == nil {
				firstErr = err
			}
		}
		return err
	}
	switch {
	case !hinted:
	case lerr != nil: // cannot check it: revoke it
		cands = append(cands, hintID)
	case hintTok != nil && matchesRequest(hintTok, req):
		cands, search = append(cands, hintID), false
	case hintTok != nil: // another token, not this request's
	default:
		// Not listed: a list lagging behind, or an id that names no token
		// (a 404), which leaves the list to search.
		err := revoke(hintID)
		search = IsNotFound(err)
		if err == nil {
			c.logRevokedOrphan(ctx, username, req.Name, hintID)
		}
	}
	var unsure []string // more than one token could be this request's
	if search {
		found := orphans(u, toks, req, w)
		if len(found) > 1 {
			unsure = found
		} else {
			cands = append(cands, found...)
		}
	}

	for _, id := range cands {
		if err := revoke(id); err == nil || IsNotFound(err) {
			c.logRevokedOrphan(ctx, username, req.Name, id)
		}
	}
	if lerr == nil && len(left) == 0 && len(unsure) == 0 {
		return nil
	}
	rerr := lerr
	switch {
	case rerr != nil:
	case len(unsure) > 0:
		rerr = fmt.Errorf("%d tokens named %q were created while the request was out (%s); one of them may be another "+
			"client's, minted at the same time, so none was revoked", len(unsure), req.Name, strings.Join(unsure, ", "))
	default:
		rerr = firstErr
		if len(left) > 1 {
			rerr = fmt.Errorf("%w (and %d more revocations failed)", firstErr, len(left)-1)
		}
	}
	c.log.Warn(ctx, "motherduck could not clean up after a failed mint", map[string]any{
		"operation":  OpMintToken,
		"path":       tokensPath(username),
		"token_name": req.Name,
		"orphans":    append([]string(nil), left...),
		"candidates": append([]string(nil), unsure...),
		"reason":     rerr.Error(),
	})
	e := &AmbiguousMintError{Username: username, Name: req.Name, Cause: cause, Orphans: left, Candidates: unsure, At: at, RecoveryErr: rerr}
	if len(left) == 0 {
		e.Lost = &LostMint{
			Username: username, Name: req.Name, TTL: req.TTL, TokenType: req.TokenType, Description: req.Description,
			From: w.From, To: w.To, Known: known,
		}
	}
	return e
}

func (c *Client) logRevokedOrphan(ctx context.Context, username, name, id string) {
	c.log.Warn(ctx, "motherduck revoked a token left behind by a failed mint", map[string]any{
		"operation":  OpRevokeToken,
		"path":       tokensPath(username),
		"token_name": name,
		"token_id":   id,
	})
}

// orphans returns the ids of the listed tokens that a failed mint of req,
// out during w, may have created: unknown to this process (not in the
// baseline, not minted or revoked by it), matching the request (see
// matchesRequest), and created inside w. A token of the same name created
// outside w is never one: another workspace may hold it in its state.
func orphans(u *user, toks []Token, req CreateTokenRequest, w mintWindow) []string {
	var ids []string
	for i := range toks {
		t := &toks[i]
		if matchesRequest(t, req) && w.holds(t.CreatedTS) && !u.known(t.ID) {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// sweepSuspects revokes listed tokens that a recent ambiguous mint may have
// created and that its own recovery did not see (a server whose list lags
// behind, or that commits a request after the client gave up on it), and
// returns toks without the ones revoked. Only a token created inside the
// suspect's window counts, and only when it is the one such token: two
// cannot be told apart. A name whose mint is running is skipped: that
// mint's own recovery owns it.
func (c *Client) sweepSuspects(ctx context.Context, username string, u *user, toks []Token, sus []suspect) []Token {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()
	gone := map[string]bool{}
	for _, s := range sus {
		release, ok := u.tryLockName(s.req.Name)
		if !ok {
			continue
		}
		cands := orphans(u, toks, s.req, s.window)
		if len(cands) > 1 {
			c.log.Warn(ctx, "motherduck found several tokens that an earlier failed mint may have created, and revoked none", map[string]any{
				"operation":  OpRevokeToken,
				"path":       tokensPath(username),
				"token_name": s.req.Name,
				"candidates": cands,
			})
			cands = nil
		}
		for _, id := range cands {
			err := c.DeleteToken(sctx, username, id)
			if err == nil || IsNotFound(err) {
				gone[id] = true
				c.log.Warn(ctx, "motherduck revoked a token left behind by an earlier failed mint", map[string]any{
					"operation":  OpRevokeToken,
					"path":       tokensPath(username),
					"token_name": s.req.Name,
					"token_id":   id,
				})
				continue
			}
			c.log.Warn(ctx, "motherduck could not revoke a token left behind by an earlier failed mint", map[string]any{
				"operation":  OpRevokeToken,
				"path":       tokensPath(username),
				"token_name": s.req.Name,
				"token_id":   id,
				"reason":     err.Error(),
			})
		}
		release()
	}
	if len(gone) == 0 {
		return toks
	}
	out := make([]Token, 0, len(toks))
	for _, t := range toks {
		if !gone[t.ID] {
			out = append(out, t)
		}
	}
	return out
}

// persist repeats op, each time with the client's own retries, until it
// succeeds, fails for good, or ctx (the recovery budget) runs out. Cleaning
// up after a failed mint is worth more patience than an ordinary call: giving
// up early would leave a live token nobody knows of.
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
// error. Refusals (400, 401, 403, 404)
// do not.
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
