package client

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// User is one user or service account of the organization, as GET /v1/users
// lists it.
type User struct {
	ID       string
	Username string
	// Email, FirstName and LastName are nil when the API answers null (as
	// for most service accounts) or leaves the field out.
	Email, FirstName, LastName *string
	IsServiceAccount           bool
	IsDeprovisioned            bool
	// Roles are the roles granted directly to the user, not inherited ones.
	Roles []string
}

// UserFilter narrows ListUsers; a nil field lists both kinds.
type UserFilter struct {
	IsServiceAccount *bool
	IsDeprovisioned  *bool
}

// query is the filter as the list call's query parameters.
func (f UserFilter) query() url.Values {
	q := url.Values{"limit": {strconv.Itoa(usersPageLimit)}}
	if f.IsServiceAccount != nil {
		q.Set("is_service_account", strconv.FormatBool(*f.IsServiceAccount))
	}
	if f.IsDeprovisioned != nil {
		q.Set("is_deprovisioned", strconv.FormatBool(*f.IsDeprovisioned))
	}
	return q
}

// ListUsers lists every user matching filter, each once, sorted by username
// and then id (see readUsers).
func (c *Client) ListUsers(ctx context.Context, filter UserFilter) ([]User, error) {
	return readUsers(ctx, func(ctx context.Context, pageToken string) ([]User, string, error) {
		q := filter.query()
		if pageToken != "" {
			q.Set("page_token", pageToken)
		}
		cl := &call{op: OpListUsers, method: http.MethodGet, path: "/v1/users", query: q.Encode()}
		body, err := c.do(ctx, cl)
		if err != nil {
			return nil, "", err
		}
		users, next, reason := decodeUserPage(body)
		if reason != "" {
			return nil, "", &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: http.StatusOK, Reason: reason}
		}
		return users, next, nil
	})
}

// userPageFetcher reads the page of the user list that pageToken names
// ("" for the first) and returns its users and the next page's cursor ("" on
// the last page).
type userPageFetcher func(ctx context.Context, pageToken string) (users []User, next string, err error)

// readUsers reads the whole user list through fetch. The order of the API's
// answer is not specified, and a user added during a walk can push another
// onto the next page as well, so entries are de-duplicated by id; a walk that
// met such a repeat is read again, until two walks in a row hold the same
// users (at most maxListReads walks), so that a user pushed off a page by a
// change is not missed either. The result is sorted by username, then id.
//
// It is the user list's own walk until the client has one pager for every
// list; then this function becomes a call to it.
func readUsers(ctx context.Context, fetch userPageFetcher) ([]User, error) {
	var prev []User
	for read := 1; read <= maxListReads; read++ {
		users, repeated, err := walkUserPages(ctx, fetch)
		if err != nil {
			return nil, err
		}
		if (!repeated && read == 1) || (prev != nil && sameUserIDs(prev, users)) {
			slices.SortFunc(users, func(a, b User) int {
				return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.ID, b.ID))
			})
			return users, nil
		}
		prev = users
	}
	// Not a *ListUnsettledError: that one speaks of tokens.
	return nil, &InvalidResponseError{Operation: OpListUsers, Method: http.MethodGet, Path: "/v1/users", StatusCode: http.StatusOK,
		Reason: fmt.Sprintf("the paged list held different users on each of %d reads (users were added or removed while it was read); try again", maxListReads)}
}

// walkUserPages walks the list once: the first page, then the page named by
// each answer's cursor until there is none. It returns every user once (by
// id), and whether any id came back more than once. A cursor that repeats an
// earlier one, or more than maxListPages pages, fails the walk: the list
// could not be read to its end.
func walkUserPages(ctx context.Context, fetch userPageFetcher) (users []User, repeated bool, err error) {
	seenIDs := map[string]bool{}
	seenCursors := map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		got, next, err := fetch(ctx, cursor)
		if err != nil {
			if page > 1 {
				return nil, false, fmt.Errorf("page %d: %w", page, err)
			}
			return nil, false, err
		}
		for _, u := range got {
			if seenIDs[u.ID] {
				repeated = true
				continue
			}
			seenIDs[u.ID] = true
			users = append(users, u)
		}
		if next == "" {
			return users, repeated, nil
		}
		bad := func(reason string) error {
			return &InvalidResponseError{Operation: OpListUsers, Method: http.MethodGet, Path: "/v1/users", StatusCode: http.StatusOK,
				Reason: fmt.Sprintf("page %d: %s", page, reason)}
		}
		if seenCursors[next] {
			return nil, false, bad("the next-page cursor repeats an earlier one, so the list cannot be read to its end")
		}
		if page >= maxListPages {
			return nil, false, bad(fmt.Sprintf("more than %d pages", maxListPages))
		}
		seenCursors[next] = true
		cursor = next
	}
}

// sameUserIDs reports whether a and b hold the same ids (each list holds an
// id at most once).
func sameUserIDs(a, b []User) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[string]bool, len(a))
	for _, u := range a {
		in[u.ID] = true
	}
	for _, u := range b {
		if !in[u.ID] {
			return false
		}
	}
	return true
}

// decodeUserPage decodes one page of the user list: its users and the
// cursor of the next page ("" on the last). reason says what was wrong,
// never a value.
func decodeUserPage(body []byte) (users []User, next, reason string) {
	var v struct {
		Users *[]struct {
			ID               *string  `json:"id"`
			Username         *string  `json:"username"`
			Email            *string  `json:"email"`
			FirstName        *string  `json:"first_name"`
			LastName         *string  `json:"last_name"`
			IsServiceAccount *bool    `json:"is_service_account"`
			IsDeprovisioned  *bool    `json:"is_deprovisioned"`
			Roles            []string `json:"roles"`
		} `json:"users"`
		NextPageToken *string `json:"next_page_token"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, "", "body is not the expected JSON object"
	}
	if v.Users == nil {
		return nil, "", `missing field "users"`
	}
	users = make([]User, 0, len(*v.Users))
	for i, w := range *v.Users {
		switch {
		case w.ID == nil || *w.ID == "":
			return nil, "", fmt.Sprintf(`user %d: missing field "id"`, i)
		case w.Username == nil || *w.Username == "":
			return nil, "", fmt.Sprintf(`user %d: missing field "username"`, i)
		case w.IsServiceAccount == nil:
			return nil, "", fmt.Sprintf(`user %d: missing field "is_service_account"`, i)
		}
		u := User{ID: *w.ID, Username: *w.Username, Email: w.Email, FirstName: w.FirstName, LastName: w.LastName,
			IsServiceAccount: *w.IsServiceAccount, Roles: w.Roles}
		if w.IsDeprovisioned != nil {
			u.IsDeprovisioned = *w.IsDeprovisioned
		}
		if u.Roles == nil {
			u.Roles = []string{}
		}
		users = append(users, u)
	}
	if v.NextPageToken != nil {
		next = *v.NextPageToken
	}
	return users, next, ""
}
