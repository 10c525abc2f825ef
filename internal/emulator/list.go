package emulator

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// answerOrder returns the tokens of a list answer, given in creation order, in
// the order the list call answers them. The contract does not guarantee any
// order, so the emulator makes sure no client can come to depend on one: the
// answer is sorted by a hash of each token's random id, and whenever that
// happens to be the creation order it is rotated, so that a list of two tokens
// or more is never in creation order. For a given set of tokens the order is
// the same on every call, which keeps pages (see listLocked) consistent.
func answerOrder(created []*Token) []*Token {
	out := slices.Clone(created)
	slices.SortStableFunc(out, func(a, b *Token) int { return cmp.Compare(idHash(a.ID), idHash(b.ID)) })
	if len(out) > 1 && slices.Equal(out, created) {
		out = slices.Concat(out[1:], out[:1])
	}
	return out
}

func idHash(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}

// page is the part [start, end) of a list of n items that the request's
// page_token points at, with the server's page size (the whole list without
// one); ok is false for a page_token that is not a cursor this list returned.
func (s *Server) page(rt route, n int) (start, end int, ok bool) {
	return pageOf(rt, n, s.pageSize)
}

// pageOf is page with the page size given.
func pageOf(rt route, n, pageSize int) (start, end int, ok bool) {
	start, end = 0, n
	if pageSize > 0 && rt.pageToken != "" {
		off, valid := parseCursor(rt.pageToken)
		if !valid {
			return 0, 0, false
		}
		start = min(off, n)
	}
	if pageSize > 0 {
		end = min(start+pageSize, n)
	}
	return start, end, true
}

// listLocked answers a token list: every live token of the user in one page,
// or, with a page size, the page the request's page_token points at.
func (s *Server) listLocked(rt route) (int, any) {
	all := answerOrder(s.liveTokensLocked(rt.username))
	start, end, ok := s.page(rt, len(all))
	if !ok {
		return badRequest([]issue{{Message: "page_token is not a cursor this list returned", Path: []string{"page_token"}}})
	}
	list := make([]tokenJSON, 0, end-start)
	for _, t := range all[start:end] {
		list = append(list, s.tokenJSONLocked(t))
	}
	answer := map[string]any{"tokens": list}
	switch {
	case rt.repeatCursor && rt.pageToken != "":
		answer["next_page_token"] = rt.pageToken
	case rt.repeatCursor:
		answer["next_page_token"] = cursorAt(start)
	case s.pageSize > 0 && end < len(all):
		answer["next_page_token"] = cursorAt(end)
	case s.pageSize > 0:
		answer["next_page_token"] = nil
	}
	return http.StatusOK, answer
}

// A cursor is an opaque string that holds the offset of a page in the
// answer's order. Like many real APIs' offset cursors, it can skip or repeat
// a token when the list changes between two pages.
const cursorPrefix = "emulator-page:"

func cursorAt(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func parseCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	digits, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || strconv.Itoa(n) != digits {
		return 0, false
	}
	return n, true
}

// userID is a stable UUID-shaped id for a username.
func userID(name string) string {
	h := fnv.New128a()
	_, _ = h.Write([]byte(name))
	b := h.Sum(nil)
	return strings.Join([]string{
		hexOf(b[0:4]), hexOf(b[4:6]), hexOf(b[6:8]), hexOf(b[8:10]), hexOf(b[10:16]),
	}, "-")
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }
