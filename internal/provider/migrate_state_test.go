package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// moveCase is one source provider: its address, its two resource types and
// how its attributes are named.
type moveCase struct {
	name, source         string
	tokenType            string
	types                map[string]map[string]int
	ttl, created, expire string
	accountExtra         string // more attributes of the source service account
	protection           string // deletion_protection the configuration must set to match
}

var moveCases = []moveCase{
	{
		name: "official", source: "motherduckdb/motherduck", tokenType: "motherduck_access_token",
		types: map[string]map[string]int{"motherduck_access_token": officialAccessToken, "motherduck_service_account": officialServiceAccount},
		ttl:   "ttl", created: "created_ts", expire: "expire_at",
	},
	{
		name: "community", source: "jpig18/motherduck", tokenType: "motherduck_token",
		types: map[string]map[string]int{"motherduck_token": communityToken, "motherduck_service_account": communityServiceAccount},
		ttl:   "ttl_seconds", created: "created_at", expire: "expires_at",
		accountExtra: `  deletion_policy = "cascade"` + "\n", protection: "  deletion_protection = false\n",
	},
}

// requireMoveState skips below Terraform 1.8, the first with moves between
// resource types of different providers.
func requireMoveState(t *testing.T) {
	t.Helper()
	acctest.RequireCLI(t)
	v, tofu := acctest.CLIVersion(t)
	cur, err := version.NewVersion(v)
	if err != nil {
		t.Fatalf("CLI version %q: %v", v, err)
	}
	if !tofu && cur.LessThan(version.Must(version.NewVersion("1.8.0"))) {
		t.Skipf("Terraform %s: moved blocks between providers need Terraform 1.8+ (ResourceWithMoveState); not supported below", v)
	}
}

// moveSetup mints, outside Terraform, the token the source resource holds,
// and serves the source provider beside this one.
func moveSetup(t *testing.T, tc moveCase, sourceTypes map[string]map[string]int) (*acctest.Env, *acctest.CLI, emulator.Token, *atomic.Int32) {
	env := acctest.NewEnv(t)
	env.Server.AddServiceAccount("svc_moved")
	tok := env.Server.MintToken("svc_moved", "moved", time.Hour, emulator.TokenTypeReadWrite)
	deletes := &atomic.Int32{}
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){
		tc.source:              sourceFactory(sourceTypes, deletes),
		"hashicorp/motherduck": env.Factories()["motherduck"],
	})
	return env, cli, tok, deletes
}

func sourceConfig(tc moveCase, tok emulator.Token, extra string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    src = { source = %[1]q }
  }
}

resource %[2]q "t" {
  provider   = src
  id         = %[3]q
  username   = "svc_moved"
  name       = "moved"
  token_type = "read_write"
  %[4]s = 3600
  token      = %[5]q
  %[6]s = %[7]q
  %[8]s = %[9]q
  read_only  = false
%[10]s}

resource "motherduck_service_account" "old" {
  provider = src
  username = "svc_moved"
  id       = "svc_moved"
%[11]s}
`, tc.source, tc.tokenType, tok.ID, tc.ttl, tok.Secret, tc.created, tok.CreatedAt.UTC().Format(time.RFC3339),
		tc.expire, tok.ExpireAt.UTC().Format(time.RFC3339), extra, tc.accountExtra)
}

func targetConfig(env *acctest.Env, tc moveCase, protection string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    src        = { source = %[1]q }
    motherduck = { source = "hashicorp/motherduck" }
  }
}

%[2]s
moved {
  from = %[3]s.t
  to   = motherduck_user_token.t
}

moved {
  from = motherduck_service_account.old
  to   = motherduck_service_account.a
}

resource "motherduck_service_account" "a" {
  username = "svc_moved"
%[4]s}

resource "motherduck_user_token" "t" {
  username = motherduck_service_account.a.username
  name     = "moved"
  ttl      = 3600
}
`, tc.source, env.ProviderBlock(), tc.tokenType, protection)
}

