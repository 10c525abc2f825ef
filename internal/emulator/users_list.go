package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
)

// userListState is what the user list keeps beyond the users themselves:
// profile fields a test sets, and the order of the answer.
type userListState struct {
	pageSize int // 0: the token list's page size (SetTokenListPageSize)
	profiles map[string]UserProfile
	// listedAt numbers users in the order the list first saw them; the list
	// answers the newest first (see listUsersLocked).
	listedAt map[string]int
	next     int
}

// UserProfile is what the user list says about a user besides its kind.
type UserProfile struct {
	Email, FirstName, LastName *string
	Deprovisioned              bool
}

// SetUserListPageSize makes GET /v1/users answer at most n users a page
// (fewer when the request's limit is smaller), with a next_page_token. With
// n <= 0 (the default) it pages like the token list (SetTokenListPageSize).
func (s *Server) SetUserListPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userList.pageSize = max(n, 0)
}

// SetUserProfile sets the email, names and deprovisioned flag the user list
// shows for username (kept until changed, also across a delete).
func (s *Server) SetUserProfile(username string, p UserProfile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.userList.profiles == nil {
		s.userList.profiles = map[string]UserProfile{}
	}
	s.userList.profiles[username] = p
}

// userJSON is one user of the user list answer.
type userJSON struct {
	ID               string   `json:"id"`
	Username         string   `json:"username"`
	Email            *string  `json:"email"`
	FirstName        *string  `json:"first_name"`
	LastName         *string  `json:"last_name"`
	IsServiceAccount bool     `json:"is_service_account"`
	IsDeprovisioned  bool     `json:"is_deprovisioned"`
	Roles            []string `json:"roles"`
}

// boolFilter parses an optional true/false query parameter.
func boolFilter(name, raw string) (*bool, []issue) {
	switch raw {
	case "":
		return nil, nil
	case "true", "false":
		b := raw == "true"
		return &b, nil
	}
	return nil, []issue{{Message: name + " must be true or false", Path: []string{name}}}
}

// listUsersLocked answers GET /v1/users: the organization's users and
// service accounts, filtered by is_service_account and is_deprovisioned when
// given, a page at a time when a page size is set or limit asks for one.
//
// No order is promised. The answer puts the users the list saw last first
// (those present at the first list in an order of their names' hashes), so
// that a user added during a walk pushes every entry one place on: the
// contract's reason to de-duplicate by id.
func (s *Server) listUsersLocked(rt route) (int, any) {
	isSA, issues := boolFilter("is_service_account", rt.serviceAccounts)
	isDeprov, iss := boolFilter("is_deprovisioned", rt.deprovisioned)
	issues = append(issues, iss...)
	limit := 0
	if rt.limit != "" {
		n, err := strconv.Atoi(rt.limit)
		if err != nil || n < 1 {
			issues = append(issues, issue{Message: "limit must be a whole number of at least 1", Path: []string{"limit"}})
		}
		limit = n
	}
	if len(issues) > 0 {
		return badRequest(issues)
	}
	ls := &s.userList
	if ls.listedAt == nil {
		ls.listedAt = map[string]int{}
	}
	var fresh []*user
	for _, u := range s.users {
		if _, seen := ls.listedAt[u.name]; !seen {
			fresh = append(fresh, u)
		}
	}
	slices.SortFunc(fresh, func(a, b *user) int { return cmp.Compare(idHash(a.name), idHash(b.name)) })
	for _, u := range fresh {
		ls.next++
		ls.listedAt[u.name] = ls.next
	}
	var all []*user
	for _, u := range s.users {
		p := ls.profiles[u.name]
		if (isSA == nil || *isSA == !u.human) && (isDeprov == nil || *isDeprov == p.Deprovisioned) {
			all = append(all, u)
		}
	}
	slices.SortFunc(all, func(a, b *user) int { return cmp.Compare(ls.listedAt[b.name], ls.listedAt[a.name]) })

	size := ls.pageSize
	if size == 0 {
		size = s.pageSize
	}
	if limit > 0 && (size == 0 || limit < size) {
		size = limit
	}
	start, end, ok := pageOf(rt, len(all), size)
	if !ok {
		return badRequest([]issue{{Message: "page_token is not a cursor this list returned", Path: []string{"page_token"}}})
	}
	list := make([]userJSON, 0, end-start)
	for _, u := range all[start:end] {
		roles := []string{"member"}
		if u.admin {
			roles = []string{"admin"}
		}
		p := ls.profiles[u.name]
		list = append(list, userJSON{
			ID: userID(u.name), Username: u.name, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName,
			IsServiceAccount: !u.human, IsDeprovisioned: p.Deprovisioned, Roles: roles,
		})
	}
	var next any
	if size > 0 && end < len(all) {
		next = cursorAt(end)
	}
	return http.StatusOK, map[string]any{"users": list, "total_count": len(all), "next_page_token": next}
}
