package client

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// pagedServer answers the token list from pages: the request without
// page_token gets pages[""], the one with page_token=X gets pages[X] (or a
// 400 for an unknown cursor). It records the page_token of every list.
// With param set, it reads that query parameter instead (and ignores
// page_token).
type pagedServer struct {
	mu     sync.Mutex
	pages  map[string]func(w http.ResponseWriter)
	cursor []string
	param  string
}

func (p *pagedServer) start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		param := "page_token"
		if p.param != "" {
			param = p.param
		}
		cur := r.URL.Query().Get(param)
		p.mu.Lock()
		p.cursor = append(p.cursor, cur)
		page := p.pages[cur]
		p.mu.Unlock()
		if page == nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"message":"Bad Request","code":"BAD_REQUEST","issues":[{"message":"unknown page_token"}]}`)
			return
		}
		page(w)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (p *pagedServer) cursors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.cursor...)
}

func body(s string) func(http.ResponseWriter) { return answer(http.StatusOK, s) }

// answer is a page that answers with status and the body s.
func answer(status int, s string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, s)
	}
}

func tok(id string) string {
	return fmt.Sprintf(`{"id":%q,"name":"n","created_ts":"2026-01-01T00:00:00Z","read_only":false,"token_type":"read_write"}`, id)
}

// TestListTokens_FollowsCursor: every cursor shape is followed with
// page_token (and cursor, the parameter the list accepts today) until a page
// has none, and the list holds every page's tokens (a token a page repeats,
// once), whichever of the two parameters the server pages by.
func TestListTokens_FollowsCursor(t *testing.T) {
	cases := map[string]func(next string) string{
		"next_page_token":            func(n string) string { return fmt.Sprintf(`"next_page_token":%q`, n) },
		"next_cursor":                func(n string) string { return fmt.Sprintf(`"next_cursor":%q`, n) },
		"pagination.next_page_token": func(n string) string { return fmt.Sprintf(`"pagination":{"next_page_token":%q}`, n) },
		"pagination.next_cursor":     func(n string) string { return fmt.Sprintf(`"pagination":{"next_cursor":%q,"total":3}`, n) },
	}
	for name, cursor := range cases {
		for _, param := range []string{"page_token", "cursor"} {
			t.Run(name+" by "+param, func(t *testing.T) {
				p := &pagedServer{param: param, pages: map[string]func(http.ResponseWriter){
					"":       body(`{"tokens":[` + tok("a") + `],` + cursor("c/2 &x") + `}`),
					"c/2 &x": body(`{"tokens":[` + tok("b") + `,` + tok("a") + `],` + cursor("c3") + `}`),
					// The last page: an empty or null cursor ends the list.
					"c3": body(`{"tokens":[` + tok("c") + `],"next_page_token":null,"next_cursor":"","pagination":null}`),
				}}
				c, _ := newTestClient(t, p.start(t))
				toks, err := c.ListTokens(ctxT(t), "u")
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(toks); !slices.Equal(got, []string{"a", "b", "c"}) {
					t.Fatalf("listed %v, want a b c (each once)", got)
				}
				// Its pages always overlap alike (a repeats): it is read
				// maxListReads times, and those reads agree, so it stops.
				var want []string
				for range maxListReads {
					want = append(want, "", "c/2 &x", "c3")
				}
				if got := p.cursors(); !slices.Equal(got, want) {
					t.Fatalf("%s sent: %q", param, got)
				}
			})
		}
	}
}

// TestListTokens_UnreadablePageFailsTheList: a list that cannot be read to
// its end is an error, never a shorter list (a token missing from the list
// would be taken for revoked), and a NOT_FOUND on a later page is not taken
// for a deleted user.
func TestListTokens_UnreadablePageFailsTheList(t *testing.T) {
	first := body(`{"tokens":[` + tok("a") + `],"next_page_token":"p2"}`)
	cases := []struct {
		name  string
		pages map[string]func(http.ResponseWriter)
		want  string
	}{
		{"cursor repeats", map[string]func(http.ResponseWriter){
			"":   first,
			"p2": body(`{"tokens":[` + tok("b") + `],"next_page_token":"p2"}`),
		}, "cursor repeats"},
		{"cursor loops back", map[string]func(http.ResponseWriter){
			"":   first,
			"p2": body(`{"tokens":[` + tok("b") + `],"next_page_token":"p3"}`),
			"p3": body(`{"tokens":[],"pagination":{"next_cursor":"p2"}}`),
		}, "cursor repeats"},
		{"page 2 not JSON", map[string]func(http.ResponseWriter){
			"":   first,
			"p2": body(`<html>`),
		}, "page 2: body is not the expected JSON object"},
		{"page 2 without tokens", map[string]func(http.ResponseWriter){
			"":   first,
			"p2": body(`{"next_page_token":null}`),
		}, `page 2: missing field "tokens"`},
		{"cursor not a string", map[string]func(http.ResponseWriter){
			"": body(`{"tokens":[],"next_page_token":7}`),
		}, `field "next_page_token" is not a string`},
		{"page 2 server error", map[string]func(http.ResponseWriter){
			"":   first,
			"p2": answer(http.StatusInternalServerError, `{"message":"boom","code":"INTERNAL_SERVER_ERROR"}`),
		}, "HTTP 500"},
		{"page 2 not found", map[string]func(http.ResponseWriter){
			"":   first,
			"p2": answer(http.StatusNotFound, `{"message":"user not found","code":"NOT_FOUND"}`),
		}, "page 2: answered"},
		{"unknown cursor", map[string]func(http.ResponseWriter){"": first}, "HTTP 400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &pagedServer{pages: tc.pages}
			c, _ := newTestClient(t, p.start(t), func(c *Config) { c.MaxAttempts = 2 })
			toks, err := c.ListTokens(ctxT(t), "u")
			if err == nil {
				t.Fatalf("want an error, got the list %v", ids(toks))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if IsNotFound(err) {
				t.Fatalf("a failed later page reads as a deleted user: %v", err)
			}
			var ie *InvalidResponseError
			var ae *APIError
			if !errors.As(err, &ie) && !errors.As(err, &ae) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		})
	}
}

// changingServer answers each read of the token list (a request without
// page_token starts one) from the next entry of reads, two tokens a page;
// the last entry serves every later read. It counts the reads.
type changingServer struct {
	mu    sync.Mutex
	reads [][]string // the ids each read finds, in page order
	n     int
}

func (s *changingServer) start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		cur := r.URL.Query().Get("page_token")
		if cur == "" {
			s.n++
		}
		ids := s.reads[min(s.n, len(s.reads))-1]
		var off int
		_, _ = fmt.Sscanf(cur, "off%d", &off)
		end := min(off+2, len(ids))
		parts := make([]string, 0, 2)
		for _, id := range ids[off:end] {
			parts = append(parts, tok(id))
		}
		next := "null"
		if end < len(ids) {
			next = fmt.Sprintf("%q", fmt.Sprintf("off%d", end))
		}
		_, _ = fmt.Fprintf(w, `{"tokens":[%s],"next_page_token":%s}`, strings.Join(parts, ","), next)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestListTokens_PagedListReadUntilTwoReadsAgree: a paged list that changed
// between its pages (here the first read skipped token c, as an offset
// cursor does when a token before it goes away) is read again until two
// consecutive reads agree, so no live token is taken for revoked; a list
// that never settles is an error, never a list with tokens missing.
func TestListTokens_PagedListReadUntilTwoReadsAgree(t *testing.T) {
	t.Run("a token skipped by the first read", func(t *testing.T) {
		s := &changingServer{reads: [][]string{{"a", "b", "d"}, {"a", "b", "c", "d"}}}
		c, _ := newTestClient(t, s.start(t))
		toks, err := c.ListTokens(ctxT(t), "u")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(toks); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Fatalf("listed %v, want a b c d", got)
		}
		if s.n != 3 {
			t.Fatalf("%d reads, want 3 (the second and third agree)", s.n)
		}
	})
	t.Run("pages ordered anew on every request", func(t *testing.T) {
		// Three tokens, two a page, each page request ordered anew: a read
		// that repeats a token missed one, even when two such reads agree.
		s := &changingServer{reads: [][]string{{"a", "b", "a"}, {"b", "a", "a"}, {"c", "a", "b"}, {"b", "c", "a"}}}
		c, _ := newTestClient(t, s.start(t))
		toks, err := c.ListTokens(ctxT(t), "u")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(toks); !slices.Equal(got, []string{"b", "c", "a"}) || s.n != 4 {
			t.Fatalf("listed %v after %d reads, want b c a after 4 (two reads in a row that repeat nothing)", got, s.n)
		}
	})
	t.Run("one page: one read", func(t *testing.T) {
		s := &changingServer{reads: [][]string{{"a", "b"}}}
		c, _ := newTestClient(t, s.start(t))
		if _, err := c.ListTokens(ctxT(t), "u"); err != nil || s.n != 1 {
			t.Fatalf("err %v, %d reads", err, s.n)
		}
	})
	t.Run("never settles", func(t *testing.T) {
		s := &changingServer{reads: [][]string{{"a", "b", "c"}, {"a", "c", "d"}, {"b", "c", "d"}, {"a", "b", "d"}, {"a", "b", "c"}}}
		c, _ := newTestClient(t, s.start(t))
		toks, err := c.ListTokens(ctxT(t), "u")
		var ue *ListUnsettledError
		if !errors.As(err, &ue) || !transient(err) {
			t.Fatalf("want a transient *ListUnsettledError, got %v %v", ids(toks), err)
		}
		if s.n != maxListReads {
			t.Fatalf("%d reads, want %d", s.n, maxListReads)
		}
	})
}