// Moving a token and its service account from either other provider keeps
// the secret, id and timestamps, mints and revokes nothing, and leaves an
// empty plan for a matching configuration; a later destroy revokes the token.
func TestAccMoveState_fromOtherProviders(t *testing.T) {
	requireMoveState(t)
	for _, tc := range moveCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, cli, tok, deletes := moveSetup(t, tc, tc.types)
			cli.Write(sourceConfig(tc, tok, ""))
			cli.Must("init", "-no-color")
			cli.Must("apply", "-auto-approve", "-no-color")

			env.Server.ResetRequests()
			cli.Write(targetConfig(env, tc, tc.protection))
			cli.Must("apply", "-auto-approve", "-no-color")
			writes := env.Server.CountRequests(emulator.OpMint) + env.Server.CountRequests(emulator.OpRevoke) +
				env.Server.CountRequests(emulator.OpCreateUser) + env.Server.CountRequests(emulator.OpDeleteUser)
			if writes != 0 || deletes.Load() != 0 {
				t.Fatalf("the move made %d API writes and %d deletes in the source provider", writes, deletes.Load())
			}
			if env.Server.TokenState(tok.ID) != "live" {
				t.Fatalf("token %s is %s after the move", tok.ID, env.Server.TokenState(tok.ID))
			}
			st := cli.State("motherduck_user_token.t")
			if st == nil {
				t.Fatal("motherduck_user_token.t is not in state after the move")
			}
			want := map[string]any{
				"id": tok.ID, "token": tok.Secret, "username": "svc_moved", "name": "moved", "ttl": float64(3600),
				"token_type": "read_write", "read_only": false,
				"created_ts": tok.CreatedAt.UTC().Format(time.RFC3339Nano), "expire_at": tok.ExpireAt.UTC().Format(time.RFC3339Nano),
			}
			for k, v := range want {
				if st[k] != v {
					if k == "token" {
						t.Errorf("token: the secret in state is not the moved token's")
					} else {
						t.Errorf("%s = %v after the move, want %v", k, st[k], v)
					}
				}
			}
			if sa := cli.State("motherduck_service_account.a"); sa == nil || sa["id"] != "svc_moved" {
				t.Fatalf("motherduck_service_account.a after the move: %v", sa)
			}

			if code, out := cli.Run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
				t.Fatalf("the plan after the move is not empty (exit %d):\n%s", code, out)
			}

			// Destroy: turn protection off first, as a user would.
			cli.Write(targetConfig(env, tc, "  deletion_protection = false\n"))
			cli.Must("apply", "-auto-approve", "-no-color")
			cli.Must("destroy", "-auto-approve", "-no-color")
			if env.Server.TokenState(tok.ID) != "revoked" {
				t.Fatalf("destroy left token %s %s", tok.ID, env.Server.TokenState(tok.ID))
			}
			if env.Server.UserExists("svc_moved") {
				t.Fatal("destroy left svc_moved")
			}
		})
	}
}

// A source attribute with a value this provider has no place for stops the
// move with an error naming it; nothing is moved, minted or revoked.
func TestAccMoveState_unmappableAttribute(t *testing.T) {
	requireMoveState(t)
	tc := moveCases[0]
	types := map[string]map[string]int{"motherduck_service_account": officialServiceAccount, tc.tokenType: {}}
	for k, v := range officialAccessToken {
		types[tc.tokenType][k] = v
	}
	types[tc.tokenType]["organization_id"] = kString
	env, cli, tok, deletes := moveSetup(t, tc, types)
	cli.Write(sourceConfig(tc, tok, `  organization_id = "org_1"`+"\n"))
	cli.Must("init", "-no-color")
	cli.Must("apply", "-auto-approve", "-no-color")

	env.Server.ResetRequests()
	cli.Write(targetConfig(env, tc, ""))
	code, out := cli.Run("plan", "-no-color")
	if code == 0 || !regexp.MustCompile(`(?s)Cannot Move Resource State.*"organization_id"`).MatchString(out) {
		t.Fatalf("want the plan to fail naming organization_id, got exit %d:\n%s", code, out)
	}
	if strings.Contains(out, tok.Secret) {
		t.Fatal("the error output holds the token's secret")
	}
	if n := len(env.Server.Requests()); n != 0 && env.Server.CountRequests(emulator.OpList) != n {
		t.Fatalf("a refused move made API writes")
	}
	if deletes.Load() != 0 || env.Server.TokenState(tok.ID) != "live" {
		t.Fatal("a refused move deleted or revoked something")
	}
}

// A deletion_policy this provider cannot read is an error naming it, not a
// guess about how protected the account should be.
func TestAccMoveState_unknownDeletionPolicy(t *testing.T) {
	requireMoveState(t)
	tc := moveCases[1]
	tc.accountExtra = `  deletion_policy = "sometimes"` + "\n"
	env, cli, tok, deletes := moveSetup(t, tc, tc.types)
	cli.Write(sourceConfig(tc, tok, ""))
	cli.Must("init", "-no-color")
	cli.Must("apply", "-auto-approve", "-no-color")

	env.Server.ResetRequests()
	cli.Write(targetConfig(env, tc, ""))
	code, out := cli.Run("plan", "-no-color")
	if code == 0 || !regexp.MustCompile(`(?s)Cannot Move Resource State.*"deletion_policy".*"sometimes".*"cascade".*"retain".*"prevent"`).MatchString(out) {
		t.Fatalf("want the plan to fail naming deletion_policy and its values, got exit %d:\n%s", code, out)
	}
	if deletes.Load() != 0 || !env.Server.UserExists("svc_moved") {
		t.Fatal("a refused move deleted something")
	}
}

