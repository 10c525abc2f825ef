package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// TestAPIErrorDiag_WhatToDoNext: the last word of an API error fits what
// happened. A 5xx or 429 that changed nothing may be run again; a refusal
// (409 ...) gets the same answer again; a failure that left something for
// later says that, and not that nothing was left half-done.
func TestAPIErrorDiag_WhatToDoNext(t *testing.T) {
	apiErr := func(status int) error {
		return &client.APIError{Operation: client.OpRevokeToken, StatusCode: status, Message: http.StatusText(status), Attempts: 1}
	}
	const later = "These token ids are kept in state (pending_revoke_ids); the next apply invalidates them."
	for _, tc := range []struct {
		name     string
		err      error
		then     string
		want     []string
		wantNone []string
	}{
		{"503", apiErr(503), "", []string{"HTTP 503", nothingHalfDone}, []string{"refused the request"}},
		{"429", apiErr(429), "", []string{"MotherDuck API Rate Limited", "rate limiting", "HTTP 429", "Nothing was left half-done",
			"Run again once the rate limit has passed."}, []string{"refused the request", "cut short", "timeouts"}},
		{"429 to every attempt", &client.APIError{Operation: client.OpRevokeToken, StatusCode: 429, Attempts: 5, Elapsed: 12 * time.Second}, "",
			[]string{"HTTP 429 Too Many Requests) to every attempt, after 5 attempts over 12s."}, []string{"cut short"}},
		{"429, Retry-After past the timeouts", &client.RetryCutShortError{Err: apiErr(429), RetryAfter: 20 * time.Second,
			Left: 4900 * time.Millisecond, CallerDeadline: true}, "",
			[]string{"MotherDuck API Rate Limited", "asked to wait 20s before trying again, but that wait would outlast the operation's time " +
				"limit (the resource's `timeouts`), which had 4.9s left, so the wait was cut short", "give the operation more time in the resource's `timeouts` block",
				"Cause: revoke token: HTTP 429: Too Many Requests; not retried: the server asked to wait 20s (Retry-After), and the operation's time limit has 4.9s left."},
			nil},
		{"429, Retry-After past the call's limit, ids kept", &client.RetryCutShortError{Err: apiErr(429), RetryAfter: 30 * time.Second, Left: time.Second}, later,
			[]string{"asked to wait 30s before trying again, but that wait would outlast the time one request may take with its retries",
				"Run again once the rate limit has passed."}, []string{"half-done", "timeouts` block"}},
		{"503 cut short", &client.RetryCutShortError{Err: apiErr(503), RetryAfter: 20 * time.Second, Left: time.Second, CallerDeadline: true}, "",
			[]string{"MotherDuck API Error", "HTTP 503", "not retried: the server asked to wait 20s"}, []string{"Rate Limited"}},
		{"409", apiErr(409), "", []string{"HTTP 409", "refused the request, so it changed nothing", "gets the same answer"},
			[]string{"safe to run again", "half-done"}},
		{"408", apiErr(408), "", []string{"HTTP 408", nothingHalfDone}, []string{"refused the request"}},
		{"503, ids kept", apiErr(503), later, []string{"HTTP 503", "It is safe to run again.", later}, []string{"half-done"}},
		{"409, ids kept", apiErr(409), later, []string{"refused the request", later}, []string{"half-done"}},
		{"unusable answer, ids kept", &client.InvalidResponseError{Operation: client.OpRevokeToken, StatusCode: 200, Reason: "body is not JSON"},
			later, []string{"could not be used", later}, []string{"half-done"}},
		{"list kept changing", &client.ListUnsettledError{Operation: client.OpListTokens, Reads: 4}, "",
			[]string{"Token List Kept Changing", "4 reads", "changed nothing", "safe to run again"}, []string{"api_url", "no answer came"}},
		{"mint canceled", &client.TransportError{Operation: client.OpMintToken, Err: context.Canceled}, "",
			[]string{"Operation Canceled", "No token was left behind"}, nil},
		{"list canceled", &client.TransportError{Operation: client.OpListTokens, Err: context.Canceled}, "",
			[]string{"Operation Canceled"}, []string{"left behind"}},
		{"401, ids kept", &client.APIError{Operation: client.OpRevokeToken, StatusCode: 401, Message: "Unauthorized"},
			later, []string{"Rejected the Credentials", later}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := apiErrorDiagThen(nil, "invalidate token t1 of user \"svc_ci\"", "svc_ci", tc.err, tc.then)
			text := d.Summary() + "\n" + d.Detail()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.wantNone {
				if strings.Contains(text, w) {
					t.Errorf("has %q:\n%s", w, text)
				}
			}
			if tc.then != "" && !strings.HasSuffix(d.Detail(), tc.then) {
				t.Errorf("does not end with what is left for later:\n%s", text)
			}
		})
	}
}

