package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// TestNoSecretsAnywhere runs every call under faults (including servers that
// echo credentials back in error bodies) and scans every error string and
// every log event for the admin token, minted secrets and Authorization
// values.
func TestNoSecretsAnywhere(t *testing.T) {
	var texts []string
	record := func(err error) {
		if err == nil {
			return
		}
		texts = append(texts, err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			texts = append(texts, u.Error())
		}
	}
	ctx := ctxT(t)

	// 1. The emulator under random faults.
	e := newEmu(t, func(c *Config) { c.MaxAttempts = 4; c.RequestTimeout = 200 * time.Millisecond })
	e.s.AddServiceAccount("svc")
	e.s.SetRandomFaults(7, 0.4, []emulator.Fault{
		{Kind: emulator.FaultDropAfter},
		{Kind: emulator.FaultDropBefore},
		{Kind: emulator.FaultStatus, Status: 500},
		{Kind: emulator.FaultStatus, Status: 503, RetryAfter: "0"},
		{Kind: emulator.FaultStatus, Status: 429, RetryAfter: "0"},
		{Kind: emulator.FaultDelay, Delay: 400 * time.Millisecond},
	})
	var minted []*CreatedToken
	for i := range 15 {
		ct, err := e.c.CreateToken(ctx, "svc", CreateTokenRequest{Name: fmt.Sprintf("t%d", i%4), TTL: 600})
		record(err)
		if ct != nil {
			minted = append(minted, ct)
			texts = append(texts, fmt.Sprintf("%v %+v %#v %s", ct, ct, *ct, ct))
		}
		_, err = e.c.ListTokens(ctx, "svc")
		record(err)
	}
	for _, ct := range minted {
		record(e.c.DeleteToken(ctx, "svc", ct.ID))
	}
	record(e.c.CreateServiceAccount(ctx, "svc_two"))
	record(e.c.DeleteUser(ctx, "svc_two"))
	e.s.ClearFaults()
	// Wrong credentials, cancelled calls.
	bad, _ := New(Config{BaseURL: e.url, Token: "md_WRONGwrongWRONGwrongWRONG", Logger: e.log})
	_, err := bad.ListTokens(ctx, "svc")
	record(err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = e.c.CreateToken(cctx, "svc", CreateTokenRequest{Name: "x"})
	record(err)

	// 2. A hostile server that echoes credentials in every kind of error body.
	var mintedSecret = "md_mintedSECRETmintedSECRETechoed01"
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
	bodies := []struct {
		status int
		body   string
	}{
		{500, "Authorization: Bearer " + adminSecret},
		{502, "upstream said: " + adminSecret + " and " + jwt},
		{503, `{"message":"bad token ` + adminSecret + `","code":"X","issues":[{"message":"Bearer ` + mintedSecret + `","path":["` + adminSecret + `"]}]}`},
		{400, `{"message":"authorization=` + jwt + `","code":"BAD_REQUEST"}`},
		{401, `{"message":"token ` + mintedSecret + ` invalid","code":"UNAUTHORIZED"}`},
		{200, `{"token":"` + mintedSecret + `","id":`},
		{200, `{"token":"` + mintedSecret + `","created_ts":"2026-01-01T00:00:00Z"}`},
	}
	for _, b := range bodies {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && b.status == 200 {
				_, _ = io.WriteString(w, `{"tokens":[]}`)
				return
			}
			w.WriteHeader(b.status)
			_, _ = io.WriteString(w, b.body)
		}))
		c, _ := newTestClient(t, srv.URL, func(c *Config) { c.Logger = e.log; c.MaxAttempts = 2 })
		_, err := c.CreateToken(ctx, "u", CreateTokenRequest{Name: "n"})
		record(err)
		_, err = c.ListTokens(ctx, "u")
		record(err)
		record(c.DeleteToken(ctx, "u", "id"))
		record(c.CreateServiceAccount(ctx, "u"))
		srv.Close()
	}
	// Transport errors.
	dead, _ := newTestClient(t, "http://127.0.0.1:1", func(c *Config) { c.Logger = e.log; c.MaxAttempts = 2 })
	_, err = dead.ListTokens(ctx, "u")
	record(err)

	texts = append(texts, e.log.texts()...)
	if len(texts) < 50 {
		t.Fatalf("too little output to be meaningful: %d", len(texts))
	}
	secrets := []string{adminSecret, e.s.AdminToken(), "md_WRONGwrongWRONGwrongWRONG", mintedSecret, jwt, "Bearer md_", "Bearer eyJ"}
	for _, tk := range e.s.AllTokens() {
		if tk.Secret != "" {
			secrets = append(secrets, tk.Secret)
		}
	}
	for _, ct := range minted {
		secrets = append(secrets, ct.Secret)
	}
	for _, txt := range texts {
		for _, s := range secrets {
			if strings.Contains(txt, s) {
				t.Fatalf("secret %.6s... found in %q", s, txt)
			}
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), redacted) {
		t.Fatal("expected redactions in the hostile-server output")
	}
	t.Logf("scanned %d strings against %d secrets", len(texts), len(secrets))
}
