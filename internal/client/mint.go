package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

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
	u := c.users.get(username)

	if err := c.ensureBaseline(ctx, username, u); err != nil {
		return nil, fmt.Errorf("%s: listing the user's existing tokens first: %w", OpMintToken, err)
	}
	release, err := u.lockName(ctx, req.Name)
	if err != nil {
		return nil, c.canceledError(cl, 0, err, nil)
	}
	defer release()
	defer u.startMint()()
	c.begin(cl)

	for n := 1; ; n++ {
		at := time.Now()
		from := c.now()
		u.bump()
		res := c.attempt(ctx, cl, n)
		u.bump()
		to := c.now()
		// created_ts is stamped by the server's clock: the window is taken
		// on it (see serverClock).
		w := c.apiClock.window(from, to)

		if res.ok() {
			ct, hintID, reason := decodeMint(res.body, req)
			if reason == "" && u.known(ct.ID) {
				// A token that existed before this mint, or that this
				// process minted or revoked already: not a new token.
				reason = "the answer names a token that is not new"
			}
			if reason == "" {
				c.apiClock.observeMint(ct.CreatedTS, from, to)
				u.addMinted(ct.ID)
				return ct, nil
			}
			// The server committed a token we cannot use (no secret or no
			// id, or not the token asked for): revoke it and report the
			// protocol error.
			cause := &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: res.status, Reason: reason}
			if rerr := c.recoverMint(ctx, username, u, req, hintID, at, w, cause); rerr != nil {
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
		if rerr := c.recoverMint(ctx, username, u, req, "", at, w, cause); rerr != nil {
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

// ensureBaseline makes sure the user's baseline is known, listing the user
// (shared with concurrent ListTokens calls and mints) if needed.
func (c *Client) ensureBaseline(ctx context.Context, username string, u *user) error {
	for range 3 {
		if u.hasBaseline() {
			return nil
		}
		if _, err := c.ListTokens(ctx, username); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: could not learn the existing tokens of user %q", OpMintToken, username)
}

// decodeMint decodes the answer to a mint of req. hintID is the id if one
// could be read, even when the answer is otherwise unusable; reason is "" on
// success.
func decodeMint(body []byte, req CreateTokenRequest) (ct *CreatedToken, hintID, reason string) {
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
	if reason := mintMismatch(&w, req); reason != "" {
		return nil, hintID, reason
	}
	if (w.TokenType == nil || *w.TokenType == "") && req.TokenType != "" {
		t.TokenType = req.TokenType // left out: the one asked for, not the list's default
	}
	return &CreatedToken{Token: t, Secret: *w.Token}, hintID, ""
}

// mintMismatch says how a mint answer differs from what was asked, or
// returns "": a token of another name, type or description is not the one
// the configuration holds, and keeping it would leave state and server
// disagreeing. A field the answer leaves out is no difference (a region
// without descriptions drops them).
func mintMismatch(w *wireToken, req CreateTokenRequest) string {
	want := req.TokenType
	if want == "" {
		want = TokenTypeReadWrite
	}
	switch {
	case w.Name != nil && *w.Name != "" && *w.Name != req.Name:
		return "the answer names another token than the one asked for"
	case w.TokenType != nil && *w.TokenType != "" && *w.TokenType != want:
		return "the answer's token_type is not the one asked for"
	case w.Description != nil && req.Description != "" && *w.Description != req.Description:
		return "the answer's description is not the one sent"
	}
	return ""
}
