// Command motherduck-emulator runs the in-memory MotherDuck API emulator on a
// loopback address, for demos and manual runs of the Terraform provider.
//
// Usage:
//
//	motherduck-emulator [-addr 127.0.0.1:0] [-token SECRET] [-service-accounts a,b] [-human-users c,d]
//	                    [-latency 50ms] [-page-size N]
//
// The users it starts with: "admin", a human organization admin whose token is
// -token; the service accounts of -service-accounts (svc_ci and svc_reporting
// by default), for which the admin may mint tokens; and the human members of
// -human-users (none by default), for which it may not (the API answers 403).
// -page-size (default: $MOTHERDUCK_EMULATOR_PAGE_SIZE, else 0) makes the
// token list answer pages of at most N tokens with a next_page_token; 0
// answers one page without a cursor, as the live API does today.
//
// On start it prints exactly one line, MOTHERDUCK_API_URL=<url>, on stdout.
// It then logs every /v1 request on stderr, one line each (method, escaped
// path, status, and for mints the new token's id and name, for revocations the
// token id, for list pages their page_token, for reads and writes of a
// Duckling configuration the configuration held after them), never a secret. GET
// /_emulator/tokens (no authentication, loopback clients only) lists every
// token ever minted with its state ("live", "revoked" or "expired"), without
// secrets. SIGINT or SIGTERM stops it.
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
	"unicode/utf8"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const defaultToken = "md-emulator-admin-token"

// pageSizeEnv holds the default of -page-size.
const pageSizeEnv = "MOTHERDUCK_EMULATOR_PAGE_SIZE"

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
	accounts := fs.String("service-accounts", "svc_ci,svc_reporting", "comma-separated service accounts to seed (the admin may mint their tokens)")
	humans := fs.String("human-users", "", "comma-separated human users (organization members) to seed (the admin may not mint their tokens)")
	latency := fs.Duration("latency", 0, "latency added to every /v1 request (e.g. 50ms)")
	pageSize := fs.Int("page-size", 0, "token list page size; 0 answers one page without a cursor (default $"+pageSizeEnv+", else 0)")
	if env := strings.TrimSpace(os.Getenv(pageSizeEnv)); env != "" {
		n, err := strconv.Atoi(env)
		if err != nil || n < 0 {
			fmt.Fprintf(stderr, "motherduck-emulator: %s=%q: want a whole number of tokens, 0 or more\n", pageSizeEnv, env)
			return 2
		}
		*pageSize = n
	}
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
	if *pageSize < 0 {
		fmt.Fprintln(stderr, "motherduck-emulator: -page-size must not be negative")
		return 2
	}
	seeds, err := seedUsers(*accounts, *humans)
	if err != nil {
		fmt.Fprintf(stderr, "motherduck-emulator: %v\n", err)
		return 2
	}

	s := emulator.New()
	s.SetRealTimeClock(true)
	s.SetAdminToken(*token)
	s.SetLatency(*latency)
	s.SetTokenListPageSize(*pageSize)
	for _, a := range seeds.serviceAccounts {
		s.AddServiceAccount(a)
	}
	for _, h := range seeds.humans {
		s.AddHumanUser(h, false)
	}
	var logMu sync.Mutex
	s.OnRequest(func(r emulator.Request) {
		line := logLine(r)
		if (r.Op == emulator.OpPutInstances || r.Op == emulator.OpInstances) && r.HandledStatus == 200 {
			cfg, _ := s.DucklingConfig(r.Username)
			line += " ducklings " + ducklingsText(cfg)
		}
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
	fmt.Fprintf(stderr, "motherduck-emulator: listening on %s; human admin %q, whose token is %s; "+
		"service accounts: %s; human members: %s; token list page size: %s; token states at %s/_emulator/tokens\n",
		url, emulator.DefaultAdminUsername, adminTokenText(*token), orNone(seeds.serviceAccounts), orNone(seeds.humans), pageSizeText(*pageSize), url)
	logMu.Unlock()

	<-ctx.Done()
	logMu.Lock()
	fmt.Fprintln(stderr, "motherduck-emulator: shutting down")
	logMu.Unlock()
	return 0
}

// adminTokenText names the admin's token on the start line: the default one
// by value (it is public, in the README), one given with -token only as that.
func adminTokenText(token string) string {
	if token == defaultToken {
		return fmt.Sprintf("the default %q (set MOTHERDUCK_TOKEN to it)", defaultToken)
	}
	return "the -token secret"
}

// seeds are the users the command starts with, besides the admin.
type seeds struct {
	serviceAccounts, humans []string
}

// seedUsers reads the comma-separated -service-accounts and -human-users.
// Service account names follow the API's rules; no name is given twice, and
// none is the admin's.
func seedUsers(accounts, humans string) (seeds, error) {
	var out seeds
	seen := map[string]string{emulator.DefaultAdminUsername: "the admin user"}
	add := func(name, kind string) error {
		if prev, dup := seen[name]; dup {
			return fmt.Errorf("%s %q is already %s", kind, name, prev)
		}
		seen[name] = "a " + kind
		return nil
	}
	for _, a := range splitList(accounts) {
		if !emulator.ValidServiceAccountName(a) {
			return seeds{}, fmt.Errorf("invalid service account name %q: %d..%d characters, an ASCII letter first, then ASCII letters, digits and _",
				a, emulator.MinServiceAccountNameLength, emulator.MaxUsernameLength)
		}
		if err := add(a, "service account"); err != nil {
			return seeds{}, err
		}
		out.serviceAccounts = append(out.serviceAccounts, a)
	}
	for _, h := range splitList(humans) {
		if utf8.RuneCountInString(h) > emulator.MaxUsernameLength {
			return seeds{}, fmt.Errorf("invalid human username %q: at most %d characters", h, emulator.MaxUsernameLength)
		}
		if err := add(h, "human user"); err != nil {
			return seeds{}, err
		}
		out.humans = append(out.humans, h)
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func pageSizeText(n int) string {
	if n == 0 {
		return "none (one page, no cursor)"
	}
	return strconv.Itoa(n)
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
	case r.Op == emulator.OpPutInstances && r.HandledStatus == 200:
		b.WriteString(" configured user=" + safe(r.Username))
	case r.Op == emulator.OpInstances && r.HandledStatus == 200:
		b.WriteString(" read user=" + safe(r.Username))
	case r.Op == emulator.OpList && r.PageToken != "":
		b.WriteString(" page_token=" + safe(r.PageToken))
	}
	return b.String()
}

// ducklingsText renders a Duckling configuration on one line, as stored
// after a read or a write: "read_write=standard/300s read_scaling=pulse*2".
func ducklingsText(cfg emulator.DucklingConfig) string {
	half := func(size string, cooldown int) string {
		if cooldown == 0 {
			return size
		}
		return size + "/" + strconv.Itoa(cooldown) + "s"
	}
	return "read_write=" + half(cfg.ReadWriteSize, cfg.ReadWriteCooldown) +
		" read_scaling=" + half(cfg.ReadScalingSize, cfg.ReadScalingCooldown) + "*" + strconv.Itoa(cfg.FlockSize)
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
