package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Operation names used in errors and log fields.
const (
	OpMintToken            = "mint token"
	OpListTokens           = "list tokens"
	OpRevokeToken          = "revoke token"
	OpCreateServiceAccount = "create service account"
	OpDeleteUser           = "delete user"
	OpListUsers            = "list users"
)

// Issue is one entry of the "issues" array of an API error body.
type Issue struct {
	Message string `json:"message"`
	Path    []any  `json:"path,omitempty"`
}

// String renders the issue as "path.to.field: message" (or just the message).
func (i Issue) String() string {
	if len(i.Path) == 0 {
		return i.Message
	}
	parts := make([]string, 0, len(i.Path))
	for _, p := range i.Path {
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ".") + ": " + i.Message
}

// APIError is a non-success HTTP answer of the API (after any retries).
type APIError struct {
	// Operation is what was attempted, e.g. "mint token", "list tokens".
	Operation string
	// Method and Path are the request's method and escaped path (never a query).
	Method, Path string
	// URL is the base URL and Path: what was called, without a query (the
	// base URL never holds credentials).
	URL string
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Code is the JSON error code (e.g. NOT_FOUND), or "" when the body was not
	// the JSON error shape (e.g. the plain-text 404 of an unknown route).
	Code string
	// Message is the JSON message, or up to ~200 bytes of a plain-text body,
	// sanitised.
	Message string
	// Issues are the JSON issues, sanitised.
	Issues []Issue
	// Attempts is how many attempts were made.
	Attempts int
	// Elapsed is the time the call took, attempts and waits together.
	Elapsed time.Duration
}

// Error is concise: operation, status, code, message, the issues that do not
// merely repeat it and, when more than one or when slow, the attempts and
// the time they took.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Operation)
	fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.StatusCode == http.StatusNotFound && e.URL != "" {
		// Which URL was not found tells a wrong api_url from a gone object.
		fmt.Fprintf(&b, " from %s %s", e.Method, e.URL)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	// Issues that only repeat the message add nothing.
	parts := make([]string, 0, len(e.Issues))
	for _, i := range e.Issues {
		if text := i.String(); !strings.EqualFold(strings.TrimSpace(text), strings.TrimSpace(e.Message)) {
			parts = append(parts, text)
		}
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, "; ") + ")")
	}
	b.WriteString(retrySummary(e.Attempts, e.Elapsed))
	return b.String()
}

// Spent says how many attempts the call made and how long they took, such
// as "after 3 attempts over 1.2s"; "" when no attempt was made.
func (e *APIError) Spent() string { return spent(e.Attempts, e.Elapsed) }

// retrySummary is spent in brackets, for an error's text, when there was
// more than one attempt or the call was slow; "" otherwise.
func retrySummary(attempts int, elapsed time.Duration) string {
	if attempts < 1 || (attempts == 1 && elapsed < time.Second) {
		return ""
	}
	return " [" + spent(attempts, elapsed) + "]"
}

func spent(attempts int, elapsed time.Duration) string {
	if attempts < 1 {
		return ""
	}
	unit := "attempts"
	if attempts == 1 {
		unit = "attempt"
	}
	if elapsed < time.Second {
		elapsed = elapsed.Round(time.Millisecond)
	} else {
		elapsed = elapsed.Round(100 * time.Millisecond)
	}
	return fmt.Sprintf("after %d %s over %s", attempts, unit, elapsed)
}

// TransportError is a call that got no usable HTTP answer: a connection
// failure, a per-attempt timeout, or the caller's cancellation (Err then
// wraps context.Canceled or context.DeadlineExceeded).
type TransportError struct {
	Operation    string
	Method, Path string
	Attempts     int
	// Elapsed is the time the call took, attempts and waits together.
	Elapsed time.Duration
	// Timeout is true when the last attempt hit the per-attempt timeout.
	Timeout bool
	// Err is the underlying error (its text is sanitised by Error).
	Err error
	// text is the sanitised rendering of Err, computed once.
	text string
}

