// Package emulator is a local, in-memory emulator of the part of the MotherDuck
// REST API that manages users and access tokens.
//
// It follows the contract in the project's API description (routes, bodies,
// limits, error shapes), keeps its state in memory, runs on an internal clock
// that tests can move, records every request it receives and can inject faults
// (error statuses, dropped connections, delays) to exercise a client's retry and
// recovery paths. It knows nothing about Terraform.
//
// A typical test:
//
//	s := emulator.New()
//	url := s.Start()
//	defer s.Close()
//	// point the client at url with s.AdminToken() ...
package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Token types accepted by the mint call.
const (
	// TokenTypeReadWrite is the default token type: a read/write credential.
	TokenTypeReadWrite = "read_write"
	// TokenTypeReadScaling is a read-only token for read scaling replicas.
	TokenTypeReadScaling = "read_scaling"
)

// DefaultAdminUsername is the human admin user every new Server starts with.
const DefaultAdminUsername = "admin"

// Limits of the contract.
const (
	// MaxBodyBytes is the largest request body accepted (1 MiB); larger bodies get 400.
	MaxBodyBytes = 1 << 20
	// MaxUsernameLength is the longest username (in characters) accepted in a
	// path or in a new service account's name.
	MaxUsernameLength = 255
	// MinServiceAccountNameLength is the shortest new service account name.
	MinServiceAccountNameLength = 3
	// MinTTLSeconds and MaxTTLSeconds bound the optional ttl of a mint call.
	MinTTLSeconds = 300
	MaxTTLSeconds = 31536000
	// MaxTokenNameLength is the longest token name in characters.
	MaxTokenNameLength = 255
	// MaxDescriptionLength is the longest token description in characters.
	MaxDescriptionLength = 1000
)

// ReservedTokenNames are the token names the service refuses (exact match).
var ReservedTokenNames = []string{"MotherDuck Extension", "MotherDuck Flights"}

type user struct {
	name  string
	human bool
	admin bool
}

// Token is the emulator's record of one access token, as seen by tests.
type Token struct {
	ID          string
	Name        string
	Username    string
	Secret      string
	TokenType   string
	Description string
	CreatedAt   time.Time
	ExpireAt    *time.Time
	Revoked     bool
	RevokedAt   time.Time
	ViaAPI      bool // minted through POST (false when seeded out of band)
}

func (t *Token) clone() Token {
	c := *t
	if t.ExpireAt != nil {
		e := *t.ExpireAt
		c.ExpireAt = &e
	}
	return c
}

func (t *Token) expiredAt(now time.Time) bool {
	return t.ExpireAt != nil && !now.Before(*t.ExpireAt)
}

func (t *Token) liveAt(now time.Time) bool {
	return !t.Revoked && !t.expiredAt(now)
}

// Server is an in-memory MotherDuck API emulator. Create it with New; it is safe
// for concurrent use.
type Server struct {
	mu sync.Mutex

	users    map[string]*user
	tokens   map[string]*Token // by id
	bySecret map[string]*Token
	order    []*Token // every token in mint order

	ducklings map[string]DucklingConfig // by username; absent = DefaultDucklingConfig

	adminTokenID string

	// clock: Now() = base, plus the wall time elapsed since wallAt when ticking.
	base    time.Time
	wallAt  time.Time
	ticking bool

	latency     time.Duration
	dateOffset  time.Duration // of the Date header from the clock that stamps the data
	description bool
	pageSize    int  // token and user list page size; 0 = one page, no cursor
	noUserList  bool // GET /v1/users answers the plain-text 404 of an unknown route
	userList    userListState
	running     map[string][]Duckling // SetRunningDucklings
	embeds      embedState

	requests []*Request
	onReq    func(Request)

	faults     []*faultState
	randRate   float64
	randFaults []Fault
	rnd        randSource

	srv      *http.Server
	url      string
	inflight sync.WaitGroup
}

