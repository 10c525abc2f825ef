package client

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestAPIError_Text: the error is one line that does not repeat itself: an
// issue that only restates the message is left out, others are kept, and
// the attempts and time appear when there was more than one attempt.
func TestAPIError_Text(t *testing.T) {
	for _, tc := range []struct {
		err  APIError
		want string
	}{
		{APIError{Operation: OpListTokens, StatusCode: 404, Code: "NOT_FOUND", Message: "user not found", Issues: []Issue{{Message: "user not found"}}, Attempts: 1},
			"list tokens: HTTP 404 NOT_FOUND: user not found"},
		{APIError{Operation: OpListTokens, StatusCode: 404, Code: "NOT_FOUND", Message: "User not found", Issues: []Issue{{Message: " user not found "}}, Attempts: 1},
			"list tokens: HTTP 404 NOT_FOUND: User not found"},
		{APIError{Operation: OpMintToken, StatusCode: 400, Code: "BAD_REQUEST", Message: "Bad Request", Issues: []Issue{{Message: "Bad Request"}, {Message: "too small", Path: []any{"ttl"}}}, Attempts: 1},
			"mint token: HTTP 400 BAD_REQUEST: Bad Request (ttl: too small)"},
		{APIError{Operation: OpListTokens, Method: "GET", URL: "https://h/v1/users/u/tokens", StatusCode: 404, Message: "Not Found", Attempts: 1},
			"list tokens: HTTP 404 from GET https://h/v1/users/u/tokens: Not Found"},
		{APIError{Operation: OpListTokens, StatusCode: 503, Message: "Service Unavailable", Attempts: 3, Elapsed: 1234 * time.Millisecond},
			"list tokens: HTTP 503: Service Unavailable [after 3 attempts over 1.2s]"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// TestNew_ConfigErrorNamesTheField: New's errors say which setting is at
// fault, so that the caller can name where it came from, and never hold the
// token.
func TestNew_ConfigErrorNamesTheField(t *testing.T) {
	const secret = "md_cfgSECRETcfgSECRET"
	for _, tc := range []struct {
		cfg    Config
		field  ConfigField
		reason string
	}{
		{Config{BaseURL: "https://h", Token: secret + "\n"}, ConfigToken, "the token contains a line break"},
		{Config{BaseURL: "https://h", Token: secret + " x"}, ConfigToken, "the token contains white space"},
		{Config{BaseURL: "https://h", Token: "\x7f" + secret}, ConfigToken, "the token contains a control character"},
		{Config{BaseURL: "", Token: secret}, ConfigBaseURL, "base URL is empty"},
		{Config{BaseURL: "https://h/?q=1", Token: secret}, ConfigBaseURL, `base URL "https://h/" must not have a query or fragment`},
	} {
		_, err := New(tc.cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field || ce.Reason != tc.reason {
			t.Errorf("%q: got %#v, want field %s, reason %q", tc.cfg.Token, err, tc.field, tc.reason)
			continue
		}
		if strings.Contains(err.Error(), "cfgSECRET") {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}
