package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// OpEmbedSession is POST /v1/dives/{dive_id}/embed-session (Request.Op, Fault.Op).
const OpEmbedSession = "embed_session"

// Limits of an embed-session request, as compact UTF-8 JSON.
const (
	MaxRequiredResourcesBytes = 8192
	MaxInitialStateBytes      = 65536
)

// EmbedSession is the emulator's record of one embed session it minted.
type EmbedSession struct {
	DiveID, Username, SessionName string
	Secret                        string
}

// embedState holds the Dives and the sessions minted for them.
type embedState struct {
	dives    map[string]bool
	sessions []EmbedSession
}

// AddDive makes a Dive with this id exist (ids are compared in lower case).
func (s *Server) AddDive(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.embeds.dives == nil {
		s.embeds.dives = map[string]bool{}
	}
	s.embeds.dives[strings.ToLower(id)] = true
}

// EmbedSessions returns every embed session minted, in order, also those
// whose answer a drop_after fault lost.
func (s *Server) EmbedSessions() []EmbedSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]EmbedSession(nil), s.embeds.sessions...)
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// compactSize is the size of raw as compact JSON.
func compactSize(raw json.RawMessage) int {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return len(raw)
	}
	return b.Len()
}

// embedSessionLocked answers POST /v1/dives/{dive_id}/embed-session. Guesses
// where the contract is silent: a dive_id that is not a UUID and a username
// that is not a service account are 400s naming the field; an unknown
// service account is a JSON 404, like an unknown Dive.
func (s *Server) embedSessionLocked(r *http.Request, rt route, in body) (int, any) {
	var issues []issue
	if !uuidRe.MatchString(rt.diveID) {
		issues = append(issues, issue{Message: "dive_id must be a UUID", Path: []string{"dive_id"}})
	}
	fields, berr := parseObjectBody(r, in)
	if berr != nil {
		return badRequest(append(issues, *berr))
	}
	username, iss := stringField(fields, "username", true, 1, MaxUsernameLength)
	issues = append(issues, iss...)
	sessionName, iss := stringField(fields, "session_name", false, 1, 0)
	issues = append(issues, iss...)
	_, iss = stringField(fields, "session_hint", false, 1, 0)
	issues = append(issues, iss...)
	if _, name := fields["session_name"]; name {
		if _, hint := fields["session_hint"]; hint {
			issues = append(issues, issue{Message: "send session_name or session_hint, not both", Path: []string{"session_hint"}})
		}
	}
	if raw, ok := fields["version"]; ok {
		var v int64
		if jsonKind(raw) != "number" || json.Unmarshal(raw, &v) != nil || v < 1 {
			issues = append(issues, issue{Message: "version must be a whole number of at least 1", Path: []string{"version"}})
		}
	}
	if raw, ok := fields["required_resources"]; ok {
		var res []struct {
			URL   *string `json:"url"`
			Alias *string `json:"alias"`
		}
		switch {
		case jsonKind(raw) != "array" || json.Unmarshal(raw, &res) != nil:
			issues = append(issues, issue{Message: "required_resources must be an array of {url, alias?} objects", Path: []string{"required_resources"}})
		case compactSize(raw) > MaxRequiredResourcesBytes:
			issues = append(issues, issue{Message: "required_resources must be at most " + strconv.Itoa(MaxRequiredResourcesBytes) + " bytes", Path: []string{"required_resources"}})
		}
		for i, x := range res {
			if x.URL == nil || *x.URL == "" {
				issues = append(issues, issue{Message: "url is required", Path: []string{"required_resources", strconv.Itoa(i), "url"}})
			}
		}
	}
	if raw, ok := fields["initial_state"]; ok {
		switch {
		case jsonKind(raw) != "object":
			issues = append(issues, issue{Message: "initial_state must be an object", Path: []string{"initial_state"}})
		case compactSize(raw) > MaxInitialStateBytes:
			issues = append(issues, issue{Message: "initial_state must be at most " + strconv.Itoa(MaxInitialStateBytes) + " bytes", Path: []string{"initial_state"}})
		}
	}
	if len(issues) > 0 {
		return badRequest(issues)
	}
	if !s.embeds.dives[strings.ToLower(rt.diveID)] {
		return notFound("dive not found")
	}
	u := s.users[username]
	if u == nil {
		return notFound("user not found")
	}
	if u.human {
		return badRequest([]issue{{Message: "username must be a service account", Path: []string{"username"}}})
	}
	es := EmbedSession{DiveID: rt.diveID, Username: username, SessionName: sessionName, Secret: "mdes_" + newSecret()[3:]}
	s.embeds.sessions = append(s.embeds.sessions, es)
	return http.StatusOK, map[string]string{"session": es.Secret}
}

// parseOtherRoute matches the /v1 paths outside /v1/users: the active
// accounts and the embed-session call.
func parseOtherRoute(method string, segs []string, rt route) route {
	switch {
	case len(segs) == 3 && segs[2] == "active_accounts" && method == http.MethodGet:
		rt.op = OpActiveAccounts
	case len(segs) == 5 && segs[2] == "dives" && segs[3] != "" && segs[4] == "embed-session" && method == http.MethodPost:
		id, err := url.PathUnescape(segs[3])
		if err == nil {
			rt.op = OpEmbedSession
			rt.diveID = id
		}
	}
	return rt
}
