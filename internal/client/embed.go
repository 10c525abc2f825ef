package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// OpEmbedSession names POST /v1/dives/{dive_id}/embed-session in errors and
// logs.
const OpEmbedSession = "create dive embed session"

// EmbedSessionRequest is the body of an embed-session call. Only Username is
// required.
type EmbedSessionRequest struct {
	// Username is the service account the embedded Dive runs as.
	Username string `json:"username"`
	// SessionName lets requests with the same name share one read-scaling
	// session; "" leaves it out.
	SessionName string `json:"session_name,omitempty"`
	// Version is the Dive version to embed; 0 means the current one.
	Version int64 `json:"version,omitempty"`
	// RequiredResources replaces the databases and shares the Dive declares;
	// nil leaves the field out, an empty (non-nil) slice sends [].
	RequiredResources []EmbedResource `json:"required_resources,omitempty"`
	// InitialState is a JSON object of starting values; nil leaves it out.
	InitialState json.RawMessage `json:"initial_state,omitempty"`
}

// EmbedResource is one database or share a session attaches.
type EmbedResource struct {
	URL   string `json:"url"`
	Alias string `json:"alias,omitempty"`
}

// MarshalJSON sends an empty, non-nil RequiredResources as [] (omitempty
// would drop it): the contract gives [] a meaning of its own.
func (r EmbedSessionRequest) MarshalJSON() ([]byte, error) {
	type plain EmbedSessionRequest
	if r.RequiredResources == nil || len(r.RequiredResources) > 0 {
		return json.Marshal(plain(r))
	}
	return json.Marshal(struct {
		plain
		RequiredResources []EmbedResource `json:"required_resources"`
	}{plain(r), []EmbedResource{}})
}

// EmbedSession is the answer of an embed-session call: a credential
// returned once, valid for 24 hours, that no call can revoke. Its fmt
// output (any verb) never shows Secret.
type EmbedSession struct {
	// Secret is the "session" field of the answer.
	Secret string
}

type embedSessionView EmbedSession

// Format prints the session with Secret redacted, for every verb and flag.
func (s EmbedSession) Format(f fmt.State, verb rune) {
	v := embedSessionView(s)
	v.Secret = redacted
	formatRedacted(f, verb, v, "client.EmbedSession")
}

// String returns the session with Secret redacted.
func (s EmbedSession) String() string { return fmt.Sprintf("%+v", s) }

// GoString returns the session with Secret redacted.
func (s EmbedSession) GoString() string { return fmt.Sprintf("%#v", s) }

// AmbiguousEmbedSessionError is an embed-session call whose outcome is
// unknown: the request may have reached the service and created a session
// whose answer was lost. Such a session cannot be listed or revoked; it
// expires on its own within 24 hours.
type AmbiguousEmbedSessionError struct {
	DiveID, Username string
	// Cause is the failure that made the outcome unknown.
	Cause error
}

// Error says what may have happened.
func (e *AmbiguousEmbedSessionError) Error() string {
	return fmt.Sprintf("%s for Dive %s as %q: the outcome is unknown, so a session may have been created (%v)",
		OpEmbedSession, e.DiveID, e.Username, e.Cause)
}

// Unwrap returns the cause.
func (e *AmbiguousEmbedSessionError) Unwrap() error { return e.Cause }

// CreateEmbedSession mints a Dive embed session. The call creates
// something and is not idempotent, so it follows the POST rule of do: it is
// repeated only after a 429 or a failure that certainly never reached the
// service. A failure after the request may have been sent (a dropped
// connection, a timeout, a 5xx, an unreadable 200) is an
// *AmbiguousEmbedSessionError and is never repeated.
func (c *Client) CreateEmbedSession(ctx context.Context, diveID string, req EmbedSessionRequest) (EmbedSession, error) {
	if diveID == "" {
		return EmbedSession{}, fmt.Errorf("%s: dive id is empty", OpEmbedSession)
	}
	if err := validUsername(OpEmbedSession, req.Username); err != nil {
		return EmbedSession{}, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return EmbedSession{}, fmt.Errorf("%s: encoding the request: %w", OpEmbedSession, err)
	}
	cl := &call{op: OpEmbedSession, method: http.MethodPost, path: "/v1/dives/" + escapeSegment(diveID) + "/embed-session", body: body}
	answer, err := c.do(ctx, cl)
	if err != nil {
		if embedMayHaveRun(err) {
			return EmbedSession{}, &AmbiguousEmbedSessionError{DiveID: diveID, Username: req.Username, Cause: err}
		}
		return EmbedSession{}, err
	}
	var v struct {
		Session *string `json:"session"`
	}
	if json.Unmarshal(answer, &v) != nil || v.Session == nil || *v.Session == "" {
		return EmbedSession{}, &AmbiguousEmbedSessionError{DiveID: diveID, Username: req.Username,
			Cause: &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: http.StatusOK,
				Reason: `the answer holds no "session" string`}}
	}
	return EmbedSession{Secret: *v.Session}, nil
}

// embedMayHaveRun reports whether a failed embed-session call may have
// created a session: a server error (500, or 502/503/504 from something in
// front that may have passed the request on), or a transport failure other
// than a refused connection. A 4xx (429 included) was refused unperformed.
func embedMayHaveRun(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500
	}
	var te *TransportError
	if errors.As(err, &te) {
		return !isDialError(te.Err)
	}
	return false
}