// New returns an emulator with one human admin user "admin" whose read/write
// admin token is AdminToken(), and which is not yet listening. Its clock starts
// at the current time truncated to the second and stands still until moved
// with Advance or SetNow (see SetRealTimeClock). Description support is on.
func New() *Server {
	s := &Server{
		users:       map[string]*user{},
		tokens:      map[string]*Token{},
		bySecret:    map[string]*Token{},
		base:        time.Now().UTC().Truncate(time.Second),
		wallAt:      time.Now(),
		description: true,
	}
	s.users[DefaultAdminUsername] = &user{name: DefaultAdminUsername, human: true, admin: true}
	t := s.mintLocked(DefaultAdminUsername, "emulator-admin", 0, TokenTypeReadWrite, "", false)
	s.adminTokenID = t.ID
	return s
}

// Handler returns the emulator's HTTP handler, for use without Start or Listen.
// Besides the /v1 API it serves GET /_emulator/tokens (see the package docs of
// the motherduck-emulator command).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on 127.0.0.1:0 and serves in the background, like httptest, and
// returns the base URL "http://127.0.0.1:PORT". If the server is already
// listening it returns the current URL. It panics if it cannot listen, as
// httptest.NewServer does.
func (s *Server) Start() string {
	u, err := s.Listen("127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("emulator: failed to listen on a port: %v", err))
	}
	return u
}

// Listen listens on addr (e.g. "127.0.0.1:8787"), serves in the background and
// returns the base URL. If the server is already listening it returns the
// current URL.
func (s *Server) Listen(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return s.url, nil
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second}
	s.srv = srv
	s.url = "http://" + ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return s.url, nil
}

// URL returns the base URL, or "" when not listening.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops listening, closes every connection and waits (briefly) for
// requests in flight to finish. The in-memory state stays readable.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.url = ""
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// AdminToken returns the secret of the default admin's read/write token.
func (s *Server) AdminToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[s.adminTokenID]; t != nil {
		return t.Secret
	}
	return ""
}

// SetAdminToken replaces the secret of the default admin's bootstrap token.
// If that token was revoked, or the admin user deleted, the admin user is
// recreated and given a fresh live bootstrap token with this secret.
func (s *Server) SetAdminToken(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if secret == "" {
		return
	}
	t := s.tokens[s.adminTokenID]
	if t == nil || !t.liveAt(s.nowLocked()) || s.users[DefaultAdminUsername] == nil {
		if s.users[DefaultAdminUsername] == nil {
			s.users[DefaultAdminUsername] = &user{name: DefaultAdminUsername, human: true, admin: true}
		}
		t = s.mintLocked(DefaultAdminUsername, "emulator-admin", 0, TokenTypeReadWrite, "", false)
		s.adminTokenID = t.ID
	}
	delete(s.bySecret, t.Secret)
	t.Secret = secret
	s.bySecret[secret] = t
}

// AddHumanUser seeds a human user, an organization admin or a member. If the
// user exists it becomes a human user with that role.
func (s *Server) AddHumanUser(username string, admin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[username] = &user{name: username, human: true, admin: admin}
}

// AddServiceAccount seeds a service account (a member, never an admin). If the
// user exists it becomes a service account.
func (s *Server) AddServiceAccount(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[username] = &user{name: username}
}

// UserExists reports whether the user exists.
func (s *Server) UserExists(username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[username] != nil
}

// IsServiceAccount reports whether the user exists and is a service account.
func (s *Server) IsServiceAccount(username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[username]
	return u != nil && !u.human
}

// DeleteUser deletes a user and all its tokens out of band (no request is
// recorded). Its tokens stay in AllTokens, marked revoked. It reports whether
// the user existed.
func (s *Server) DeleteUser(username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleteUserLocked(username)
}

func (s *Server) deleteUserLocked(username string) bool {
	if s.users[username] == nil {
		return false
	}
	delete(s.users, username)
	delete(s.ducklings, username)
	now := s.nowLocked()
	for _, t := range s.order {
		if t.Username != username {
			continue
		}
		if !t.Revoked {
			t.Revoked = true
			t.RevokedAt = now
		}
		delete(s.bySecret, t.Secret)
	}
	return true
}

// UserTokenSecret mints out of band (no request recorded) a read/write,
// never-expiring token for the user and returns its secret. It returns "" if
// the user does not exist.
func (s *Server) UserTokenSecret(username string) string {
	return s.MintToken(username, "emulator-seeded", 0, TokenTypeReadWrite).Secret
}

