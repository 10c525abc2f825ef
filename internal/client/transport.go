package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/wait"
)

type call struct {
	op     string
	method string
	path   string // escaped
	query  string // encoded, without "?"; never shown in errors or logs
	body   []byte // nil: no body
	// start and deadline bound the whole call, attempts and waits; set by begin.
	start, deadline time.Time
}

func (c *Client) begin(cl *call) {
	cl.start = time.Now()
	cl.deadline = cl.start.Add(c.maxCallTime)
}

func (cl *call) elapsed() time.Duration {
	if cl.start.IsZero() {
		return 0
	}
	return time.Since(cl.start)
}

type attemptResult struct {
	status int // 0 when no answer was received
	header http.Header
	body   []byte
	err    error // no complete answer was received
	// sent is false only when the request certainly never reached the server.
	sent     bool
	timedOut bool // the per-attempt timeout fired, not the caller's context
	canceled bool // the caller's context ended
}

func (r *attemptResult) ok() bool { return r.err == nil && r.status >= 200 && r.status < 300 }

// escapeSegment keeps "/", "?", "#" and "%" inside one path segment.
func escapeSegment(s string) string { return url.PathEscape(s) }

func (c *Client) attempt(ctx context.Context, cl *call, n int) attemptResult {
	var res attemptResult
	timeout := c.requestTimeout
	if !cl.deadline.IsZero() {
		timeout = min(timeout, time.Until(cl.deadline))
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var getConn, gotConn atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GetConn: func(string) { getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})

	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	target := c.baseURL + cl.path
	if cl.query != "" {
		target += "?" + cl.query
	}
	req, err := http.NewRequestWithContext(actx, cl.method, target, body)
	if err != nil {
		res.err = errors.New("cannot build the request")
		return res
	}
	if *c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+*c.secret)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	start := time.Now()
	sent := c.now()
	resp, err := c.hc.Do(req)
	if err == nil {
		c.apiClock.observeDate(resp.Header, sent, c.now())
		res.status = resp.StatusCode
		res.header = resp.Header
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
		_ = resp.Body.Close()
		switch {
		case rerr != nil:
			err = fmt.Errorf("reading the response body: %w", rerr)
		case len(b) > maxBodyBytes:
			b = b[:maxBodyBytes]
			if res.status >= 200 && res.status < 300 {
				err = fmt.Errorf("response body larger than %d bytes", maxBodyBytes)
			}
		}
		res.body = b
	}
	dur := time.Since(start)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL
		}
		res.err = err
		res.canceled = ctx.Err() != nil
		res.timedOut = !res.canceled && errors.Is(actx.Err(), context.DeadlineExceeded)
		// Certainly not sent: a dial error, or a connection asked for and
		// never obtained. Anything else may have reached the server.
		res.sent = !isDialError(err) && !(getConn.Load() && !gotConn.Load())
		if res.status != 0 {
			res.sent = true
		}
	} else {
		res.sent = true
	}

	fields := cl.logFields(n, res.status)
	fields["duration_ms"] = dur.Milliseconds()
	if res.err != nil {
		fields["error"] = c.scrub(res.err.Error())
		fields["timeout"] = res.timedOut
	}
	c.log.Debug(ctx, "motherduck api request", fields)
	return res
}

func (cl *call) logFields(n, status int) map[string]any {
	return map[string]any{
		"operation": cl.op,
		"method":    cl.method,
		"path":      cl.path,
		"attempt":   n,
		"status":    status,
	}
}

func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// retryable is the retry rule of every call but a mint (see CreateToken). A
// PUT replaces a whole object, so repeating it is as safe as a read.
func retryable(method string, res *attemptResult) bool {
	if res.canceled {
		return false
	}
	if res.err != nil {
		if method == http.MethodPost {
			return !res.sent
		}
		return true
	}
	switch res.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return method != http.MethodPost
	case http.StatusInternalServerError:
		return method == http.MethodGet || method == http.MethodPut
	}
	return false
}

func (c *Client) do(ctx context.Context, cl *call) ([]byte, error) {
	c.begin(cl)
	for n := 1; ; n++ {
		res := c.attempt(ctx, cl, n)
		if res.ok() {
			return res.body, nil
		}
		err := c.failure(cl, &res, n)
		if !retryable(cl.method, &res) || n >= c.maxAttempts {
			return nil, err
		}
		if werr := c.waitRetry(ctx, cl, &res, n, err); werr != nil {
			return nil, werr
		}
	}
}

