package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// suspect is the signature of a mint whose outcome was unknown.
type suspect struct {
	req   CreateTokenRequest
	until time.Time
}

// CreateToken mints a token for username and returns it with its secret.
//
// A mint is not idempotent, so it is retried without further ado only when
// the request certainly had no effect (429, or a failure before a connection
// was obtained). When the outcome is unknown (5xx, a dropped connection, a
// timeout after sending, the caller's cancellation, an unusable success body)
// the client recovers as described in the package documentation: it looks
// for the token the failed request may have created, revokes it, and mints
// again while attempts remain and the caller has not cancelled. Every token
// this call creates is therefore either returned or revoked; when that cannot
// be ensured the error is an *AmbiguousMintError naming what to check.
//
// Errors: *APIError for a definite refusal (400, 401, 403, 404 ...), the last
// failure when every attempt failed, *AmbiguousMintError as above.
func (c *Client) CreateToken(ctx context.Context, username string, req CreateTokenRequest) (*CreatedToken, error) {
	if err := validUsername(OpMintToken, username); err != nil {
		return nil, err
	}
	if req.Name == "" {
		return nil, fmt.Errorf("%s: token name is empty", OpMintToken)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the request: %w", OpMintToken, err)
	}
	cl := &call{op: OpMintToken, method: http.MethodPost, path: tokensPath(username), body: body}

	if err := c.ensureBaseline(ctx, username); err != nil {
		return nil, fmt.Errorf("%s: listing the user's existing tokens first: %w", OpMintToken, err)
	}
	release, err := c.lockName(ctx, username, req.Name)
	if err != nil {
		return nil, c.canceledError(cl, 0, err, nil)
	}
	defer release()

	c.mu.Lock()
	st := c.userLocked(username)
	st.mintsActive++
	st.mintEpoch++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		st.mintsActive--
		c.mu.Unlock()
	}()

	for n := 1; ; n++ {
		at := time.Now()
		c.bumpGen(username)
		res := c.attempt(ctx, cl, n)
		c.bumpGen(username)

		if res.ok() {
			ct, hintID, reason := decodeMint(res.body)
			if reason == "" {
				c.mu.Lock()
				st.minted[ct.ID] = struct{}{}
				c.mu.Unlock()
				return ct, nil
			}
			// The server committed a token we cannot use (no secret or no
			// id): revoke it and report the protocol error.
			cause := &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: res.status, Reason: reason}
			if rerr := c.recoverMint(ctx, username, req, hintID, at, cause); rerr != nil {
				return nil, rerr
			}
			return nil, cause
		}

		cause := c.failure(cl, &res, n)
		notPerformed := (res.err == nil && res.status == http.StatusTooManyRequests) || (res.err != nil && !res.sent)
		if notPerformed {
			if res.canceled || n >= c.maxAttempts {
				return nil, cause
			}
			if werr := c.waitRetry(ctx, cl, &res, n, cause); werr != nil {
				return nil, werr
			}
			continue
		}
		if res.err == nil && res.status >= 400 && res.status < 500 {
			return nil, cause // a definite refusal
		}

		// The outcome is unknown.
		c.log.Warn(ctx, "motherduck mint outcome unknown, looking for a token left behind", map[string]any{
			"operation":  cl.op,
			"path":       cl.path,
			"token_name": req.Name,
			"attempt":    n,
			"status":     res.status,
			"reason":     cause.Error(),
		})
		if rerr := c.recoverMint(ctx, username, req, "", at, cause); rerr != nil {
			return nil, rerr
		}
		if res.canceled || n >= c.maxAttempts {
			return nil, cause
		}
		if ctx.Err() != nil {
			return nil, c.canceledError(cl, n, ctx.Err(), cause)
		}
		if werr := c.waitRetry(ctx, cl, &res, n, cause); werr != nil {
			return nil, werr
		}
	}
}

