package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Descriptions of the timeouts blocks' read and delete (and the service
// account's create): what each bounds and its default, as
// mintTimeoutDescription does for a token's create and update, in place of
// the framework's generic text.

// shortDuration renders d without trailing zero units: "5m", "2m".
func shortDuration(d time.Duration) string { return strings.TrimSuffix(d.String(), "0s") }

// operationTimeoutDescription documents the timeout of an operation (what)
// made of calls (does). The whole operation is bounded, retries and the
// waits between them included; each request is also bounded by the
// provider's request_timeout.
func operationTimeoutDescription(what, does string) string {
	return fmt.Sprintf("How long %s may take (%s), retries and the waits between them included, as a Go duration such as "+
		"`\"30s\"` or `\"2h45m\"` (default `%s`). Each request is also bounded by the provider's `request_timeout`.",
		what, does, shortDuration(defaultOperationTimeout))
}

// deleteFromState is the framework's caveat about delete, in its place.
const deleteFromState = " A destroy reads this value from state: a new value counts once an apply has saved it."

var (
	tokenReadTimeoutDescription = operationTimeoutDescription("reading the token in a refresh, which every plan and apply makes,",
		"listing the user's tokens to see whether it is still valid")
	tokenDeleteTimeoutDescription = operationTimeoutDescription("destroying the token",
		"invalidating it, and with `keep_previous` the previous token and any ids in `pending_revoke_ids`") + deleteFromState
	serviceAccountCreateTimeoutDescription = operationTimeoutDescription("creating the service account",
		"checking that the username is free, creating it, and, when the answer is lost, checking whether it was created")
	serviceAccountReadTimeoutDescription = operationTimeoutDescription("reading the service account in a refresh, which every plan "+
		"and apply makes,", "asking whether it still exists")
	serviceAccountDeleteTimeoutDescription = operationTimeoutDescription("destroying the service account",
		"checking in the organization's user list that it is a service account, and deleting it") + deleteFromState
)

// validateTimeouts refuses, at plan, a timeouts value that is zero or
// negative: the framework's timeouts type takes any Go duration, and such a
// value would end every operation at once with a misleading "timed out".
func validateTimeouts(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var block timeouts.Value
	if diags.Append(config.GetAttribute(ctx, path.Root("timeouts"), &block)...); diags.HasError() || block.IsNull() || block.IsUnknown() {
		return
	}
	for name, v := range block.Attributes() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if d, err := time.ParseDuration(s.ValueString()); err == nil && d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(name), "Invalid Timeout",
				fmt.Sprintf("timeouts.%s must be a positive duration, such as \"10m\" or \"1h\"; got %q.", name, s.ValueString()))
		}
	}
}
