package provider

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// ImportState takes "<username>/<token_id>" or, from an import block with an
// identity (Terraform 1.12+), the identity's username and id. Read then fills
// in the rest from the API.
func (r *userTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var username, id string
	if req.ID != "" {
		var problem string
		username, id, problem = parseImportID(req.ID)
		if problem != "" {
			resp.Diagnostics.AddError("Invalid Import ID", "Could not import motherduck_user_token: "+problem+".")
			return
		}
	} else {
		var ident userTokenIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if resp.Diagnostics.HasError() {
			return
		}
		username, id = ident.Username.ValueString(), ident.ID.ValueString()
		if msg := usernameProblem(username); msg != "" {
			resp.Diagnostics.AddAttributeError(path.Root("username"), "Invalid Import Identity", "The identity's username "+msg+".")
		}
		if msg := tokenIDProblem(id); msg != "" {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid Import Identity", "The identity's id "+msg+".")
		}
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("username"), username)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	setIdentity(ctx, resp.Identity, username, id, &resp.Diagnostics)
}

// parseImportID splits "<username>/<token_id>".
func parseImportID(id string) (username, tokenID string, problem string) {
	const form = "the import ID must have the form <username>/<token_id>, for example svc_ci/0b7c3f3e-5d55-4a52-9a55-6d1f7b0f0a11"
	username, tokenID, ok := strings.Cut(id, "/")
	if !ok || username == "" || tokenID == "" || strings.Contains(tokenID, "/") {
		return "", "", fmt.Sprintf("%q is malformed: %s", id, form)
	}
	if msg := usernameProblem(username); msg != "" {
		return "", "", fmt.Sprintf("the username in %q %s; %s", id, msg, form)
	}
	if msg := tokenIDProblem(tokenID); msg != "" {
		return "", "", fmt.Sprintf("the token id in %q %s; %s", id, msg, form)
	}
	return username, tokenID, ""
}

func tokenIDProblem(id string) string {
	if id == "" {
		return "must not be empty"
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || (r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))) {
			return "must hold only ASCII letters, digits, - and _ (token ids are UUIDs)"
		}
	}
	if len(id) > 128 {
		return "is too long to be a token id"
	}
	return ""
}

// importNotFoundDiag says why a token to import cannot be found, instead of
// Terraform's "Cannot import non-existent remote object". err is the list
// error (a 404 NOT_FOUND of the user) or nil (the user has no such token).
func importNotFoundDiag(username, id, apiURL string, err error) diag.Diagnostic {
	if err != nil {
		return diag.NewErrorDiagnostic("Cannot Import Token: User Not Found",
			fmt.Sprintf("User %q does not exist in the organization reached at %s, so it has no token %s. Check the username "+
				"in the import ID (<username>/<token_id>) and the provider configuration's token and api_url.\n\n%s",
				username, apiURL, id, cause(err)))
	}
	return diag.NewErrorDiagnostic("Cannot Import Token: Not a Valid Token of This User",
		fmt.Sprintf("User %q has no valid token with id %s at %s. MotherDuck lists only valid tokens, so this token was "+
			"invalidated, has expired, belongs to another user, or never existed. Check the id and the username in the "+
			"import ID (<username>/<token_id>); a token that is no longer valid cannot be imported: mint a new one instead.",
			username, id, apiURL))
}
