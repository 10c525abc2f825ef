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

// Issue is one entry of an API error body's "issues".
type Issue struct {
	Message string `json:"message"`
	Path    []any  `json:"path,omitempty"`
}

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
// Path and URL never hold a query; text from the body is sanitised.
type APIError struct {
	Operation    string
	Method, Path string
	URL          string
	StatusCode   int // of the last attempt
	// Code is "" when the body was not the JSON error shape (e.g. the
	// plain-text 404 of an unknown route).
	Code     string
	Message  string
	Issues   []Issue
	Attempts int
	Elapsed  time.Duration // attempts and waits together
}

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

// retrySummary is spent, for an error's text, when worth saying.
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

// TransportError is a call that got no usable HTTP answer. On the caller's
// cancellation Err wraps context.Canceled or context.DeadlineExceeded.
type TransportError struct {
	Operation    string
	Method, Path string
	Attempts     int
	Elapsed      time.Duration
	Timeout      bool // the last attempt hit the per-attempt timeout
	Err          error
	text         string // Err, sanitised
}

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

func (e *TransportError) Unwrap() error { return e.Err }

func (e *TransportError) Spent() string { return spent(e.Attempts, e.Elapsed) }

// InvalidResponseError is a success status whose body could not be used.
// Reason never quotes the body.
type InvalidResponseError struct {
	Operation    string
	Method, Path string
	StatusCode   int
	Reason       string
}

func (e *InvalidResponseError) Error() string {
	return fmt.Sprintf("%s: %s %s: invalid response (HTTP %d): %s", e.Operation, e.Method, e.Path, e.StatusCode, e.Reason)
}

// ListUnsettledError is a paged list that no two consecutive reads agreed
// on: nothing can be concluded from it about any one item.
type ListUnsettledError struct {
	Operation    string
	Method, Path string
	Reads        int
	Items        string // "tokens", "users"
}

func (e *ListUnsettledError) Error() string {
	return fmt.Sprintf("%s: %s %s: the paged list held different %s on each of %d reads, so it could not be read whole",
		e.Operation, e.Method, e.Path, e.Items, e.Reads)
}

// AmbiguousMintError is a failed mint that left something owed: a token
// that may exist on the server whose secret nobody holds.
type AmbiguousMintError struct {
	Username string
	Name     string
	Cause    error
	Owed     Debt // for the caller to keep until it is settled
}

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

func (e *AmbiguousMintError) Unwrap() error { return e.Cause }

// RetryCutShortError is an answer (Err) whose Retry-After would not fit in
// the time left: the call ends with it, not later with a timeout that hides it.
type RetryCutShortError struct {
	Err            error
	RetryAfter     time.Duration // before any cap
	Left           time.Duration
	CallerDeadline bool // the time left was the caller's, not Config.MaxCallTime
}

// retryCutShort is cause itself when the answer did not ask for the wait
// (a backoff that does not fit).
func (c *Client) retryCutShort(cause error, header http.Header, left time.Duration, callerDeadline bool) error {
	ra, ok := parseRetryAfter(header.Get("Retry-After"), c.Now())
	if !ok || ra <= 0 {
		return cause
	}
	return &RetryCutShortError{Err: cause, RetryAfter: ra, Left: max(left, 0), CallerDeadline: callerDeadline}
}

func (e *RetryCutShortError) Error() string {
	whose := "the call's time limit"
	if e.CallerDeadline {
		whose = "the operation's time limit"
	}
	return fmt.Sprintf("%s; not retried: the server asked to wait %s (Retry-After), and %s has %s left",
		e.Err.Error(), e.RetryAfter, whose, e.Left.Round(100*time.Millisecond))
}

func (e *RetryCutShortError) Unwrap() error { return e.Err }

// IsNotFound reports a 404 with the JSON code NOT_FOUND: the user or token
// is gone. A plain-text 404 (no such route) is not.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound && e.Code == "NOT_FOUND"
}

func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }
func IsForbidden(err error) bool    { return hasStatus(err, http.StatusForbidden) }
func IsRateLimited(err error) bool  { return hasStatus(err, http.StatusTooManyRequests) }
func IsBadRequest(err error) bool   { return hasStatus(err, http.StatusBadRequest) }

func hasStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == status
}