// Error describes the failure without any secret.
func (e *TransportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s: ", e.Operation, e.Method, e.Path)
	if e.Timeout {
		b.WriteString("request timed out: ")
	}
	b.WriteString(e.text)
	b.WriteString(retrySummary(e.Attempts, e.Elapsed))
	return b.String()
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// Spent says how many attempts the call made and how long they took, such
// as "after 3 attempts over 1.2s"; "" when no attempt was made.
func (e *TransportError) Spent() string { return spent(e.Attempts, e.Elapsed) }

// InvalidResponseError is a success status whose body could not be used
// (not JSON, or a required field missing).
type InvalidResponseError struct {
	Operation    string
	Method, Path string
	StatusCode   int
	Reason       string
}

// Error describes what was wrong with the answer, never its content.
func (e *InvalidResponseError) Error() string {
	return fmt.Sprintf("%s: %s %s: invalid response (HTTP %d): %s", e.Operation, e.Method, e.Path, e.StatusCode, e.Reason)
}

// ListUnsettledError is a paged token list that could not be read whole:
// no two consecutive reads of it held the same tokens (tokens were minted or
// invalidated between its pages every time, or the server pages
// inconsistently). Nothing can be concluded from it about any one token.
type ListUnsettledError struct {
	Operation    string
	Method, Path string
	Reads        int
	// Items names what the list holds ("tokens", "users").
	Items string
}

func (e *ListUnsettledError) Error() string {
	return fmt.Sprintf("%s: %s %s: the paged list held different %s on each of %d reads, so it could not be read whole",
		e.Operation, e.Method, e.Path, e.Items, e.Reads)
}

// AmbiguousMintError is a failed mint that left something owed: a token it
// created that could not be revoked, or a request whose outcome is still
// unknown (a token may exist on the server that nobody holds the secret of).
type AmbiguousMintError struct {
	Username string
	Name     string
	// Cause is the failure that made the outcome unknown.
	Cause error
	// Owed is what the caller must keep until it is settled.
	Owed Debt
}

// Error says what happened and what is owed (ids only: never a secret).
func (e *AmbiguousMintError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mint token %q for user %q: the outcome is unknown", e.Name, e.Username)
	if e.Cause != nil {
		fmt.Fprintf(&b, " (%v)", e.Cause)
	}
	if len(e.Owed.Revoke) > 0 {
		fmt.Fprintf(&b, "; tokens it created that could not be revoked yet: %s", strings.Join(e.Owed.Revoke, ", "))
	}
	if n := len(e.Owed.Intents); n > 0 {
		fmt.Fprintf(&b, "; %d request(s) whose token, if any, is not listed yet", n)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *AmbiguousMintError) Unwrap() error { return e.Cause }

// RetryCutShortError is an answer that asked for a wait before the next
// attempt (Retry-After) that would not fit in the time left: the call ends at
// once with that answer (Err), rather than later with a timeout that hides
// it. A backoff that does not fit ends the call with the answer alone.
type RetryCutShortError struct {
	// Err is the answer's error, an *APIError.
	Err error
	// RetryAfter is the wait the answer asked for, before any cap.
	RetryAfter time.Duration
	// Left is the time that was left.
	Left time.Duration
	// CallerDeadline is true when the time left was the caller's (the
	// operation's time limit, such as a resource's timeouts), false when it
	// was the call's own (Config.MaxCallTime).
	CallerDeadline bool
}

// retryCutShort is what a call ends with when the wait before its next
// attempt would not fit in the time left: cause, saying so when the answer
// asked for that wait (a Retry-After date is read on the API's clock).
func (c *Client) retryCutShort(cause error, header http.Header, left time.Duration, callerDeadline bool) error {
	ra, ok := parseRetryAfter(header.Get("Retry-After"), c.Now())
	if !ok || ra <= 0 {
		return cause
	}
	return &RetryCutShortError{Err: cause, RetryAfter: ra, Left: max(left, 0), CallerDeadline: callerDeadline}
}

// Error is the answer's error, then why it was not retried.
func (e *RetryCutShortError) Error() string {
	whose := "the call's time limit"
	if e.CallerDeadline {
		whose = "the operation's time limit"
	}
	return fmt.Sprintf("%s; not retried: the server asked to wait %s (Retry-After), and %s has %s left",
		e.Err.Error(), e.RetryAfter, whose, e.Left.Round(100*time.Millisecond))
}

// Unwrap returns the answer's error.
func (e *RetryCutShortError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is an API answer 404 with the JSON code
// NOT_FOUND: the user or token is gone. A plain-text 404 (no route) is not.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound && e.Code == "NOT_FOUND"
}

// IsUnauthorized reports whether err is an API answer 401.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports whether err is an API answer 403.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsRateLimited reports whether err is an API answer 429 Too Many Requests.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsBadRequest reports whether err is an API answer 400.
func IsBadRequest(err error) bool { return hasStatus(err, http.StatusBadRequest) }

func hasStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == status
}