// TestAmbiguousMintDiag: a failed mint that left something owed says it is
// kept on record, and sends nobody to look for tokens, or to invalidate one,
// by hand (one may be another state's).
func TestAmbiguousMintDiag(t *testing.T) {
	amb := &client.AmbiguousMintError{Username: "svc_ci", Name: "ci", Owed: client.Debt{Revoke: []string{"tok-1"}}}
	d := apiErrorDiag(nil, `mint token "ci" for user "svc_ci"`, "svc_ci", amb)
	text := d.Summary() + "\n" + d.Detail()
	for _, w := range []string{"Token Mint Outcome Unknown", "kept on record", "tok-1"} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	for _, bad := range []string{"List the tokens", "invalidate any token"} {
		if strings.Contains(text, bad) {
			t.Errorf("sends the user to act by hand (%q):\n%s", bad, text)
		}
	}
}

// TestAPIErrorDiag_notFoundNamesAUserOnlyWhenThereIsOne: a JSON 404 of a
// call about a user says that user does not exist; of a call that names no
// existing user (active accounts, a create) it never names one.
func TestAPIErrorDiag_notFoundNamesAUserOnlyWhenThereIsOne(t *testing.T) {
	nf := &client.APIError{Operation: client.OpListTokens, StatusCode: 404, Code: "NOT_FOUND", Message: "user not found"}
	d := apiErrorDiag(nil, `list the tokens of user "svc_gone"`, "svc_gone", nf)
	if d.Summary() != "MotherDuck User Not Found" || !strings.Contains(d.Detail(), `user "svc_gone" does not exist`) {
		t.Errorf("about a user: %s\n%s", d.Summary(), d.Detail())
	}
	d = apiErrorDiag(nil, "list the accounts with running Ducklings", "", nf)
	if text := d.Summary() + "\n" + d.Detail(); strings.Contains(text, "does not exist") || strings.Contains(text, "User") ||
		!strings.Contains(text, "404 Not Found") ||
		!strings.Contains(text, "api_url") {
		t.Errorf("about no user: %s", text)
	}
}

// TestAPIErrorDiag_namesTheAPIURLWhereItIsTheThingToCheck: no answer, or an
// answer that is not the API's, names the api_url the provider talks to.
func TestAPIErrorDiag_namesTheAPIURLWhereItIsTheThingToCheck(t *testing.T) {
	c, err := client.New(client.Config{BaseURL: "http://127.0.0.1:1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	data := &providerData{client: c}
	for _, e := range []error{
		&client.TransportError{Operation: client.OpListTokens, Err: errors.New("connection refused")},
		&client.InvalidResponseError{Operation: client.OpListTokens, StatusCode: 200, Reason: "body is not JSON"},
	} {
		if d := apiErrorDiag(data, "list the tokens of user \"svc\"", "svc", e); !strings.Contains(d.Detail(), "API at http://127.0.0.1:1") {
			t.Errorf("%s does not name the api_url: %s", d.Summary(), d.Detail())
		}
	}
}
