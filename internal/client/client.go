package client

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxAttempts    = 5
	DefaultMaxRetryWait   = 30 * time.Second
	DefaultBaseBackoff    = 500 * time.Millisecond
	// MaxCallTimeCeiling caps the default MaxCallTime: a silent API is reported within a minute.
	MaxCallTimeCeiling     = time.Minute
	DefaultRecoveryTimeout = 2 * time.Minute
	DefaultUserAgent       = "terraform-provider-motherduck-client"
)

const (
	// minUsefulAttempt (or RequestTimeout, if shorter) must be left for a retry to be worth it.
	minUsefulAttempt = time.Second
	maxBodyBytes     = 4 << 20
	// ttlTolerance is how far expire_at - created_ts may be from a mint's ttl.
	ttlTolerance = 2 * time.Second
)

// Config configures a Client. Only BaseURL is required; New fills zero
// fields with defaults. The admin Token is never printed.
type Config struct {
	BaseURL        string // a trailing slash is tolerated; a path prefix is kept
	Token          string
	UserAgent      string
	RequestTimeout time.Duration // one HTTP attempt
	MaxAttempts    int           // of a retryable call, in total
	MaxRetryWait   time.Duration // caps one backoff wait (a Retry-After is honoured in full, or the call ends)
	// MaxCallTime bounds a call's attempts and waits together (no retry starts that would
	// not fit); by default RequestTimeout * MaxAttempts, within [RequestTimeout, MaxCallTimeCeiling].
	MaxCallTime     time.Duration
	BaseBackoff     time.Duration // first backoff ceiling, doubled per attempt, full jitter
	HTTPClient      *http.Client  // nil: a cloned default transport that never follows redirects
	Logger          Logger
	Now             func() time.Time // the host clock the API's clock is learnt against
	RecoveryTimeout time.Duration    // the clean-up after a mint of unknown outcome
}

type configView Config

// Format prints the Config with Token redacted, for every verb.
func (c Config) Format(f fmt.State, verb rune) {
	v := configView(c)
	if v.Token != "" {
		v.Token = redacted
	}
	formatRedacted(f, verb, v, "client.Config")
}

func (c Config) String() string   { return fmt.Sprintf("%v", c) }
func (c Config) GoString() string { return fmt.Sprintf("%#v", c) }

// Logger fields never hold secrets: no headers, no bodies, errors only sanitised.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// Client is safe for concurrent use. Share one per provider instance, so
// that its list cache and mint bookkeeping see every call.
type Client struct {
	baseURL   string
	secret    *string // behind a pointer so that fmt never prints it
	userAgent string
	hc        *http.Client
	log       Logger
	now       func() time.Time

	requestTimeout time.Duration
	maxAttempts    int
	maxRetryWait   time.Duration
	maxCallTime    time.Duration
	baseBackoff    time.Duration
	recovery       time.Duration

	users    perUser
	apiClock serverClock
}

// New validates cfg and fills in its defaults.
func New(cfg Config) (*Client, error) {
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		return nil, urlError("base URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the input, which may hold credentials.
		return nil, urlError("base URL is not a valid URL")
	}
	if u.User != nil {
		return nil, urlError("base URL must not contain credentials")
	}
	if !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, urlError(fmt.Sprintf("base URL %q must be an absolute http(s) URL such as https://api.motherduck.com", u.Redacted()))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, urlError(fmt.Sprintf("base URL %q must not have a query or fragment", u.Scheme+"://"+u.Host+u.EscapedPath()))
	}
	if reason := checkToken(cfg.Token); reason != "" {
		return nil, &ConfigError{Field: ConfigToken, Reason: reason}
	}
	tok := cfg.Token
	c := &Client{
		baseURL:        strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"),
		secret:         &tok,
		userAgent:      cmp.Or(cfg.UserAgent, DefaultUserAgent),
		hc:             cfg.HTTPClient,
		log:            cfg.Logger,
		now:            cfg.Now,
		requestTimeout: positiveOr(cfg.RequestTimeout, DefaultRequestTimeout),
		maxAttempts:    positiveOr(cfg.MaxAttempts, DefaultMaxAttempts),
		maxRetryWait:   positiveOr(cfg.MaxRetryWait, DefaultMaxRetryWait),
		maxCallTime:    cfg.MaxCallTime,
		baseBackoff:    positiveOr(cfg.BaseBackoff, DefaultBaseBackoff),
		recovery:       positiveOr(cfg.RecoveryTimeout, DefaultRecoveryTimeout),
	}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
	}
	if c.log == nil {
		c.log = nopLogger{}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.maxCallTime <= 0 {
		c.maxCallTime = max(c.requestTimeout, min(c.requestTimeout*time.Duration(c.maxAttempts), MaxCallTimeCeiling))
	}
	return c, nil
}

func positiveOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// ConfigError is a Config that New refuses. Field lets a caller name where
// the value came from; Reason never holds a secret.
type ConfigError struct {
	Field  ConfigField
	Reason string
}

type ConfigField string

const (
	ConfigBaseURL ConfigField = "BaseURL"
	ConfigToken   ConfigField = "Token"
)

func (e *ConfigError) Error() string { return "motherduck client: " + e.Reason }

func urlError(reason string) error { return &ConfigError{Field: ConfigBaseURL, Reason: reason} }

// checkToken says why tok cannot be a bearer token, or "". It never says
// where the bad character is or how long the token is: facts about a secret.
func checkToken(tok string) string {
	for _, r := range tok {
		switch {
		case r == '\n' || r == '\r':
			return "the token contains a line break"
		case r == ' ' || r == '\t':
			return "the token contains white space"
		case r < 0x20 || r == 0x7f:
			return "the token contains a control character"
		}
	}
	return ""
}

// Format prints only the Client's base URL, whatever the verb.
func (c *Client) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = fmt.Fprint(f, "<nil>")
		return
	}
	_, _ = fmt.Fprintf(f, "&client.Client{BaseURL:%q}", c.baseURL)
}

func (c *Client) String() string { return fmt.Sprintf("%v", c) }

func defaultHTTPClient() *http.Client {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else {
		tr = &http.Transport{
			Proxy:       http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		}
	}
	tr.MaxIdleConnsPerHost = 16
	tr.IdleConnTimeout = 90 * time.Second
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 0 // the per-attempt context bounds the wait
	return &http.Client{
		Transport: tr,
		// The API never redirects; following one could send the bearer token
		// somewhere unexpected, so the 3xx answer is returned as an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Endpoint returns the API root (scheme://host[/prefix], no trailing slash).
func (c *Client) Endpoint() string { return c.baseURL }
