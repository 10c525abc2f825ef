package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	TokenTypeReadWrite   = "read_write"
	TokenTypeReadScaling = "read_scaling"
)

// CreateTokenRequest is the body of a mint call.
type CreateTokenRequest struct {
	Name        string `json:"name"`                  // 1..255 characters
	TTL         int64  `json:"ttl,omitempty"`         // seconds, 300..31536000; 0: never expires
	TokenType   string `json:"token_type,omitempty"`  // "": read_write
	Description string `json:"description,omitempty"` // older regions silently drop it
}

// Token is a token as the API lists it (never with its secret).
type Token struct {
	ID          string
	Name        string
	CreatedTS   time.Time
	ExpireAt    *time.Time // nil: never expires
	ReadOnly    bool
	TokenType   string
	Description *string // nil: the API did not return the field
}

func (t Token) clone() Token {
	if t.ExpireAt != nil {
		e := *t.ExpireAt
		t.ExpireAt = &e
	}
	if t.Description != nil {
		d := *t.Description
		t.Description = &d
	}
	return t
}

func (t *Token) liveAt(now time.Time) bool {
	return t.ExpireAt == nil || t.ExpireAt.After(now)
}

// CreatedToken is the answer of a mint: the token and its secret, which the
// API returns only once. Its fmt output (any verb) never shows Secret.
type CreatedToken struct {
	Token
	Secret string `json:"-"`
	Owed   Debt   // what earlier attempts of the same call left to settle
}

type createdTokenView CreatedToken

// Format prints the token with Secret redacted, for every verb and flag.
func (t CreatedToken) Format(f fmt.State, verb rune) {
	v := createdTokenView(t)
	v.Secret = redacted
	formatRedacted(f, verb, v, "client.CreatedToken")
}

func (t CreatedToken) String() string   { return fmt.Sprintf("%+v", t) }
func (t CreatedToken) GoString() string { return fmt.Sprintf("%#v", t) }

type wireToken struct {
	Token       *string         `json:"token"`
	ID          *string         `json:"id"`
	Name        *string         `json:"name"`
	CreatedTS   json.RawMessage `json:"created_ts"`
	ExpireAt    json.RawMessage `json:"expire_at"`
	ReadOnly    *bool           `json:"read_only"`
	TokenType   *string         `json:"token_type"`
	Description *string         `json:"description"`
}

// toToken converts and validates; reason never quotes a value.
func (w *wireToken) toToken() (Token, string) {
	var t Token
	if w.ID == nil || *w.ID == "" {
		return t, `missing field "id"`
	}
	t.ID = *w.ID
	if w.Name != nil {
		t.Name = *w.Name
	}
	created, err := parseTimestamp(w.CreatedTS)
	if err != nil {
		return t, `field "created_ts": ` + err.Error()
	}
	if created == nil {
		return t, `missing field "created_ts"`
	}
	t.CreatedTS = *created
	if t.ExpireAt, err = parseTimestamp(w.ExpireAt); err != nil {
		return t, `field "expire_at": ` + err.Error()
	}
	if w.ReadOnly != nil {
		t.ReadOnly = *w.ReadOnly
	}
	t.TokenType = TokenTypeReadWrite
	if w.TokenType != nil && *w.TokenType != "" {
		t.TokenType = *w.TokenType
	}
	if w.Description != nil {
		d := *w.Description
		t.Description = &d
	}
	return t, ""
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseTimestamp accepts null/absent/"" (nil), an RFC 3339 string (or a close
// variant, UTC assumed without zone) or epoch seconds/milliseconds.
func parseTimestamp(raw json.RawMessage) (*time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errors.New("not a string")
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, nil
		}
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				t = t.UTC()
				return &t, nil
			}
		}
		return nil, errors.New("not an RFC 3339 timestamp")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return nil, errors.New("not a timestamp")
	}
	if f > 1e11 { // milliseconds
		f /= 1000
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return &t, nil
}

func tokensPath(username string) string { return "/v1/users/" + escapeSegment(username) + "/tokens" }

func validUsername(op, username string) error {
	if username == "" {
		return fmt.Errorf("%s: username is empty", op)
	}
	return nil
}

