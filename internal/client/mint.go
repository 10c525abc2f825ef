package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// CreateToken mints a token for username and returns it with its secret.
//
// A mint is not idempotent, so it is retried without further ado only when
// the request certainly had no effect (429, or a failure before a connection
// was obtained). Any other failure (5xx, a dropped connection, a timeout
// after sending, the caller's cancellation, an unusable success body) makes
// an Intent: the request may have created a token. It is settled at once
// against a fresh list (see Intent.Settle): its token, when found, is
// revoked; when the list cannot tell yet (a server that may still commit the
// request), the intent stays open. The mint is then tried again while
// attempts remain. Whatever was not settled is owed: on success in
// CreatedToken.Owed, on failure in an *AmbiguousMintError. Every token this
// call creates is therefore returned, revoked, or owed to the caller.
//
// Errors: *APIError for a definite refusal (400, 401, 403, 404 ...), the last
// failure when every attempt failed and nothing is owed, *AmbiguousMintError
// when something is.
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
	release, err := u.ledger.lockName(ctx, req.Name)
	if err != nil {
		return nil, c.canceledError(cl, 0, err, nil)
	}
	defer release()
	defer u.ledger.startMint()()
	c.begin(cl)

	var owed Debt
	fail := func(cause error) (*CreatedToken, error) {
		if owed.Empty() {
			return nil, cause
		}
		u.ledger.markAmbiguous()
		return nil, &AmbiguousMintError{Username: username, Name: req.Name, Cause: cause, Owed: owed}
	}
	for n := 1; ; n++ {
		sent := c.now()
		in := Intent{Username: username, Name: req.Name, TTL: req.TTL, TokenType: req.TokenType, Description: req.Description,
			From: c.Now(), Known: u.ledger.knownIDs()}
		u.lists.bump()
		res := c.attempt(ctx, cl, n)
		u.lists.bump()
		got := c.now()
		in.To = c.Now()

		if res.ok() {
			ct, hintID, reason := decodeMint(res.body, req)
			if reason == "" && u.ledger.known(ct.ID) {
				// A token that existed before this mint, or that this
				// process minted or revoked already: not a new token.
				reason, hintID = "the answer names a token that is not new", ""
			}
			if reason == "" {
				c.apiClock.observeMint(ct.CreatedTS, sent, got)
				u.ledger.addMinted(ct.ID)
				for i := range owed.Intents {
					owed.Intents[i].Known = append(owed.Intents[i].Known, ct.ID)
				}
				if !owed.Empty() {
					u.ledger.markAmbiguous()
				}
				ct.Owed = owed
				return ct, nil
			}
			// The server committed a token we cannot use (no secret or no
			// id, or not the token asked for): it is settled like any
			// other mint of unknown outcome, and the error reported.
			in.Answered, in.Hint = true, hintID
			left, _ := c.recoverMint(ctx, username, u, in)
			owed.Add(left)
			return fail(&InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: res.status, Reason: reason})
		}

		cause := c.failure(cl, &res, n)
		notPerformed := (res.err == nil && res.status == http.StatusTooManyRequests) || (res.err != nil && !res.sent)
		if notPerformed {
			if res.canceled || n >= c.maxAttempts {
				return fail(cause)
			}
			if werr := c.waitRetry(ctx, cl, &res, n, cause); werr != nil {
				return fail(werr)
			}
			continue
		}
		if res.err == nil && res.status >= 400 && res.status < 500 {
			return fail(cause) // a definite refusal
		}

		// The outcome is unknown. An error the API itself wrote (a JSON
		// body with a code) means it was done with the request; a proxy's
		// 502/503/504, a timeout or a dropped connection do not.
		var apiErr *APIError
		in.Answered = errors.As(cause, &apiErr) && apiErr.Code != "" && res.status == http.StatusInternalServerError
		c.log.Warn(ctx, "motherduck mint outcome unknown, looking for a token left behind", map[string]any{
			"operation":  cl.op,
			"path":       cl.path,
			"token_name": req.Name,
			"attempt":    n,
			"status":     res.status,
			"reason":     cause.Error(),
		})
		left, rerr := c.recoverMint(ctx, username, u, in)
		owed.Add(left)
		if res.canceled || n >= c.maxAttempts || rerr != nil {
			// No new mint while the last one could not even be looked for.
			return fail(cause)
		}
		if ctx.Err() != nil {
			return fail(c.canceledError(cl, n, ctx.Err(), cause))
		}
		if werr := c.waitRetry(ctx, cl, &res, n, cause); werr != nil {
			return fail(werr)
		}
	}
}

// recoverMint settles the intent of a mint that just failed: an id its
// answer named is revoked first (a list may lag behind the mint); then the
// intent is settled against a fresh list and what it left is revoked. It
// returns what is still owed, and why the clean-up could not finish.
func (c *Client) recoverMint(ctx context.Context, username string, u *userState, in Intent) (Debt, error) {
	if in.Hint != "" && !u.ledger.known(in.Hint) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
		err := c.persist(rctx, func() error { return c.DeleteToken(rctx, username, in.Hint) })
		cancel()
		switch {
		case err == nil:
			return Debt{}, nil
		case !IsNotFound(err):
			return Debt{Revoke: []string{in.Hint}}, err
		}
	}
	in.Hint = ""
	owed, err := c.SettleDebt(ctx, username, Debt{Intents: []Intent{in}}, true)
	if err != nil || !owed.Empty() {
		fields := map[string]any{"operation": OpMintToken, "path": tokensPath(username), "token_name": in.Name,
			"orphans": owed.Revoke, "open": len(owed.Intents)}
		if err != nil {
			fields["reason"] = err.Error()
		}
		c.log.Warn(ctx, "motherduck could not settle a failed mint yet; it is owed", fields)
	}
	return owed, err
}

// ensureBaseline makes sure the user's baseline is known, listing the user
// (shared with concurrent ListTokens calls and mints) if needed.
func (c *Client) ensureBaseline(ctx context.Context, username string, u *userState) error {
	for range 3 {
		if u.ledger.hasBaseline() {
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
