package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// CreateToken mints a token and returns it with its secret. A mint is not
// idempotent, so it is retried without further ado only when
// it certainly had no effect (429, or no connection obtained). Any other
// failure makes an Intent, settled at once against a fresh list (its token
// revoked), before the next attempt. Whatever is not settled is owed, in
// CreatedToken.Owed or an *AmbiguousMintError: every token this call creates
// is returned, revoked, or owed to the caller.
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
			From: c.Now(), Known: u.ledger.knownIDs(), offset: c.apiClock.offset()}
		u.lists.bump()
		res := c.attempt(ctx, cl, n)
		u.lists.bump()
		got := c.now()
		in.To, in.ClockSlack = c.Now(), c.apiClock.uncertainty()

		if res.ok() {
			ct, hintID, reason := decodeMint(res.body, req)
			if reason == "" && u.ledger.known(ct.ID) {
				reason, hintID = "the answer names a token that is not new", ""
			}
			if reason == "" {
				c.apiClock.observeMint(ct.CreatedTS, sent, got)
				// The earlier attempts' windows were taken on the clock
				// known then: they also cover the one this answer shows.
				for i := range owed.Intents {
					owed.Intents[i].cover(c.apiClock.offset() - owed.Intents[i].offset)
				}
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
			// A token we cannot use is settled like any mint of unknown outcome.
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

		// An error the API itself wrote (JSON with a code) means it was done
		// with the request; a proxy's 502/503/504 or a timeout do not.
		var apiErr *APIError
		in.Answered = errors.As(cause, &apiErr) && apiErr.Code != "" && res.status == http.StatusInternalServerError
		c.log.Warn(ctx, "motherduck mint outcome unknown, looking for a token left behind", map[string]any{
			"operation": cl.op, "path": cl.path, "token_name": req.Name,
			"attempt": n, "status": res.status, "reason": cause.Error(),
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

// recoverMint revokes an id the failed mint's answer named first (a list
// may lag behind the mint), then settles the intent against a fresh list.
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

// decodeMint returns the id as hintID even when the answer is unusable.
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

// mintMismatch: a token other than asked would leave state and server
// disagreeing. A field left out is no difference.
func mintMismatch(w *wireToken, req CreateTokenRequest) string {
	want := orDefault(req.TokenType)
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
