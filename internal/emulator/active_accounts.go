package emulator

import (
	"cmp"
	"net/http"
	"slices"
)

// OpActiveAccounts is GET /v1/active_accounts (Request.Op, Fault.Op).
const OpActiveAccounts = "active_accounts"

// Duckling is one running Duckling, as GET /v1/active_accounts lists it: ID
// "rw" or "rs.N", Type "read_write" or "read_scaling", Status "active" or
// "cooldown".
type Duckling struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// SetRunningDucklings is the test hook that stands for Ducklings starting
// and stopping: the user's running Ducklings become ducklings (none: the
// account leaves the active list). Only users that exist are listed.
func (s *Server) SetRunningDucklings(username string, ducklings []Duckling) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running == nil {
		s.running = map[string][]Duckling{}
	}
	if len(ducklings) == 0 {
		delete(s.running, username)
		return
	}
	s.running[username] = slices.Clone(ducklings)
}

// activeAccountsLocked answers GET /v1/active_accounts: one page, no
// cursor (a cursor parameter is ignored), in no promised order (here by a
// hash of the username).
func (s *Server) activeAccountsLocked() (int, any) {
	type account struct {
		Username  string     `json:"username"`
		Ducklings []Duckling `json:"ducklings"`
	}
	list := []account{}
	for name, ds := range s.running {
		if s.users[name] != nil {
			list = append(list, account{Username: name, Ducklings: slices.Clone(ds)})
		}
	}
	slices.SortFunc(list, func(a, b account) int { return cmp.Compare(idHash(a.Username), idHash(b.Username)) })
	return http.StatusOK, map[string]any{"accounts": list}
}