// getTokens reads the whole list: a token missing from it is taken for gone.
func (c *Client) getTokens(ctx context.Context, username string) ([]Token, error) {
	l := list{op: OpListTokens, path: tokensPath(username), items: "tokens"}
	return readStable(ctx, l, func(ctx context.Context, cursor string) ([]Token, string, string, error) {
		cl := &call{op: l.op, method: http.MethodGet, path: l.path}
		if cursor != "" {
			// page_token is the API's paging convention; cursor is the
			// parameter the token list accepts (and ignores) today. A list
			// that pages by either gets its cursor back.
			cl.query = url.Values{"page_token": {cursor}, "cursor": {cursor}}.Encode()
		}
		sent := c.now()
		body, err := c.do(ctx, cl)
		if err != nil {
			return nil, "", "", err
		}
		toks, next, reason := decodeTokenPage(body)
		if reason == "" {
			c.apiClock.observeList(toks, sent, c.now())
		}
		return toks, next, reason, nil
	}, func(t *Token) string { return t.ID })
}

// decodeTokenPage reads the cursor from next_page_token or next_cursor, at
// the top level or inside "pagination".
func decodeTokenPage(body []byte) (toks []Token, next, reason string) {
	type cursors struct {
		NextPageToken json.RawMessage `json:"next_page_token"`
		NextCursor    json.RawMessage `json:"next_cursor"`
	}
	var v struct {
		Tokens json.RawMessage `json:"tokens"`
		cursors
		Pagination json.RawMessage `json:"pagination"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, "", "body is not the expected JSON object"
	}
	if v.Tokens == nil {
		return nil, "", `missing field "tokens"`
	}
	var wire []wireToken // "tokens": null reads as an empty list
	if err := json.Unmarshal(v.Tokens, &wire); err != nil {
		return nil, "", `field "tokens" is not an array of token objects`
	}
	toks = make([]Token, 0, len(wire))
	for i := range wire {
		t, reason := wire[i].toToken()
		if reason != "" {
			return nil, "", fmt.Sprintf("token %d: %s", i, reason)
		}
		toks = append(toks, t)
	}
	var inner cursors
	if len(v.Pagination) > 0 && string(v.Pagination) != "null" {
		if err := json.Unmarshal(v.Pagination, &inner); err != nil {
			return nil, "", `field "pagination" is not an object`
		}
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"next_page_token", v.NextPageToken},
		{"next_cursor", v.NextCursor},
		{"pagination.next_page_token", inner.NextPageToken},
		{"pagination.next_cursor", inner.NextCursor},
	} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(f.raw, &s); err != nil {
			return nil, "", fmt.Sprintf("field %q is not a string", f.name)
		}
		if s != "" {
			return toks, s, ""
		}
	}
	return toks, "", ""
}

// DeleteToken invalidates a token. A token already invalid or unknown is an
// error for which IsNotFound is true; callers decide whether that is success.
func (c *Client) DeleteToken(ctx context.Context, username, tokenID string) error {
	if err := validUsername(OpRevokeToken, username); err != nil {
		return err
	}
	if tokenID == "" {
		return fmt.Errorf("%s: token id is empty", OpRevokeToken)
	}
	u := c.users.get(username)
	u.lists.bump()
	_, err := c.do(ctx, &call{op: OpRevokeToken, method: http.MethodDelete, path: tokensPath(username) + "/" + escapeSegment(tokenID)})
	u.lists.bump()
	if err == nil || IsNotFound(err) {
		u.ledger.addRevoked(tokenID)
	}
	return err
}

func (c *Client) CreateServiceAccount(ctx context.Context, username string) error {
	if err := validUsername(OpCreateServiceAccount, username); err != nil {
		return err
	}
	body, err := json.Marshal(struct {
		Username string `json:"username"`
	}{username})
	if err != nil {
		return fmt.Errorf("%s: encoding the request: %w", OpCreateServiceAccount, err)
	}
	u := c.users.get(username)
	u.lists.bump()
	defer u.lists.bump()
	_, err = c.do(ctx, &call{op: OpCreateServiceAccount, method: http.MethodPost, path: "/v1/users", body: body})
	return err
}

// DeleteUser deletes a user and ALL of its data. A user already gone (even
// by a first attempt that committed) is an error for which IsNotFound is true.
func (c *Client) DeleteUser(ctx context.Context, username string) error {
	if err := validUsername(OpDeleteUser, username); err != nil {
		return err
	}
	u := c.users.get(username)
	u.lists.bump()
	defer u.lists.bump()
	_, err := c.do(ctx, &call{op: OpDeleteUser, method: http.MethodDelete, path: "/v1/users/" + escapeSegment(username)})
	return err
}
