// Command motherduck-emulator runs the in-memory MotherDuck API emulator on a
// loopback address, for demos and manual runs of the Terraform provider.
//
// Usage:
//
//	motherduck-emulator [-addr 127.0.0.1:0] [-token SECRET] [-service-accounts a,b] [-latency 50ms]
//
// On start it prints exactly one line, MOTHERDUCK_API_URL=<url>, on stdout.
// It then logs every /v1 request on stderr, one line each (method, escaped
// path, status, and for mints the new token's id and name, for revocations the
// token id), never a secret. GET /_emulator/tokens (no authentication,
// loopback clients only) lists every token ever minted with its state
// ("live", "revoked" or "expired"), without secrets. SIGINT or SIGTERM stops it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const defaultToken = "md-emulator-admin-token"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run starts the emulator and serves until ctx is done; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("motherduck-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on (host:port; port 0 picks a free port)")
	token := fs.String("token", defaultToken, "bearer secret of the admin user's bootstrap read/write token")
	accounts := fs.String("service-accounts", "svc_ci,svc_reporting", "comma-separated service accounts to seed")
	latency := fs.Duration("latency", 0, "latency added to every /v1 request (e.g. 50ms)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "motherduck-emulator: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if err := checkLoopback(*addr); err != nil {
		fmt.Fprintf(stderr, "motherduck-emulator: %v\n", err)
		return 2
	}
	if strings.TrimSpace(*token) == "" {
		fmt.Fprintln(stderr, "motherduck-emulator: -token must not be empty")
		return 2
	}
	if *latency < 0 {
		fmt.Fprintln(stderr, "motherduck-emulator: -latency must not be negative")
		return 2
	}
	var seeds []string
	for _, a := range strings.Split(*accounts, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if !emulator.ValidServiceAccountName(a) {
			fmt.Fprintf(stderr, "motherduck-emulator: invalid service account name %q: 3..255 characters, a letter first, then letters, digits and _\n", a)
			return 2
		}
		seeds = append(seeds, a)
	}

	s := emulator.New()
	s.SetRealTimeClock(true)
	s.SetAdminToken(*token)
	s.SetLatency(*latency)
	for _, a := range seeds {
		s.AddServiceAccount(a)
	}
	var logMu sync.Mutex
	s.OnRequest(func(r emulator.Request) {
		line := logLine(r)
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintln(stderr, line)
	})

	url, err := s.Listen(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "motherduck-emulator: %v\n", err)
		return 1
	}
	defer s.Close()
	fmt.Fprintf(stdout, "MOTHERDUCK_API_URL=%s\n", url)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync() // stdout is unbuffered; Sync fails harmlessly on pipes
	}
	logMu.Lock()
	fmt.Fprintf(stderr, "motherduck-emulator: listening on %s; admin user %q; service accounts: %s; token list at %s/_emulator/tokens\n",
		url, emulator.DefaultAdminUsername, strings.Join(seeds, ", "), url)
	logMu.Unlock()

	<-ctx.Done()
	logMu.Lock()
	fmt.Fprintln(stderr, "motherduck-emulator: shutting down")
	logMu.Unlock()
	return 0
}

// checkLoopback refuses any listen address that is not a loopback host.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid -addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing -addr %q: the emulator only listens on a loopback address (127.0.0.1, ::1 or localhost)", addr)
	}
	return nil
}

// logLine renders one request for the log, never with a secret.
func logLine(r emulator.Request) string {
	var b strings.Builder
	b.WriteString(r.At.UTC().Format(time.RFC3339))
	b.WriteString(" ")
	b.WriteString(r.Method)
	b.WriteString(" ")
	b.WriteString(safe(r.Path))
	b.WriteString(" ")
	if r.Status == 0 {
		b.WriteString("dropped")
	} else {
		b.WriteString(strconv.Itoa(r.Status))
	}
	if r.Fault != "" {
		b.WriteString(" fault=" + r.Fault)
	}
	switch {
	case r.Op == emulator.OpMint && r.TokenID != "":
		b.WriteString(" minted id=" + r.TokenID + " name=" + safe(r.TokenName))
	case r.Op == emulator.OpRevoke && r.HandledStatus == 200:
		b.WriteString(" revoked id=" + safe(r.TokenID))
	case r.Op == emulator.OpCreateUser && r.HandledStatus == 200:
		b.WriteString(" created user=" + safe(r.Username))
	case r.Op == emulator.OpDeleteUser && r.HandledStatus == 200:
		b.WriteString(" deleted user=" + safe(r.Username))
	}
	return b.String()
}

// safe quotes a value that holds spaces, quotes or non-printable characters so
// one request stays one log line.
func safe(v string) string {
	for _, c := range v {
		if c <= ' ' || c == '"' || c == 0x7f || !strconv.IsPrint(c) {
			return strconv.Quote(v)
		}
	}
	return v
}
