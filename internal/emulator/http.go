package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckops/terraform-provider-motherduck/internal/wait"
)

// route is what the path and method of a request resolve to.
type route struct {
	op       string
	username string // decoded path username (create_user: the body's, when readable)
	tokenID  string // decoded path token id
	v1       bool   // the path is under /v1
	// pageToken is a list's page_token query parameter; paged says whether
	// the request carried one.
	pageToken    string
	paged        bool
	repeatCursor bool // a FaultRepeatCursor applies
	mismatch     bool // a FaultMismatch applies
	// serviceAccounts is a user list's is_service_account query parameter.
	serviceAccounts string
	// deprovisioned and limit are a user list's is_deprovisioned and limit.
	deprovisioned, limit string
	diveID               string // decoded path dive id
	userAgent            string
}

// parseRoute matches the escaped path segment by segment, percent-decoding each
// segment on its own so that an escaped "/" stays inside its segment.
func parseRoute(method, escaped string) route {
	rt := route{op: OpUnknown, v1: escaped == "/v1" || strings.HasPrefix(escaped, "/v1/")}
	segs := strings.Split(escaped, "/")
	if len(segs) >= 3 && segs[0] == "" && segs[1] == "v1" && segs[2] != "users" {
		return parseOtherRoute(method, segs, rt)
	}
	if len(segs) < 3 || segs[0] != "" || segs[1] != "v1" || segs[2] != "users" {
		return rt
	}
	dec := make([]string, len(segs))
	for i, sg := range segs {
		d, err := url.PathUnescape(sg)
		if err != nil {
			return rt
		}
		dec[i] = d
	}
	if len(segs) >= 4 {
		rt.username = dec[3]
	}
	switch n := len(segs); {
	case n == 3:
		switch method {
		case http.MethodPost:
			rt.op = OpCreateUser
		case http.MethodGet:
			rt.op = OpListUsers
		}
	case n == 4 && dec[3] != "":
		if method == http.MethodDelete {
			rt.op = OpDeleteUser
		}
	case n == 5 && dec[3] != "" && segs[4] == "instances":
		switch method {
		case http.MethodGet:
			rt.op = OpInstances
		case http.MethodPut:
			rt.op = OpPutInstances
		}
	case n == 5 && dec[3] != "" && segs[4] == "tokens":
		switch method {
		case http.MethodPost:
			rt.op = OpMint
		case http.MethodGet:
			rt.op = OpList
		}
	case n == 6 && dec[3] != "" && segs[4] == "tokens" && dec[5] != "":
		if method == http.MethodDelete {
			rt.op = OpRevoke
			rt.tokenID = dec[5]
		}
	}
	if rt.op == OpUnknown {
		rt.username = ""
	}
	return rt
}

// body is a request body as read before handling.
type body struct {
	data     []byte
	tooLarge bool
	err      error
}

func readBody(r io.Reader) body {
	if r == nil {
		return body{}
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return body{err: err}
	}
	if len(b) > MaxBodyBytes {
		// Drain a bounded amount so the client can read the answer.
		_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<20))
		return body{tooLarge: true}
	}
	return body{data: b}
}

