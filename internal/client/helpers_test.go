package client

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// recLogger records every event, rendered to text, for assertions and for the
// secret scan.
type recLogger struct {
	mu     sync.Mutex
	events []logEvent
}

type logEvent struct {
	level, msg string
	fields     map[string]any
}

func (l *recLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("debug", msg, fields)
}

func (l *recLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("warn", msg, fields)
}

func (l *recLogger) add(level, msg string, fields map[string]any) {
	cp := make(map[string]any, len(fields))
	for k, v := range fields {
		cp[k] = v
	}
	l.mu.Lock()
	l.events = append(l.events, logEvent{level, msg, cp})
	l.mu.Unlock()
}

func (l *recLogger) all() []logEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEvent(nil), l.events...)
}

// texts renders every event (message and fields, with %v and %#v) to strings.
func (l *recLogger) texts() []string {
	var out []string
	for _, e := range l.all() {
		keys := make([]string, 0, len(e.fields))
		for k := range e.fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString(e.level + " " + e.msg)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%v (%#v)", k, e.fields[k], e.fields[k])
		}
		out = append(out, b.String())
	}
	return out
}

func (l *recLogger) count(level, msgPart string) int {
	n := 0
	for _, e := range l.all() {
		if e.level == level && strings.Contains(e.msg, msgPart) {
			n++
		}
	}
	return n
}

// emu starts an emulator and a client pointed at it with fast retries.
type emu struct {
	s   *emulator.Server
	url string
	c   *Client
	log *recLogger
}

// newEmuWithSvc is newEmu with the service account "svc".
func newEmuWithSvc(t testing.TB, mod ...func(*Config)) *emu {
	t.Helper()
	e := newEmu(t, mod...)
	e.s.AddServiceAccount("svc")
	return e
}

func newEmu(t testing.TB, mod ...func(*Config)) *emu {
	t.Helper()
	s := emulator.New()
	url := s.Start()
	t.Cleanup(s.Close)
	e := &emu{s: s, url: url, log: &recLogger{}}
	cfg := Config{
		BaseURL:        url,
		Token:          s.AdminToken(),
		UserAgent:      "client-test/1.0",
		RequestTimeout: 3 * time.Second,
		MaxAttempts:    5,
		MaxRetryWait:   20 * time.Millisecond,
		BaseBackoff:    time.Millisecond,
		Logger:         e.log,
		Now:            s.Now,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.c = c
	return e
}

// liveByName returns the live tokens of user with that name.
func (e *emu) liveByName(user, name string) []emulator.Token {
	var out []emulator.Token
	for _, t := range e.s.LiveTokens(user) {
		if t.Name == name {
			out = append(out, t)
		}
	}
	return out
}

func ids(toks []Token) []string {
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, t.ID)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// baseTransport returns a fresh clone of the default transport.
func baseTransport(t *testing.T) *http.Transport {
	t.Helper()
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		t.Fatal("default transport is not *http.Transport")
	}
	return dt.Clone()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
