package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// apiErrorDiag turns a client error into a diagnostic a person can act on.
// action is what was attempted ("mint a token for user svc_ci").
func apiErrorDiag(data *providerData, action, username string, err error) diag.Diagnostic {
	return apiErrorDiagThen(data, action, username, err, "")
}

// nothingHalfDone is what a failed call that changed nothing leaves: the
// default last word of an API error that may be retried.
const nothingHalfDone = "Nothing was left half-done by this provider; it is safe to run again."

// apiErrorDiagThen is apiErrorDiag for a call whose failure leaves something
// for later: then, its last paragraph, says what (say, ids kept in state to
// invalidate), and the default "nothing was left half-done" is left out.
func apiErrorDiagThen(data *providerData, action, username string, err error, then string) diag.Diagnostic {
	retryable, halfDone := nothingHalfDone, "Nothing was left half-done by this provider. "
	if then != "" {
		retryable, halfDone = "It is safe to run again.", ""
	}
	var apiErr *client.APIError
	var ambiguous *client.AmbiguousMintError
	var transportErr *client.TransportError
	var invalid *client.InvalidResponseError
	var unsettled *client.ListUnsettledError
	source := "the provider configuration"
	if data != nil && data.tokenSource != "" {
		source = data.tokenSource
	}
	var summary, detail string
	switch {
	case errors.As(err, &ambiguous):
		summary, detail = "Token Mint Outcome Unknown", fmt.Sprintf("Could not %s: the request failed in a way that may have minted a token "+
			"whose secret never arrived. %s\n\n%s", action, keptOnRecord, cause(err))
	case client.IsUnauthorized(err):
		summary, detail = "MotherDuck Rejected the Credentials", fmt.Sprintf("Could not %s: MotherDuck answered 401 Unauthorized. "+
			"The token came from %s; check that it is a current read/write token (not revoked, not expired).\n\n%s",
			action, source, cause(err))
	case client.IsForbidden(err) && errors.As(err, &apiErr) && apiErr.Operation == client.OpMintToken:
		// The API answers 403 both to a caller without the Admin role and
		// to an admin minting for another human user.
		summary, detail = "MotherDuck Refused the Operation", fmt.Sprintf("Could not %s: MotherDuck answered 403 Forbidden. "+
			"Either the provider's token (it came from %s) is not a read/write token of a user with the organization Admin "+
			"role, or user %q is another human user: admins can mint tokens only for their own user and for the "+
			"organization's service accounts.\n\n%s", action, source, username, cause(err))
	case client.IsForbidden(err):
		summary, detail = "MotherDuck Refused the Operation", fmt.Sprintf("Could not %s: MotherDuck answered 403 Forbidden. "+
			"This provider needs a read/write token of a user with the organization Admin role (the token came from %s). "+
			"Admins can manage tokens only for their own user and for the organization's service accounts.\n\n%s",
			action, source, cause(err))
	case client.IsNotFound(err) && username != "":
		summary, detail = "MotherDuck User Not Found", fmt.Sprintf("Could not %s: user %q does not exist in the organization. "+
			"Check the username, and that the provider's token belongs to that organization.\n\n%s", action, username, cause(err))
	case client.IsNotFound(err):
		// A call that names no existing user (a list, a create).
		summary, detail = "MotherDuck API Not Found", fmt.Sprintf("Could not %s: MotherDuck answered 404 Not Found. Check "+
			"that api_url is the MotherDuck REST API and that the provider's token (it came from %s) belongs to the "+
			"organization.\n\n%s", action, source, cause(err))
	case client.IsBadRequest(err):
		var b strings.Builder
		if errors.As(err, &apiErr) {
			b.WriteString(apiErr.Message)
			for _, is := range apiErr.Issues {
				b.WriteString("\n  - ")
				if len(is.Path) > 0 {
					fmt.Fprintf(&b, "%v: ", is.Path)
				}
				b.WriteString(is.Message)
			}
		} else {
			b.WriteString(err.Error())
		}
		summary, detail = "MotherDuck Refused the Request", fmt.Sprintf("Could not %s: MotherDuck answered 400 Bad Request.\n\n%s", action, b.String())
	case errors.Is(err, context.Canceled):
		leftBehind := ""
		if errors.As(err, &transportErr) && transportErr.Operation == client.OpMintToken {
			// Not an AmbiguousMintError: the clean-up after the cancelled
			// request ran to its end, or the request was never sent.
			leftBehind = " No token was left behind by it."
		}
		summary, detail = "Operation Canceled", fmt.Sprintf("Could not %s: the operation was canceled.%s\n\n%s", action, leftBehind, cause(err))
	case errors.As(err, &transportErr) && transportErr.Timeout:
		summary, detail = "MotherDuck API Not Responding", fmt.Sprintf("Could not %s: the MotherDuck API did not answer%s. %s\n\n%s",
			action, spentClause(transportErr), checkReachability, cause(err))
	case errors.Is(err, context.DeadlineExceeded):
		spentText := ""
		if errors.As(err, &transportErr) {
			spentText = spentClause(transportErr)
		}
		summary, detail = "Operation Timed Out", fmt.Sprintf("Could not %s before the operation's time limit (the resource's timeouts) ran out%s. %s\n\n%s",
			action, spentText, checkReachability, cause(err))
	case errors.As(err, &invalid):
		summary, detail = "Unusable Answer from the MotherDuck API", fmt.Sprintf("Could not %s: the API%s answered HTTP %d, "+
			"but the answer could not be used: %s. The network worked; check that api_url points at the "+
			"MotherDuck API itself and not at a proxy, a login page or another service. %s\n\n%s", action, apiAt(data),
			invalid.StatusCode, invalid.Reason, retryable, cause(err))
	case errors.As(err, &unsettled):
		summary, detail = "MotherDuck Token List Kept Changing", fmt.Sprintf("Could not %s: the API answers the token list "+
			"in pages, and %d reads of it in a row held different tokens (tokens were minted or invalidated while it was "+
			"read, or the API pages inconsistently), so the provider cannot tell which tokens exist and changed nothing. "+
			"It is safe to run again.\n\n%s", action, unsettled.Reads, cause(err))
	case client.IsRateLimited(err):
		summary, detail = "MotherDuck API Rate Limited", fmt.Sprintf("Could not %s: MotherDuck is rate limiting this "+
			"provider's requests (it answered HTTP 429 Too Many Requests)%s. %sRun again once the rate limit has passed%s.\n\n%s",
			action, rateLimitedClause(err), halfDone, raiseTimeoutHint(err), cause(err))
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && apiErr.Code == "":
		summary, detail = "MotherDuck API Route Not Found", fmt.Sprintf("Could not %s: %s %s answered a plain 404 Not Found, "+
			"which means the server has no such route, not that the user or token is gone. Check that api_url is the root URL of "+
			"the MotherDuck API, such as %s, without a path.\n\n%s", action, apiErr.Method, apiErr.URL, DefaultAPIURL, cause(err))
	case errors.As(err, &apiErr):
		attempts := ""
		if apiErr.Attempts > 1 {
			attempts = spentClause(apiErr)
		}
		next := retryable
		if refusals[apiErr.StatusCode] {
			// The same request gets the same answer (408, 425 ... may not).
			next = "MotherDuck refused the request, so it changed nothing; running again gets the same answer until " +
				"what the cause below names is dealt with."
		}
		summary, detail = "MotherDuck API Error", fmt.Sprintf("Could not %s: MotherDuck answered HTTP %d%s. %s\n\n%s",
			action, apiErr.StatusCode, attempts, next, cause(err))
	default:
		spentText := ""
		if errors.As(err, &transportErr) {
			spentText = spentClause(transportErr)
		}
		summary, detail = "MotherDuck API Unreachable", fmt.Sprintf("Could not %s: no answer came from the MotherDuck API%s%s. %s\n\n%s",
			action, apiAt(data), spentText, checkReachability, cause(err))
	}
	if then != "" {
		detail += "\n\n" + then
	}
	return diag.NewErrorDiagnostic(summary, detail)
}