// peekUsername returns the "username" string of a JSON object body, or "".
func peekUsername(b []byte) string {
	var v struct {
		Username any `json:"username"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	s, _ := v.Username.(string)
	return s
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	escaped := r.URL.EscapedPath()
	if strings.HasPrefix(escaped, "/_emulator/") {
		s.serveInspect(w, r, escaped)
		return
	}
	s.inflight.Add(1)
	defer s.inflight.Done()

	rt := parseRoute(r.Method, escaped)
	rt.userAgent = r.UserAgent()
	if rt.op == OpList || rt.op == OpListUsers {
		rt.pageToken = r.URL.Query().Get("page_token")
		rt.paged = r.URL.Query().Has("page_token")
	}
	if rt.op == OpListUsers {
		rt.serviceAccounts = r.URL.Query().Get("is_service_account")
		rt.deprovisioned = r.URL.Query().Get("is_deprovisioned")
		rt.limit = r.URL.Query().Get("limit")
		s.mu.Lock()
		if s.noUserList {
			rt.op = OpUnknown
		}
		s.mu.Unlock()
	}
	var in body
	if rt.op == OpMint || rt.op == OpCreateUser || rt.op == OpEmbedSession || rt.op == OpPutInstances {
		in = readBody(r.Body)
	}
	if rt.op == OpCreateUser || rt.op == OpEmbedSession {
		rt.username = peekUsername(in.data)
	}

	s.mu.Lock()
	rec := &Request{Method: r.Method, Path: escaped, Op: rt.op, Username: rt.username, PageToken: rt.pageToken, At: s.nowLocked()}
	s.requests = append(s.requests, rec)
	var fault *Fault
	var latency time.Duration
	if rt.v1 {
		fault = s.pickFaultLocked(rt)
		if fault != nil {
			rec.Fault = string(fault.Kind)
		}
		latency = s.latency
	}
	hook := s.onReq
	s.mu.Unlock()

	if hook != nil {
		defer func() {
			s.mu.Lock()
			final := *rec
			s.mu.Unlock()
			hook(final)
		}()
	}

	sw := &statusWriter{ResponseWriter: w, s: s, rec: rec}
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			if !sw.wrote {
				writeError(sw, http.StatusInternalServerError, "Internal Error")
			}
		}
	}()

	ctx := r.Context()
	if wait.Sleep(ctx, latency) != nil {
		return
	}
	if fault != nil {
		switch fault.Kind {
		case FaultStatus:
			writeFaultStatus(sw, fault)
			return
		case FaultDropBefore:
			dropConnection(w)
			return
		case FaultDropAfter:
			s.handle(newDiscardWriter(), r, rt, in, rec)
			dropConnection(w)
			return
		case FaultDelay:
			if wait.Sleep(ctx, fault.Delay) != nil {
				return
			}
		case FaultRepeatCursor:
			rt.repeatCursor = true
		case FaultCommitLate:
			time.Sleep(fault.Delay)
		case FaultMismatch:
			rt.mismatch = true
		}
	}
	s.handle(sw, r, rt, in, rec)
}

// handle performs the operation and writes its answer.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, rt route, in body, rec *Request) {
	if rt.op == OpUnknown {
		s.setHandled(rec, http.StatusNotFound)
		writePlainNotFound(w)
		return
	}
	status, payload := s.dispatch(r, rt, in, rec)
	s.setHandled(rec, status)
	writeJSON(w, status, payload)
}

func (s *Server) setHandled(rec *Request, status int) {
	s.mu.Lock()
	rec.HandledStatus = status
	s.mu.Unlock()
}

// dispatch authenticates, validates and performs one API operation under the
// lock, and returns the status and JSON payload to answer.
func (s *Server) dispatch(r *http.Request, rt route, in body, rec *Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()

	caller, status, msg := s.authLocked(r.Header.Get("Authorization"))
	if status != 0 {
		return status, errorBody(status, msg)
	}

	var issues []issue
	if rt.op != OpCreateUser && utf8.RuneCountInString(rt.username) > MaxUsernameLength {
		issues = append(issues, issue{Message: "username in path must be at most " + strconv.Itoa(MaxUsernameLength) + " characters", Path: []string{"username"}})
	}

	switch rt.op {
	case OpCreateUser:
		return s.createUserLocked(r, in)
	case OpDeleteUser:
		if len(issues) > 0 {
			return badRequest(issues)
		}
		if !s.deleteUserLocked(rt.username) {
			return notFound("user not found")
		}
		return http.StatusOK, map[string]string{"username": rt.username}
	case OpListUsers:
		return s.listUsersLocked(rt)
	case OpActiveAccounts:
		return s.activeAccountsLocked()
	case OpEmbedSession:
		return s.embedSessionLocked(r, rt, in)
	case OpMint:
		return s.mintViaAPILocked(r, rt, in, rec, caller, issues)
	case OpList:
		if len(issues) > 0 {
			return badRequest(issues)
		}
		if s.users[rt.username] == nil {
			return notFound("user not found")
		}
		return s.listLocked(rt)
	case OpInstances:
		return s.getDucklingsLocked(rt, issues)
	case OpPutInstances:
		return s.putDucklingsLocked(r, rt, in, issues)
	case OpRevoke:
		rec.TokenID = rt.tokenID
		if len(issues) > 0 {
			return badRequest(issues)
		}
		if s.users[rt.username] == nil {
			return notFound("user not found")
		}
		t := s.tokens[rt.tokenID]
		if t == nil || t.Username != rt.username || !t.liveAt(s.nowLocked()) {
			return notFound("token not found")
		}
		rec.TokenName = t.Name
		t.Revoked = true
		t.RevokedAt = s.nowLocked()
		return http.StatusOK, struct{}{}
	}
	return http.StatusInternalServerError, errorBody(http.StatusInternalServerError, "Internal Error")
}

// authLocked checks the bearer token: it returns the caller, or a non-zero
// status (401 or 403) with a message.
func (s *Server) authLocked(header string) (*user, int, string) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(header), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, http.StatusUnauthorized, "Invalid Credentials"
	}
	t := s.bySecret[secret]
	if t == nil || !t.liveAt(s.nowLocked()) {
		return nil, http.StatusUnauthorized, "Invalid Credentials"
	}
	u := s.users[t.Username]
	if u == nil {
		return nil, http.StatusUnauthorized, "Invalid Credentials"
	}
	if !u.human || !u.admin || t.TokenType != TokenTypeReadWrite {
		return nil, http.StatusForbidden, "minimum role is organization admin"
	}
	return u, 0, ""
}

type tokenJSON struct {
	Token       string `json:"token,omitempty"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	CreatedTS   string `json:"created_ts"`
	ExpireAt    string `json:"expire_at,omitempty"`
	ReadOnly    bool   `json:"read_only"`
	TokenType   string `json:"token_type"`
	Description string `json:"description,omitempty"`
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tokenJSONLocked is the list form of a token (never with the secret).
func (s *Server) tokenJSONLocked(t *Token) tokenJSON {
	j := tokenJSON{
		ID:        t.ID,
		Name:      t.Name,
		CreatedTS: formatTime(t.CreatedAt),
		ReadOnly:  t.TokenType == TokenTypeReadScaling,
		TokenType: t.TokenType,
	}
	if t.ExpireAt != nil {
		j.ExpireAt = formatTime(*t.ExpireAt)
	}
	if s.description {
		j.Description = t.Description
	}
	return j
}

func (s *Server) mintViaAPILocked(r *http.Request, rt route, in body, rec *Request, caller *user, issues []issue) (int, any) {
	fields, berr := parseObjectBody(r, in)
	if berr != nil {
		return badRequest(append(issues, *berr))
	}

	name, iss := stringField(fields, "name", true, 1, MaxTokenNameLength)
	issues = append(issues, iss...)
	if len(iss) == 0 && slices.Contains(ReservedTokenNames, name) {
		issues = append(issues, issue{Message: "name " + strconv.Quote(name) + " is reserved", Path: []string{"name"}})
	}

	var ttl int64
	if raw, ok := fields["ttl"]; ok {
		if k := jsonKind(raw); k != "number" {
			issues = append(issues, issue{Message: "ttl must be a number, received " + k, Path: []string{"ttl"}})
		} else {
			var v float64
			if err := json.Unmarshal(raw, &v); err != nil || v < MinTTLSeconds || v > MaxTTLSeconds {
				issues = append(issues, issue{Message: "ttl must be between " + strconv.Itoa(MinTTLSeconds) + " and " + strconv.Itoa(MaxTTLSeconds) + " seconds", Path: []string{"ttl"}})
			} else {
				ttl = int64(v)
			}
		}
	}

	tokenType := TokenTypeReadWrite
	if _, ok := fields["token_type"]; ok {
		tt, iss := stringField(fields, "token_type", false, 0, 0)
		switch {
		case len(iss) > 0:
			issues = append(issues, iss...)
		case tt == TokenTypeReadWrite || tt == TokenTypeReadScaling:
			tokenType = tt
		default:
			issues = append(issues, issue{Message: "token_type must be one of read_write, read_scaling", Path: []string{"token_type"}})
		}
	}

	var description string
	if s.description {
		if _, ok := fields["description"]; ok {
			d, iss := stringField(fields, "description", false, 1, MaxDescriptionLength)
			issues = append(issues, iss...)
			description = d
		}
	}

	if len(issues) > 0 {
		return badRequest(issues)
	}
	target := s.users[rt.username]
	if target == nil {
		return notFound("user not found")
	}
	if target.human && target != caller {
		return refuseMintForOtherHuman()
	}
	if rt.mismatch {
		tokenType = map[string]string{TokenTypeReadWrite: TokenTypeReadScaling, TokenTypeReadScaling: TokenTypeReadWrite}[tokenType]
	}
	t := s.mintLocked(target.name, name, ttl, tokenType, description, true)
	rec.TokenID = t.ID
	rec.TokenName = t.Name
	j := s.tokenJSONLocked(t)
	j.Token = t.Secret
	return http.StatusOK, j
}

func (s *Server) createUserLocked(r *http.Request, in body) (int, any) {
	fields, berr := parseObjectBody(r, in)
	if berr != nil {
		return badRequest([]issue{*berr})
	}
	name, issues := stringField(fields, "username", true, MinServiceAccountNameLength, MaxUsernameLength)
	if len(issues) == 0 {
		if msg := checkServiceAccountName(name); msg != "" {
			issues = append(issues, issue{Message: msg, Path: []string{"username"}})
		}
	}
	if len(issues) > 0 {
		return badRequest(issues)
	}
	if s.users[name] != nil {
		return refuseExistingUser()
	}
	s.users[name] = &user{name: name}
	return http.StatusOK, map[string]string{"username": name}
}

// ValidServiceAccountName reports whether name is a valid service account
// username: MinServiceAccountNameLength..MaxUsernameLength characters, an
// ASCII letter first, then only ASCII letters, digits and "_".
func ValidServiceAccountName(name string) bool {
	n := utf8.RuneCountInString(name)
	return n >= MinServiceAccountNameLength && n <= MaxUsernameLength && checkServiceAccountName(name) == ""
}

// checkServiceAccountName returns what is wrong with the characters of name,
// or "". The service is observed to refuse anything but ASCII letters, digits
// and "_" after an ASCII letter (the published schema's \p{L} is looser).
func checkServiceAccountName(name string) string {
	for i, c := range name {
		if i == 0 && !isASCIILetter(c) {
			return "username must start with an ASCII letter"
		}
		if !isASCIILetter(c) && !(c >= '0' && c <= '9') && c != '_' {
			return "username may only contain ASCII letters, digits and underscores"
		}
	}
	return ""
}

func isASCIILetter(c rune) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// parseObjectBody checks the content type and that the body is one JSON object.
func parseObjectBody(r *http.Request, in body) (map[string]json.RawMessage, *issue) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, &issue{Message: "Content-Type must be application/json"}
	}
	switch {
	case in.tooLarge:
		return nil, &issue{Message: "request body is larger than " + strconv.Itoa(MaxBodyBytes) + " bytes"}
	case in.err != nil:
		return nil, &issue{Message: "request body could not be read"}
	}
	trimmed := bytes.TrimSpace(in.data)
	if len(trimmed) == 0 {
		return nil, &issue{Message: "request body is required"}
	}
	if trimmed[0] != '{' {
		return nil, &issue{Message: "request body must be a JSON object"}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil || fields == nil {
		return nil, &issue{Message: "request body is not valid JSON"}
	}
	return fields, nil
}

// stringField reads a string field; min/max are in characters (max 0 = no limit).
func stringField(fields map[string]json.RawMessage, key string, required bool, minLen, maxLen int) (string, []issue) {
	raw, ok := fields[key]
	if !ok {
		if required {
			return "", []issue{{Message: key + " is required", Path: []string{key}}}
		}
		return "", nil
	}
	if k := jsonKind(raw); k != "string" {
		return "", []issue{{Message: key + " must be a string, received " + k, Path: []string{key}}}
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", []issue{{Message: key + " is not a valid string", Path: []string{key}}}
	}
	n := utf8.RuneCountInString(v)
	if n < minLen {
		return "", []issue{{Message: key + " must be at least " + strconv.Itoa(minLen) + " character" + plural(minLen), Path: []string{key}}}
	}
	if maxLen > 0 && n > maxLen {
		return "", []issue{{Message: key + " must be at most " + strconv.Itoa(maxLen) + " characters", Path: []string{key}}}
	}
	return v, nil
}

func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// issue is one entry of an error body's "issues".
type issue struct {
	Message string   `json:"message"`
	Path    []string `json:"path,omitempty"`
}

// apiError is the contract's error body.
type apiError struct {
	Message string  `json:"message"`
	Code    string  `json:"code"`
	Issues  []issue `json:"issues"`
}

var errorCodes = map[int]string{
	http.StatusBadRequest:          "BAD_REQUEST",
	http.StatusUnauthorized:        "UNAUTHORIZED",
	http.StatusForbidden:           "FORBIDDEN",
	http.StatusNotFound:            "NOT_FOUND",
	http.StatusInternalServerError: "INTERNAL_SERVER_ERROR",
}

var defaultMessages = map[int]string{
	http.StatusBadRequest:          "Bad Request",
	http.StatusUnauthorized:        "Invalid Credentials",
	http.StatusForbidden:           "minimum role is organization admin",
	http.StatusNotFound:            "Not Found",
	http.StatusInternalServerError: "Internal Error",
}

func errorCode(status int) string {
	if c, ok := errorCodes[status]; ok {
		return c
	}
	t := http.StatusText(status)
	if t == "" {
		return "ERROR"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(t))
}

func errorBody(status int, msg string, issues ...issue) apiError {
	if msg == "" {
		msg = defaultMessages[status]
		if msg == "" {
			msg = http.StatusText(status)
		}
	}
	if issues == nil {
		issues = []issue{}
	}
	return apiError{Message: msg, Code: errorCode(status), Issues: issues}
}

func badRequest(issues []issue) (int, any) {
	return http.StatusBadRequest, errorBody(http.StatusBadRequest, "Bad Request", issues...)
}

func notFound(msg string) (int, any) {
	return http.StatusNotFound, errorBody(http.StatusNotFound, msg, issue{Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody(status, ""))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody(status, msg))
}

func writePlainNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "Not Found")
}

