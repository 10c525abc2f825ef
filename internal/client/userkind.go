package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// UserKind is what the user list says a user is.
type UserKind int

const (
	// UserKindUnknown: the list could not tell (no such route, no privilege
	// to list members, or the user is not in the list).
	UserKindUnknown UserKind = iota
	// UserKindServiceAccount: the user is listed as a service account.
	UserKindServiceAccount
	// UserKindHuman: the user is listed as a person (not a service account).
	UserKindHuman
)

// UserKindAnswer is the outcome of LookupUserKind.
type UserKindAnswer struct {
	Kind UserKind
	// Why says, for UserKindUnknown, why the kind could not be told.
	Why string
	// NotListed is set, with UserKindUnknown, when the list was read and
	// does not hold the user (as opposed to a list that cannot be read).
	NotListed bool
}

// usersPageLimit is the page size asked of the user list.
const usersPageLimit = 1000

// LookupUserKind looks username up in the organization's user list
// (ListUsers: every page, read until two reads agree) and says whether it is
// a service account, a person, or cannot be told: the route missing (a
// plain-text 404), a 403 (the caller lacks the privilege to list members)
// or the user not being listed give UserKindUnknown with the reason. Any
// other failure is returned as an error.
func (c *Client) LookupUserKind(ctx context.Context, username string) (UserKindAnswer, error) {
	if err := validUsername(OpListUsers, username); err != nil {
		return UserKindAnswer{}, err
	}
	users, err := c.ListUsers(ctx, UserFilter{})
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && apiErr.Code == "":
		return UserKindAnswer{Why: "the API has no user list (GET /v1/users answered 404 Not Found)"}, nil
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden:
		return UserKindAnswer{Why: "the provider's token may not list the organization's members " +
			"(the member_management.view_all_members privilege is needed): " + err.Error()}, nil
	case err != nil:
		return UserKindAnswer{}, err
	}
	for _, u := range users {
		switch {
		case u.Username != username:
		case u.IsServiceAccount:
			return UserKindAnswer{Kind: UserKindServiceAccount}, nil
		default:
			return UserKindAnswer{Kind: UserKindHuman}, nil
		}
	}
	return UserKindAnswer{Why: fmt.Sprintf("user %q is not in the organization's user list", username), NotListed: true}, nil
}
