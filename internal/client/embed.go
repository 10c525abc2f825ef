package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

const OpEmbedSession = "create dive embed session"

// EmbedSessionRequest: only Username, the service account the Dive runs as, is required.
type EmbedSessionRequest struct {
	Username string `json:"username"`
	// SessionName lets requests with the same name share one read-scaling session.
	SessionName string `json:"session_name,omitempty"`
	Version     int64  `json:"version,omitempty"` // 0: the current one
	// RequiredResources replaces the databases and shares the Dive declares.
	RequiredResources []EmbedResource `json:"required_resources,omitempty"`
	InitialState      json.RawMessage `json:"initial_state,omitempty"`
}

type EmbedResource struct {
	URL   string `json:"url"`
	Alias string `json:"alias,omitempty"`
}

// MarshalJSON sends an empty, non-nil RequiredResources as []: the contract
// gives [] a meaning of its own.
func (r EmbedSessionRequest) MarshalJSON() ([]byte, error) {
	type plain EmbedSessionRequest
	if r.RequiredResources == nil || len(r.RequiredResources) > 0 {
		return CompactJSON(plain(r))
	}
	return CompactJSON(struct {
		plain
		RequiredResources []EmbedResource `json:"required_resources"`
	}{plain(r), []EmbedResource{}})
}

// CompactJSON is the embed-session request's encoding: json.Marshal without
// HTML escaping. The contract limits required_resources and initial_state in
// bytes of compact JSON, so `&`, `<` and `>` are sent as themselves (one
// byte), not as \u0026 (six); the plan's size check measures with it too.
func CompactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// EmbedSession is a credential returned once, valid for 24 hours, that no
// call can revoke. Its fmt output (any verb) never shows Secret.
type EmbedSession struct {
	Secret string
}

type embedSessionView EmbedSession

// Format prints the session with Secret redacted, for every verb and flag.
func (s EmbedSession) Format(f fmt.State, verb rune) {
	v := embedSessionView(s)
	v.Secret = redacted
	formatRedacted(f, verb, v, "client.EmbedSession")
}

func (s EmbedSession) String() string   { return fmt.Sprintf("%+v", s) }
func (s EmbedSession) GoString() string { return fmt.Sprintf("%#v", s) }

// AmbiguousEmbedSessionError: a session may have been created whose answer
// was lost. It cannot be listed or revoked; it expires within 24 hours.
type AmbiguousEmbedSessionError struct {
	DiveID, Username string
	Cause            error
}

func (e *AmbiguousEmbedSessionError) Error() string {
	return fmt.Sprintf("%s for Dive %s as %q: the outcome is unknown, so a session may have been created (%v)",
		OpEmbedSession, e.DiveID, e.Username, e.Cause)
}

func (e *AmbiguousEmbedSessionError) Unwrap() error { return e.Cause }

// CreateEmbedSession: a failure after the request may have been sent is an
// *AmbiguousEmbedSessionError (like every POST, it is then not repeated).
func (c *Client) CreateEmbedSession(ctx context.Context, diveID string, req EmbedSessionRequest) (EmbedSession, error) {
	if diveID == "" {
		return EmbedSession{}, fmt.Errorf("%s: dive id is empty", OpEmbedSession)
	}
	if err := validUsername(OpEmbedSession, req.Username); err != nil {
		return EmbedSession{}, err
	}
	body, err := CompactJSON(req)
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

// embedMayHaveRun: a 5xx may come from a proxy that passed the request on,
// a 4xx (429 included) was refused unperformed.
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