func writeFaultStatus(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.PlainText {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
		return
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
		return
	}
	writeError(w, status, "")
}

// dropConnection closes the client connection without answering. Where the
// connection cannot be hijacked (HTTP/2, or a ResponseRecorder) it aborts the
// handler with http.ErrAbortHandler, which net/http turns into a reset stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// statusWriter records the status in the request record before it is sent, so
// that Requests() shows it as soon as the client can see the answer.
type statusWriter struct {
	http.ResponseWriter
	s     *Server
	rec   *Request
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.s.mu.Lock()
	w.rec.Status = code
	now := w.s.nowLocked().Add(w.s.dateOffset)
	w.s.mu.Unlock()
	// A real server's Date is its own clock, the one that stamps
	// created_ts (unless SetDateOffset); net/http would put the host's.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// discardWriter swallows the answer of an operation whose connection is dropped.
type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter { return &discardWriter{h: http.Header{}} }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// inspectToken is one entry of GET /_emulator/tokens: never a secret.
type inspectToken struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Name        string `json:"name"`
	TokenType   string `json:"token_type"`
	Description string `json:"description,omitempty"`
	CreatedTS   string `json:"created_ts"`
	ExpireAt    string `json:"expire_at,omitempty"`
	RevokedAt   string `json:"revoked_at,omitempty"`
	ViaAPI      bool   `json:"via_api"`
	State       string `json:"state"`
}

// serveInspect answers GET /_emulator/tokens, without authentication but only
// to loopback clients: every token ever minted, with its state, never a secret.
func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request, escaped string) {
	if escaped != "/_emulator/tokens" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		writePlainNotFound(w)
		return
	}
	if !isLoopback(r.RemoteAddr) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, "Forbidden")
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	list := make([]inspectToken, 0, len(s.order))
	for _, t := range s.order {
		it := inspectToken{
			ID:          t.ID,
			Username:    t.Username,
			Name:        t.Name,
			TokenType:   t.TokenType,
			Description: t.Description,
			CreatedTS:   formatTime(t.CreatedAt),
			ViaAPI:      t.ViaAPI,
			State:       stateOf(t, now),
		}
		if t.ExpireAt != nil {
			it.ExpireAt = formatTime(*t.ExpireAt)
		}
		if t.Revoked {
			it.RevokedAt = formatTime(t.RevokedAt)
		}
		list = append(list, it)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