// MintToken creates a token out of band (no request recorded), e.g. a
// pre-existing token of some name. ttl <= 0 means the token never expires;
// otherwise it is truncated to whole seconds. An empty tokenType means
// read_write. It returns the zero Token if the user does not exist.
func (s *Server) MintToken(username, name string, ttl time.Duration, tokenType string) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[username] == nil {
		return Token{}
	}
	if tokenType == "" {
		tokenType = TokenTypeReadWrite
	}
	secs := int64(0)
	if ttl > 0 {
		secs = int64(ttl / time.Second)
	}
	return s.mintLocked(username, name, secs, tokenType, "", false).clone()
}

func (s *Server) mintLocked(username, name string, ttlSeconds int64, tokenType, description string, viaAPI bool) *Token {
	created := s.nowLocked().Truncate(time.Second)
	t := &Token{
		ID:          newUUID(),
		Name:        name,
		Username:    username,
		Secret:      newSecret(),
		TokenType:   tokenType,
		Description: description,
		CreatedAt:   created,
		ViaAPI:      viaAPI,
	}
	if ttlSeconds > 0 {
		e := created.Add(time.Duration(ttlSeconds) * time.Second)
		t.ExpireAt = &e
	}
	for s.tokens[t.ID] != nil {
		t.ID = newUUID()
	}
	for s.bySecret[t.Secret] != nil {
		t.Secret = newSecret()
	}
	s.tokens[t.ID] = t
	s.bySecret[t.Secret] = t
	s.order = append(s.order, t)
	return t
}

// RevokeToken revokes a live token of the user out of band (no request
// recorded). It reports whether a live token was revoked.
func (s *Server) RevokeToken(username, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[id]
	if t == nil || t.Username != username || !t.liveAt(s.nowLocked()) {
		return false
	}
	t.Revoked = true
	t.RevokedAt = s.nowLocked()
	return true
}

// LiveTokens returns the user's tokens that are neither revoked nor expired,
// in creation order (by CreatedAt, then in mint order). The list call answers
// the same tokens in another order (see answerOrder).
func (s *Server) LiveTokens(username string) []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Token
	for _, t := range s.liveTokensLocked(username) {
		out = append(out, t.clone())
	}
	return out
}

// liveTokensLocked returns the user's live tokens in creation order.
func (s *Server) liveTokensLocked(username string) []*Token {
	now := s.nowLocked()
	var out []*Token
	for _, t := range s.order {
		if t.Username == username && t.liveAt(now) {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// AllTokens returns every token ever minted (seeded and via the API),
// including revoked and expired ones, in mint order.
func (s *Server) AllTokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Token, 0, len(s.order))
	for _, t := range s.order {
		out = append(out, t.clone())
	}
	return out
}

// Token returns the token with that id, whatever its state.
func (s *Server) Token(id string) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[id]
	if t == nil {
		return Token{}, false
	}
	return t.clone(), true
}

// Authorizes reports whether a request bearing this secret would be
// authenticated now: the secret is of a live token (of any user and type).
// It lets tests play a consumer of a minted token.
func (s *Server) Authorizes(secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.bySecret[secret]
	return t != nil && t.liveAt(s.nowLocked())
}

// TokenState is "live", "revoked" or "expired" for the token with that id, or
// "" when there is no such token.
func (s *Server) TokenState(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[id]
	if t == nil {
		return ""
	}
	return stateOf(t, s.nowLocked())
}

func stateOf(t *Token, now time.Time) string {
	switch {
	case t.Revoked:
		return "revoked"
	case t.expiredAt(now):
		return "expired"
	default:
		return "live"
	}
}

// Now returns the emulator's clock, in UTC.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time {
	if !s.ticking {
		return s.base
	}
	return s.base.Add(time.Since(s.wallAt)).Truncate(time.Second)
}

// Advance moves the clock forward by d (backwards if d is negative).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = s.nowLocked().Add(d)
	s.wallAt = time.Now()
}

// SetNow sets the clock to t.
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = t.UTC()
	s.wallAt = time.Now()
}