// waitRetry sleeps before attempt n+1, or, when the wait and a useful
// attempt would not fit in the time left, ends the call at once.
func (c *Client) waitRetry(ctx context.Context, cl *call, res *attemptResult, n int, cause error) error {
	d, why := c.retryWait(res, n)
	fields := cl.logFields(n, res.status)
	fields["reason"] = cause.Error()
	fields["wait_ms"] = d.Milliseconds()
	fields["wait_reason"] = why
	fields["elapsed_ms"] = cl.elapsed().Milliseconds()
	// Waiting past the caller's deadline (the resource's timeouts) would end
	// in a timeout that hides the answer that asked for the wait.
	limit, whose := cl.deadline, "its time limit"
	if dl, ok := ctx.Deadline(); ok && (limit.IsZero() || dl.Before(limit)) {
		limit, whose = dl, "the operation's time limit"
	}
	if !limit.IsZero() && time.Until(limit) < d+min(c.requestTimeout, minUsefulAttempt) {
		if limit.Equal(cl.deadline) {
			fields["time_limit_ms"] = c.maxCallTime.Milliseconds()
		}
		c.log.Warn(ctx, "motherduck api call failed, giving up: another attempt would not fit in "+whose, fields)
		return c.retryCutShort(cause, res.header, time.Until(limit), !limit.Equal(cl.deadline))
	}
	c.log.Warn(ctx, "motherduck api call failed, retrying", fields)
	if err := wait.Sleep(ctx, d); err != nil {
		return c.canceledError(cl, n, err, cause)
	}
	return nil
}

func (c *Client) canceledError(cl *call, n int, ctxErr, last error) error {
	te := &TransportError{Operation: cl.op, Method: cl.method, Path: cl.path, Attempts: n, Elapsed: cl.elapsed()}
	if last != nil {
		te.Err = fmt.Errorf("%w (last failure: %s)", ctxErr, last.Error())
	} else {
		te.Err = ctxErr
	}
	te.text = c.scrub(te.Err.Error())
	return te
}

func (c *Client) failure(cl *call, res *attemptResult, n int) error {
	if res.err != nil {
		te := &TransportError{Operation: cl.op, Method: cl.method, Path: cl.path, Attempts: n, Elapsed: cl.elapsed(), Timeout: res.timedOut, Err: res.err}
		te.text = c.scrub(res.err.Error())
		if res.status != 0 {
			te.text = fmt.Sprintf("HTTP %d: %s", res.status, te.text)
		}
		return te
	}
	e := &APIError{Operation: cl.op, Method: cl.method, Path: cl.path, URL: c.baseURL + cl.path, StatusCode: res.status, Attempts: n, Elapsed: cl.elapsed()}
	c.parseErrorBody(e, res.body)
	return e
}

func (c *Client) parseErrorBody(e *APIError, body []byte) {
	var v struct {
		Message *string `json:"message"`
		Code    *string `json:"code"`
		Issues  []struct {
			Message string `json:"message"`
			Path    []any  `json:"path"`
		} `json:"issues"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &v) == nil && (v.Code != nil || v.Message != nil) {
		if v.Code != nil {
			e.Code = c.sanitize(*v.Code, 100)
		}
		if v.Message != nil {
			e.Message = c.sanitize(*v.Message, 500)
		}
		for i, is := range v.Issues {
			if i == 20 {
				e.Issues = append(e.Issues, Issue{Message: fmt.Sprintf("... and %d more issues", len(v.Issues)-i)})
				break
			}
			iss := Issue{Message: c.sanitize(is.Message, 300)}
			for _, p := range is.Path {
				switch pv := p.(type) {
				case string:
					iss.Path = append(iss.Path, c.sanitize(pv, 100))
				case float64, bool, nil:
					iss.Path = append(iss.Path, pv)
				default:
					iss.Path = append(iss.Path, "?")
				}
			}
			e.Issues = append(e.Issues, iss)
		}
	} else {
		e.Message = c.sanitize(string(body), 200)
	}
	if e.Message == "" {
		e.Message = http.StatusText(e.StatusCode)
	}
}

// parseRetryAfter reads delta seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retryWait: a Retry-After of 0 or a date already past gets the backoff, so
// that a server saying "now" is not asked again at once, attempt after attempt.
func (c *Client) retryWait(res *attemptResult, n int) (time.Duration, string) {
	if res.header != nil {
		// Honoured in full (the contract): a retry before the time asked
		// for is not made; a wait that does not fit ends the call instead.
		if ra, ok := parseRetryAfter(res.header.Get("Retry-After"), c.Now()); ok && ra > 0 {
			return ra, fmt.Sprintf("the server asked to wait %s (Retry-After)", ra)
		}
	}
	return c.backoff(n), "exponential backoff"
}

// backoff is full jitter: a random duration in [0, min(MaxRetryWait, BaseBackoff*2^(n-1))].
func (c *Client) backoff(n int) time.Duration {
	ceiling := c.baseBackoff
	for i := 1; i < n && ceiling < c.maxRetryWait; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.maxRetryWait)
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}
