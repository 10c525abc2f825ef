package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/wait"
)

// recoverMint cleans up after a mint whose outcome is unknown: with a context
// detached from the caller's cancellation, it lists the user's tokens and
// revokes every one that this request may have created (see orphan), plus
// hintID when known. It returns nil when that succeeded, else an
// *AmbiguousMintError.
func (c *Client) recoverMint(ctx context.Context, username string, u *user, req CreateTokenRequest, hintID string, at time.Time, cause error) error {
	u.addSuspect(req, suspectLifetime)

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()

	var toks []Token
	lerr := c.persist(rctx, func() (err error) {
		toks, err = c.getTokens(rctx, username)
		return err
	})

	var cands []string
	if hintID != "" && !u.known(hintID) {
		cands = append(cands, hintID)
	}
	if lerr == nil {
		for i := range toks {
			if toks[i].ID != hintID && orphan(u, &toks[i], req) {
				cands = append(cands, toks[i].ID)
			}
		}
	}

	var orphans []string
	var firstErr error
	for _, id := range cands {
		err := c.persist(rctx, func() error { return c.DeleteToken(rctx, username, id) })
		if err != nil && !IsNotFound(err) {
			orphans = append(orphans, id)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		c.log.Warn(ctx, "motherduck revoked a token left behind by a failed mint", map[string]any{
			"operation":  OpRevokeToken,
			"path":       tokensPath(username),
			"token_name": req.Name,
			"token_id":   id,
		})
	}
	if lerr == nil && len(orphans) == 0 {
		return nil
	}
	rerr := lerr
	if rerr == nil {
		rerr = firstErr
		if len(orphans) > 1 {
			rerr = fmt.Errorf("%w (and %d more revocations failed)", firstErr, len(orphans)-1)
		}
	}
	c.log.Warn(ctx, "motherduck could not clean up after a failed mint", map[string]any{
		"operation":  OpMintToken,
		"path":       tokensPath(username),
		"token_name": req.Name,
		"orphans":    append([]string(nil), orphans...),
		"reason":     rerr.Error(),
	})
	return &AmbiguousMintError{Username: username, Name: req.Name, Cause: cause, Orphans: orphans, At: at, RecoveryErr: rerr}
}

// orphan reports whether t may have been created by a failed mint of req:
// unknown to this process (not in the baseline, not minted or revoked by
// it), same name, same token type, a lifetime matching the ttl (within
// ttlTolerance) or no expiry without ttl, and no conflicting description.
func orphan(u *user, t *Token, req CreateTokenRequest) bool {
	if t.Name != req.Name || u.known(t.ID) {
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

// sweepSuspects revokes listed tokens that a recent ambiguous mint may have
// created after its own recovery looked (a server committing late), and
// returns toks without the ones revoked. A name whose mint is running is
// skipped: that mint's own recovery owns it.
func (c *Client) sweepSuspects(ctx context.Context, username string, u *user, toks []Token, sus []suspect) []Token {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()
	gone := map[string]bool{}
	seen := map[string]bool{}
	for _, s := range sus {
		if seen[s.req.Name] {
			continue
		}
		seen[s.req.Name] = true
		release, ok := u.tryLockName(s.req.Name)
		if !ok {
			continue
		}
		var cands []string
		for i := range toks {
			for _, s2 := range sus {
				if s2.req.Name == s.req.Name && orphan(u, &toks[i], s2.req) {
					cands = append(cands, toks[i].ID)
					break
				}
			}
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
// an unusable answer, 429 or a server error. Refusals (400, 401, 403, 404)
// do not.
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
	}
	var te *TransportError
	var ie *InvalidResponseError
	return errors.As(err, &te) || errors.As(err, &ie)
}