// SetRealTimeClock makes the clock follow the wall clock (on) from its current
// value, at second precision, or stand still (off, the default) until moved
// with Advance or SetNow. The standalone command turns it on.
func (s *Server) SetRealTimeClock(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = s.nowLocked()
	s.wallAt = time.Now()
	s.ticking = on
}

// SetDateOffset makes every answer's Date header d away from the clock that
// stamps created_ts and expire_at: a server (or a proxy) whose Date is
// another clock. The contract promises no Date header.
func (s *Server) SetDateOffset(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dateOffset = d
}

// SetLatency sets a delay added to every /v1 request before it is handled
// (standing for network latency). It respects request cancellation.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetDescriptionSupport turns support for the optional token description on
// (default) or off. With it off the server behaves like an older region: a
// description in a mint body is silently dropped and never returned.
func (s *Server) SetDescriptionSupport(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.description = on
}

// SetTokenListPageSize makes the token list answer at most n tokens a page,
// with a next_page_token (null on the last page) that a request's page_token
// query parameter follows. With n <= 0 (the default) the list answers every
// token in one page, without next_page_token, and ignores page_token, as the
// live API does today.
func (s *Server) SetTokenListPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 0)
}

// SetUserListSupport turns the user list route GET /v1/users on (default)
// or off. With it off the route answers the plain-text 404 of an unknown
// route, as a region without the call would.
func (s *Server) SetUserListSupport(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noUserList = !on
}

// Request is the record of one request the emulator received.
type Request struct {
	Method   string
	Path     string // the escaped path as received, e.g. /v1/users/alice/tokens
	Op       string // one of the Op* constants
	Username string // decoded; for create_user the username in the body, when readable
	// PageToken is the page_token query parameter of a list request.
	PageToken string
	Status    int    // status written; 0 when the connection was dropped before an answer
	Fault     string // "" or the fault kind applied
	At        time.Time
	// TokenID and TokenName name the token minted (a mint that succeeded,
	// including one committed under a drop_after fault) or the token id whose
	// revocation was asked for (revoke).
	TokenID   string
	TokenName string
	// HandledStatus is the status the operation itself produced, also when
	// the answer was then dropped (drop_after); 0 when it was not performed
	// (a status or drop_before fault, or a request cancelled while waiting).
	HandledStatus int
}

// Operation names used in Request.Op and Fault.Op.
const (
	OpMint       = "mint"
	OpList       = "list"
	OpRevoke     = "revoke"
	OpCreateUser = "create_user"
	OpDeleteUser = "delete_user"
	OpInstances  = "instances"  // GET /v1/users/{username}/instances (PUT: OpPutInstances)
	OpListUsers  = "list_users" // GET /v1/users
	OpUnknown    = "unknown"
)

// Requests returns the requests received since the start or the last
// ResetRequests, in order of arrival. Requests to /_emulator/ are not recorded.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, 0, len(s.requests))
	for _, r := range s.requests {
		out = append(out, *r)
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// CountRequests returns how many recorded requests had that op ("" counts all).
func (s *Server) CountRequests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if op == "" || r.Op == op {
			n++
		}
	}
	return n
}

// OnRequest registers fn to be called (outside any lock) with the final record
// of every request once it has been handled; nil removes it. The standalone
// command uses it to log requests.
func (s *Server) OnRequest(fn func(Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onReq = fn
}

// newUUID returns a random (version 4) UUID string.
func newUUID() string {
	var b [16]byte
	mustRead(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newSecret returns "md_" followed by 40 random base62 characters.
func newSecret() string {
	out := make([]byte, 0, 43)
	out = append(out, "md_"...)
	var buf [64]byte
	for len(out) < 43 {
		mustRead(buf[:])
		for _, c := range buf {
			if c >= 248 { // 248 = 4*62: keep the distribution uniform
				continue
			}
			out = append(out, base62[int(c)%62])
			if len(out) == 43 {
				break
			}
		}
	}
	return string(out)
}

func mustRead(b []byte) {
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+).
	if _, err := rand.Read(b); err != nil {
		panic(errors.Join(errors.New("emulator: crypto/rand failed"), err))
	}
}