// Each value of the community provider's deletion_policy moves, without an
// API write, to the deletion_protection that keeps the account from being
// deleted unless the source deleted it: cascade (destroy deletes) to false,
// prevent and retain (destroy refused, destroy forgets) to true, retain with
// a warning saying how to forget the account. After the move the plan is
// empty, and with protection on a destroy is refused and deletes nothing.
func TestAccMoveState_communityDeletionPolicy(t *testing.T) {
	requireMoveState(t)
	for _, tc := range []struct {
		policy  string
		protect bool
		warning string
	}{
		{"cascade", false, ""},
		{"prevent", true, ""},
		{"retain", true, `(?s)Warning: Account Moved With Deletion Protection On.*deletion_policy = "retain".*removed block`},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			t.Parallel()
			mc := moveCases[1]
			mc.accountExtra = fmt.Sprintf("  deletion_policy = %q\n", tc.policy)
			env, cli, tok, deletes := moveSetup(t, mc, mc.types)
			cli.Write(sourceConfig(mc, tok, ""))
			cli.Must("init", "-no-color")
			cli.Must("apply", "-auto-approve", "-no-color")

			env.Server.ResetRequests()
			cli.Write(targetConfig(env, mc, fmt.Sprintf("  deletion_protection = %t\n", tc.protect)))
			// The move itself must plan nothing else: a protection that does
			// not match the source's policy would show as an update here.
			out := cli.Must("apply", "-auto-approve", "-no-color")
			if !strings.Contains(out, "Plan: 0 to add, 0 to change, 0 to destroy.") {
				t.Fatalf("the move plans more than the move:\n%s", out)
			}
			writes := env.Server.CountRequests(emulator.OpMint) + env.Server.CountRequests(emulator.OpRevoke) +
				env.Server.CountRequests(emulator.OpCreateUser) + env.Server.CountRequests(emulator.OpDeleteUser)
			if writes != 0 || deletes.Load() != 0 {
				t.Fatalf("the move made %d API writes and %d deletes in the source provider", writes, deletes.Load())
			}
			if tc.warning != "" && !regexp.MustCompile(tc.warning).MatchString(out) {
				t.Errorf("the move does not warn as %q:\n%s", tc.warning, out)
			}
			if tc.warning == "" && strings.Contains(out, "Deletion Protection On") {
				t.Errorf("the move warns:\n%s", out)
			}
			if sa := cli.State("motherduck_service_account.a"); sa == nil || sa["deletion_protection"] != tc.protect {
				t.Fatalf("motherduck_service_account.a after the move: %v, want deletion_protection = %t", sa, tc.protect)
			}
			if code, out := cli.Run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
				t.Fatalf("the plan after the move is not empty (exit %d):\n%s", code, out)
			}
			if !tc.protect {
				return // TestAccMoveState_fromOtherProviders destroys an unprotected account
			}
			env.Server.ResetRequests()
			code, out := cli.Run("destroy", "-auto-approve", "-no-color")
			if code == 0 || !strings.Contains(out, "Service Account Is Protected From Deletion") {
				t.Fatalf("want destroy refused by deletion_protection, got exit %d:\n%s", code, out)
			}
			if !env.Server.UserExists("svc_moved") || env.Server.CountRequests(emulator.OpDeleteUser) != 0 {
				t.Fatal("a refused destroy deleted the moved account")
			}
		})
	}
}

// The migration guide says the old provider must stay installed until the
// move is applied: before, the state still names it and a plan without it
// fails; after, the state no longer needs it and a plan without it is empty.
func TestAccMoveState_oldProviderNeededUntilApplied(t *testing.T) {
	requireMoveState(t)
	mc := moveCases[1]
	env, cli, tok, _ := moveSetup(t, mc, mc.types)
	cli.Write(sourceConfig(mc, tok, ""))
	cli.Must("init", "-no-color")
	cli.Must("apply", "-auto-approve", "-no-color")

	// The same working directory, with only this provider installed.
	without := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	without.Dir = cli.Dir
	withoutSource := strings.Replace(targetConfig(env, mc, mc.protection), fmt.Sprintf("    src        = { source = %q }\n", mc.source), "", 1)
	without.Write(withoutSource)
	env.Server.ResetRequests()
	code, out := without.Run("plan", "-no-color")
	// Terraform: "Missing required provider"; OpenTofu refreshes first,
	// then fails on the "unavailable provider".
	if code == 0 || !regexp.MustCompile(`(?s)(Missing required provider|unavailable provider).*`+regexp.QuoteMeta(mc.source)).MatchString(out) {
		t.Fatalf("want the plan without the old provider to fail naming it, got exit %d:\n%s", code, out)
	}
	for _, r := range env.Server.Requests() {
		if r.Method != http.MethodGet {
			t.Fatalf("the failed plan wrote to the API: %+v", r)
		}
	}

	cli.Write(targetConfig(env, mc, mc.protection))
	cli.Must("apply", "-auto-approve", "-no-color")
	without.Write(withoutSource)
	if code, out := without.Run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Fatalf("after the move, a plan without the old provider is not empty (exit %d):\n%s", code, out)
	}
}
