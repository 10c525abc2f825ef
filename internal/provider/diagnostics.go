package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// maskSecrets makes every tflog call made with the returned context replace
// the given secrets, wherever they would appear, with asterisks.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	kept := secrets[:0:0]
	for _, s := range secrets {
		if s != "" {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return ctx
	}
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "token", "secret", "authorization", "Authorization")
	ctx = tflog.MaskAllFieldValuesStrings(ctx, kept...)
	return tflog.MaskMessageStrings(ctx, kept...)
}

// tflogLogger forwards the client's events to tflog, masking the admin token.
type tflogLogger struct{ secret string }

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(maskSecrets(ctx, l.secret), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(maskSecrets(ctx, l.secret), msg, fields)
}

// Diagnostics shared by every resource and data source, worded once.

func notConfiguredDiag() diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider Not Configured",
		"The MotherDuck provider's configuration was not known when this operation ran (its token or api_url "+
			"depends on something not created yet), so no API call could be made. Apply the resources it depends on "+
			"first, for example with -target, then run again.")
}

func unexpectedProviderDataDiag(kind string, got any) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected Provider Data",
		fmt.Sprintf("The %s expected the MotherDuck provider's data, got %T. This is a bug in the provider: please report it.", kind, got))
}

// apiErrorDiag turns a client error into a diagnostic a person can act on.
// action is what was attempted ("mint a token for user svc_ci").
func apiErrorDiag(data *providerData, action, username string, err error) diag.Diagnostic {
	summary, detail := describeAPIError(data, action, username, err)
	return diag.NewErrorDiagnostic(summary, detail)
}

func describeAPIError(data *providerData, action, username string, err error) (summary, detail string) {
	var apiErr *client.APIError
	var ambiguous *client.AmbiguousMintError
	source := "the provider configuration"
	if data != nil && data.tokenSource != "" {
		source = data.tokenSource
	}
	switch {
	case errors.As(err, &ambiguous):
		return "Token Mint Outcome Unknown", fmt.Sprintf("Could not %s: the request failed in a way that may have minted a token "+
			"whose secret never arrived, and the provider could not make sure no such token was left behind. "+
			"List the tokens of user %q (GET /v1/users/%s/tokens) and invalidate any token named %q created just now "+
			"that is not in Terraform state.\n\nError: %s", action, username, username, ambiguous.Name, err)
	case client.IsUnauthorized(err):
		return "MotherDuck Rejected the Credentials", fmt.Sprintf("Could not %s: MotherDuck answered 401 Unauthorized. "+
			"The token came from %s; check that it is a current read/write token (not revoked, not expired).\n\nError: %s",
			action, source, err)
	case client.IsForbidden(err):
		return "MotherDuck Refused the Operation", fmt.Sprintf("Could not %s: MotherDuck answered 403 Forbidden. "+
			"This provider needs a read/write token of a user with the organization Admin role (the token came from %s). "+
			"Admins can manage tokens only for their own user and for the organization's service accounts.\n\nError: %s",
			action, source, err)
	case client.IsNotFound(err):
		return "MotherDuck User Not Found", fmt.Sprintf("Could not %s: user %q does not exist in the organization "+
			"(or is another human user, for whom admins cannot manage tokens).\n\nError: %s", action, username, err)
	case client.IsBadRequest(err):
		return "MotherDuck Refused the Request", fmt.Sprintf("Could not %s: MotherDuck answered 400 Bad Request.\n\n%s", action, badRequestText(err))
	case errors.Is(err, context.Canceled):
		return "Operation Canceled", fmt.Sprintf("Could not %s: the operation was canceled.\n\nError: %s", action, err)
	case errors.Is(err, context.DeadlineExceeded):
		return "Operation Timed Out", fmt.Sprintf("Could not %s in time. Raise the resource's timeouts or the provider's "+
			"request_timeout if the API is slow. It is safe to run again.\n\nError: %s", action, err)
	case errors.As(err, &apiErr):
		attempts := ""
		if apiErr.Attempts > 1 {
			attempts = fmt.Sprintf(" after %d attempts", apiErr.Attempts)
		}
		return "MotherDuck API Error", fmt.Sprintf("Could not %s: MotherDuck answered HTTP %d%s. "+
			"Nothing was left half-done by this provider; it is safe to run again.\n\nError: %s", action, apiErr.StatusCode, attempts, err)
	default:
		return "MotherDuck API Unreachable", fmt.Sprintf("Could not %s: %s\n\nCheck api_url and the network; it is safe to run again.", action, err)
	}
}

func badRequestText(err error) string {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(apiErr.Message)
	for _, is := range apiErr.Issues {
		b.WriteString("\n  - ")
		if len(is.Path) > 0 {
			fmt.Fprintf(&b, "%v: ", is.Path)
		}
		b.WriteString(is.Message)
	}
	return b.String()
}
