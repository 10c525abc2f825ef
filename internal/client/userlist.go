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

// User is a user or service account as GET /v1/users lists it.
type User struct {
	ID                         string
	Username                   string
	Email, FirstName, LastName *string // nil for null (most service accounts) or absent
	IsServiceAccount           bool
	IsDeprovisioned            bool
	Roles                      []string // granted directly, not inherited
}

// UserFilter narrows ListUsers; a nil field lists both kinds.
type UserFilter struct {
	IsServiceAccount *bool
	IsDeprovisioned  *bool
}

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

// ListUsers sorts by username and id: the API promises no order.
func (c *Client) ListUsers(ctx context.Context, filter UserFilter) ([]User, error) {
	l := list{op: OpListUsers, path: "/v1/users", items: "users"}
	users, err := readStable(ctx, l, func(ctx context.Context, cursor string) ([]User, string, string, error) {
		q := filter.query()
		if cursor != "" {
			q.Set("page_token", cursor)
		}
		body, err := c.do(ctx, &call{op: l.op, method: http.MethodGet, path: l.path, query: q.Encode()})
		if err != nil {
			return nil, "", "", err
		}
		users, next, reason := decodeUserPage(body)
		return users, next, reason, nil
	}, func(u *User) string { return u.ID })
	slices.SortFunc(users, func(a, b User) int {
		return cmp.Or(cmp.Compare(a.Username, b.Username), cmp.Compare(a.ID, b.ID))
	})
	return users, err
}

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