// apiAt names the API URL the provider talks to (api_url; never with user
// information, which the provider refuses), for errors where it is the
// thing to check.
func apiAt(data *providerData) string {
	if data == nil || data.client == nil {
		return ""
	}
	return " at " + data.client.Endpoint()
}

// rateLimitedClause says, for a 429, how the provider's retries ended: the
// wait the API asked for cut short by a time limit, or every attempt refused.
func rateLimitedClause(err error) string {
	var cut *client.RetryCutShortError
	if !errors.As(err, &cut) {
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && apiErr.Attempts > 1 {
			return " to every attempt," + spentClause(apiErr)
		}
		return ""
	}
	limit := "the time one request may take with its retries (`request_timeout` times the attempts, at most a minute " +
		"unless one `request_timeout` is longer)"
	if cut.CallerDeadline {
		limit = "the operation's time limit (the resource's `timeouts`)"
	}
	return fmt.Sprintf(" and asked to wait %s before trying again, but that wait would outlast %s, which had %s left, "+
		"so the wait was cut short and the provider stopped at once", cut.RetryAfter, limit, cut.Left.Round(100*time.Millisecond))
}

// raiseTimeoutHint suggests a longer timeout when the resource's timeouts
// cut a wait short.
func raiseTimeoutHint(err error) string {
	var cut *client.RetryCutShortError
	if errors.As(err, &cut) && cut.CallerDeadline {
		return ", or give the operation more time in the resource's `timeouts` block"
	}
	return ""
}

// keptOnRecord says where a failed mint's leftovers are: every caller
// records them (resources in state, ephemeral tokens in the provider
// process), so nobody is sent to look for them by hand, and nobody is told
// to invalidate a token that another state may hold.
const keptOnRecord = "What it may have left is kept on record: a token it created is invalidated, and a request whose outcome " +
	"is still unknown is checked again, by the next plan and apply (for an ephemeral token, before the provider stops)."

// refusals are the statuses whose answer does not change by asking again.
var refusals = map[int]bool{
	http.StatusMethodNotAllowed: true, http.StatusConflict: true, http.StatusGone: true,
	http.StatusRequestEntityTooLarge: true, http.StatusUnsupportedMediaType: true, http.StatusUnprocessableEntity: true,
}

// checkReachability is what to check when the API does not answer.
const checkReachability = "Check the network, that api_url points at the MotherDuck API, and MotherDuck's status page; it is safe to run again."

// spentClause is the client's account of attempts and time as a clause
// (" after 2 attempts over 1m0s"), or "".
func spentClause(e interface{ Spent() string }) string {
	if s := e.Spent(); s != "" {
		return " " + s
	}
	return ""
}

// cause renders the client's error as the last sentence of a diagnostic's
// detail. It does not start with "Error:", which under -no-color would read
// as a second diagnostic.
func cause(err error) string {
	text := strings.TrimSpace(err.Error())
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	return "Cause: " + text
}