// decodeMint decodes a mint answer. hintID is the id if one could be read,
// even when the answer is otherwise unusable; reason is "" on success.
func decodeMint(body []byte) (ct *CreatedToken, hintID, reason string) {
	var w wireToken
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, "", "body is not the expected JSON object"
	}
	if w.ID != nil {
		hintID = *w.ID
	}
	t, reason := w.toToken()
	if reason != "" {
		return nil, hintID, reason
	}
	if w.Token == nil || *w.Token == "" {
		return nil, hintID, `missing field "token"`
	}
	return &CreatedToken{Token: t, Secret: *w.Token}, hintID, ""
}

// recoverMint cleans up after a mint whose outcome is unknown: with a context
// detached from the caller's cancellation, it lists the user's tokens and
// revokes every one that this request may have created (see orphanLocked),
// plus hintID when known. It returns nil when that succeeded, else an
// *AmbiguousMintError.
func (c *Client) recoverMint(ctx context.Context, username string, req CreateTokenRequest, hintID string, at time.Time, cause error) error {
	c.mu.Lock()
	st := c.userLocked(username)
	st.suspects = append(st.suspects, suspect{req: req, until: time.Now().Add(suspectLifetime)})
	c.mu.Unlock()

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()

	var toks []Token
	lerr := c.persist(rctx, func() (err error) {
		toks, err = c.getTokens(rctx, username)
		return err
	})

	var cands []string
	c.mu.Lock()
	if hintID != "" && !c.knownLocked(st, hintID) {
		cands = append(cands, hintID)
	}
	if lerr == nil {
		for i := range toks {
			if toks[i].ID != hintID && c.orphanLocked(st, &toks[i], req) {
				cands = append(cands, toks[i].ID)
			}
		}
	}
	c.mu.Unlock()

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

// knownLocked reports whether id is in the baseline, was minted by this
// process or was already revoked by it.
func (c *Client) knownLocked(st *userState, id string) bool {
	if _, ok := st.baseline[id]; ok {
		return true
	}
	if _, ok := st.minted[id]; ok {
		return true
	}
	_, ok := st.revoked[id]
	return ok
}

// orphanLocked reports whether t may have been created by a failed mint of
// req: unknown to this process (not in the baseline, not minted or revoked
// by it), same name, same token type, a lifetime matching the ttl (within
// ttlTolerance) or no expiry without ttl, and no conflicting description.
func (c *Client) orphanLocked(st *userState, t *Token, req CreateTokenRequest) bool {
	if c.knownLocked(st, t.ID) || t.Name != req.Name {
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

func (c *Client) liveSuspectsLocked(st *userState) []suspect {
	now := time.Now()
	kept := st.suspects[:0]
	for _, s := range st.suspects {
		if now.Before(s.until) {
			kept = append(kept, s)
		}
	}
	clear(st.suspects[len(kept):])
	st.suspects = kept
	return append([]suspect(nil), kept...)
}

func (c *Client) hasSuspectsLocked(st *userState) bool { return len(c.liveSuspectsLocked(st)) > 0 }

// sweepSuspects revokes listed tokens that a recent ambiguous mint may have
// created after its own recovery looked (a server committing late), and
// returns toks without the ones revoked. A name whose mint is running is
// skipped: that mint's own recovery owns it.
func (c *Client) sweepSuspects(ctx context.Context, username string, toks []Token, sus []suspect) []Token {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()
	gone := map[string]bool{}
	seen := map[string]bool{}
	for _, s := range sus {
		if seen[s.req.Name] {
			continue
		}
		seen[s.req.Name] = true
		release, ok := c.tryLockName(username, s.req.Name)
		if !ok {
			continue
		}
		var cands []string
		c.mu.Lock()
		st := c.userLocked(username)
		for i := range toks {
			for _, s2 := range sus {
				if s2.req.Name == s.req.Name && c.orphanLocked(st, &toks[i], s2.req) {
					cands = append(cands, toks[i].ID)
					break
				}
			}
		}
		c.mu.Unlock()
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
		if sleepCtx(ctx, c.backoff(round)) != nil {
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
