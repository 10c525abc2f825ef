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
	UserKindUnknown UserKind = iota
	UserKindServiceAccount
	UserKindHuman
)

type UserKindAnswer struct {
	Kind UserKind
	Why  string // why the kind is unknown
	// NotListed: the list was read and does not hold the user.
	NotListed bool
}

const usersPageLimit = 1000

// LookupUserKind says whether username is a service account, a person, or
// cannot be told: no such route (a plain-text 404), no privilege to list
// members (403) or the user not listed give UserKindUnknown, not an error.
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
