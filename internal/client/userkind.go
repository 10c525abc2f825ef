package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
// (GET /v1/users, every page, in whatever order it comes) and says whether
// it is a service account, a person, or cannot be told: the route missing
// (a plain-text 404), a 403 (the caller lacks the privilege to list
// members) or the user not being listed give UserKindUnknown with the
// reason. Any other failure is returned as an error.
//
// A paged list that does not show the user is read again (up to
// maxListReads reads in all) before the user is called not listed: users
// added or removed between two pages can shift one out of every page, and a
// person taken for "cannot tell" would not be protected from deletion.
func (c *Client) LookupUserKind(ctx context.Context, username string) (UserKindAnswer, error) {
	if err := validUsername(OpListUsers, username); err != nil {
		return UserKindAnswer{}, err
	}
	for read := 1; ; read++ {
		ans, pages, settled, err := c.lookupUserKindOnce(ctx, username)
		if err != nil || settled || pages == 1 || read == maxListReads {
			return ans, err
		}
	}
}

// lookupUserKindOnce reads the user list once, page by page, until it finds
// username. settled is false when another read might answer otherwise: the
// list was read to its end without the user.
func (c *Client) lookupUserKindOnce(ctx context.Context, username string) (ans UserKindAnswer, pages int, settled bool, err error) {
	query := url.Values{"limit": {fmt.Sprint(usersPageLimit)}}
	seenCursors := map[string]bool{}
	for page := 1; ; page++ {
		cl := &call{op: OpListUsers, method: http.MethodGet, path: "/v1/users", query: query.Encode()}
		body, err := c.do(ctx, cl)
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && apiErr.Code == "" && page == 1:
			return UserKindAnswer{Why: "the API has no user list (GET /v1/users answered 404 Not Found)"}, page, true, nil
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden:
			return UserKindAnswer{Why: "the provider's token may not list the organization's members " +
				"(the member_management.view_all_members privilege is needed): " + err.Error()}, page, true, nil
		case err != nil:
			return UserKindAnswer{}, page, false, err
		}
		bad := func(reason string) error {
			return &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: http.StatusOK,
				Reason: fmt.Sprintf("page %d: %s", page, reason)}
		}
		var v struct {
			Users *[]struct {
				Username         string `json:"username"`
				IsServiceAccount *bool  `json:"is_service_account"`
			} `json:"users"`
			NextPageToken *string `json:"next_page_token"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return UserKindAnswer{}, page, false, bad("body is not the expected JSON object")
		}
		if v.Users == nil {
			return UserKindAnswer{}, page, false, bad(`missing field "users"`)
		}
		for _, u := range *v.Users {
			if u.Username != username {
				continue
			}
			switch {
			case u.IsServiceAccount == nil:
				return UserKindAnswer{}, page, false, bad(`a user without "is_service_account"`)
			case *u.IsServiceAccount:
				return UserKindAnswer{Kind: UserKindServiceAccount}, page, true, nil
			default:
				return UserKindAnswer{Kind: UserKindHuman}, page, true, nil
			}
		}
		if v.NextPageToken == nil || *v.NextPageToken == "" {
			return UserKindAnswer{Why: fmt.Sprintf("user %q is not in the organization's user list", username), NotListed: true}, page, false, nil
		}
		next := *v.NextPageToken
		if seenCursors[next] {
			return UserKindAnswer{}, page, false, bad("the next-page cursor repeats an earlier one, so the list cannot be read to its end")
		}
		if page >= maxListPages {
			return UserKindAnswer{}, page, false, bad(fmt.Sprintf("more than %d pages", maxListPages))
		}
		seenCursors[next] = true
		query.Set("page_token", next)
	}
}
