package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const accountAddr = "motherduck_service_account.a"

// accountConfig is one service account and, with tokens > 0, that many
// tokens of it.
func accountConfig(env *acctest.Env, username string, protect *bool, tokens int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"motherduck_service_account\" \"a\" {\n  username = %q\n", username)
	if protect != nil {
		fmt.Fprintf(&b, "  deletion_protection = %t\n", *protect)
	}
	b.WriteString("}\n")
	if tokens > 0 {
		fmt.Fprintf(&b, `
resource "motherduck_user_token" "t" {
  count    = %d
  username = motherduck_service_account.a.username
  name     = "tok-${count.index}"
}
`, tokens)
	}
	return env.Config(b.String())
}

func ptr[T any](v T) *T { return &v }

// checkAccountGone is a CheckDestroy: the account and every token the API
// minted for it are gone.
func checkAccountGone(env *acctest.Env, username string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		if env.Server.UserExists(username) {
			return fmt.Errorf("service account %s still exists after destroy", username)
		}
		return env.CheckNoLiveTokens(username)(s)
	}
}

func countOps(env *acctest.Env, ops ...string) int {
	n := 0
	for _, op := range ops {
		n += env.Server.CountRequests(op)
	}
	return n
}

func TestAccServiceAccount_lifecycle(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_lifecycle"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, name),
		Steps: []resource.TestStep{
			{ // created, protected by default
				Config: accountConfig(env, name, nil, 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					if !env.Server.IsServiceAccount(name) {
						return fmt.Errorf("%s was not created as a service account", name)
					}
					return nil
				},
			},
			{ // import by username
				ResourceName:                         accountAddr,
				ImportState:                          true,
				ImportStateId:                        name,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "username",
			},
			{ // turning protection off is an in-place update without any API write
				PreConfig: env.Server.ResetRequests,
				Config:    accountConfig(env, name, ptr(false), 0),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
				},
				Check: func(*terraform.State) error {
					if n := countOps(env, emulator.OpCreateUser, emulator.OpDeleteUser, emulator.OpMint, emulator.OpRevoke); n != 0 {
						return fmt.Errorf("changing deletion_protection made %d write calls", n)
					}
					return nil
				},
			},
			{ // unprotected: a new username replaces it
				Config: accountConfig(env, name+"_2", ptr(false), 0),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(*terraform.State) error {
					if env.Server.UserExists(name) || !env.Server.IsServiceAccount(name+"_2") {
						return fmt.Errorf("the replacement did not delete %s and create %s_2", name, name)
					}
					return nil
				},
			},
			{Config: accountConfig(env, name, ptr(false), 0)},
		},
	})
}

// A protected account stops a destroy and a replacement while planning:
// nothing is touched, not even its tokens (a refusal during apply would come
// after the tokens had been invalidated).
func TestAccServiceAccount_deletionProtectionStopsThePlan(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_protected"
	var tokenIDs []string
	refusal := regexp.MustCompile(`(?s)Service Account Is Protected From Deletion.*"svc_protected".*database.*share.*deletion_protection\s+=\s+false.*removed`)
	untouched := func() error {
		if !env.Server.IsServiceAccount(name) {
			return fmt.Errorf("%s was deleted", name)
		}
		if n := countOps(env, emulator.OpCreateUser, emulator.OpDeleteUser, emulator.OpMint, emulator.OpRevoke); n != 0 {
			return fmt.Errorf("a refused plan made %d write calls", n)
		}
		for _, id := range tokenIDs {
			if env.Server.TokenState(id) != "live" {
				return fmt.Errorf("token %s is %s", id, env.Server.TokenState(id))
			}
		}
		return nil
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, name),
		Steps: []resource.TestStep{
			{
				Config: accountConfig(env, name, ptr(true), 2),
				Check: func(*terraform.State) error {
					for _, tok := range env.Server.LiveTokens(name) {
						tokenIDs = append(tokenIDs, tok.ID)
					}
					if len(tokenIDs) != 2 {
						return fmt.Errorf("want 2 live tokens, got %d", len(tokenIDs))
					}
					return nil
				},
			},
			{ // terraform destroy
				PreConfig:   env.Server.ResetRequests,
				Config:      accountConfig(env, name, ptr(true), 2),
				Destroy:     true,
				ExpectError: refusal,
			},
			{ // removing the block from the configuration
				PreConfig: func() {
					if err := untouched(); err != nil {
						t.Fatal(err)
					}
				},
				Config:      env.Config(""),
				ExpectError: refusal,
			},
			{ // a new username
				PreConfig: func() {
					if err := untouched(); err != nil {
						t.Fatal(err)
					}
				},
				Config:      accountConfig(env, "svc_renamed", ptr(true), 2),
				ExpectError: refusal,
			},
			{ // turning protection off in the same change as the destroy is not enough: apply it first
				PreConfig: func() {
					if err := untouched(); err != nil {
						t.Fatal(err)
					}
				},
				Config:      accountConfig(env, "svc_renamed", ptr(false), 2),
				ExpectError: refusal,
			},
			{
				PreConfig: func() {
					if err := untouched(); err != nil {
						t.Fatal(err)
					}
				},
				Config: accountConfig(env, name, ptr(false), 2),
			},
		},
	})
}

// Forgetting a protected account with a removed block does not delete it.
func TestAccServiceAccount_removedBlockForgetsAProtectedAccount(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_forgotten"
	resource.UnitTest(t, resource.TestCase{
		// removed blocks arrived in Terraform 1.7.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: accountConfig(env, name, nil, 0)},
			{
				PreConfig: env.Server.ResetRequests,
				Config: env.Config(`
removed {
  from = motherduck_service_account.a
  lifecycle {
    destroy = false
  }
}
`),
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[accountAddr]; ok {
						return fmt.Errorf("%s is still in state", accountAddr)
					}
					if !env.Server.IsServiceAccount(name) || env.Server.CountRequests(emulator.OpDeleteUser) != 0 {
						return fmt.Errorf("forgetting %s deleted it", name)
					}
					return nil
				},
			},
		},
	})
}

func TestAccServiceAccount_usernameValidatedAtPlan(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var steps []resource.TestStep
	for _, bad := range []string{"ab", "1svc", "_svc", "svc-ci", "svc.ci", "équipe_1", "svc ci", strings.Repeat("a", 256)} {
		steps = append(steps, resource.TestStep{
			Config:      accountConfig(env, bad, nil, 0),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*username`),
		})
	}
	// The longest and shortest valid names pass the same checks.
	steps = append(steps, resource.TestStep{
		Config: env.Config(fmt.Sprintf(`
resource "motherduck_service_account" "short" {
  username            = "abc"
  deletion_protection = false
}
resource "motherduck_service_account" "long" {
  username            = %q
  deletion_protection = false
}
`, "Z"+strings.Repeat("a_9", 84)+"x")),
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, "abc"),
		Steps:                    steps,
	})
	if n := countOps(env, emulator.OpCreateUser) - 2; n != 0 {
		t.Fatalf("%d create calls were made for refused usernames", n)
	}
}

// An existing user is never adopted by a create: the error shows the import
// command, and no create request is sent.
func TestAccServiceAccount_existingAccountIsNotAdopted(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:      accountConfig(env, acctest.ServiceAccount, nil, 0),
			ExpectError: regexp.MustCompile(`(?s)Service Account Already Exists.*"svc_ci".*terraform import.*svc_ci`),
		}},
	})
	if n := env.Server.CountRequests(emulator.OpCreateUser); n != 0 {
		t.Fatalf("a create was sent for an existing account (%d)", n)
	}
}

// A username taken by a person's account is refused without pointing at an
// import that would refuse it too, and no create request is sent.
func TestAccServiceAccount_personsUsernameIsNotOfferedForImport(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.AddHumanUser("alice", false)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:      accountConfig(env, "alice", nil, 0),
			ExpectError: regexp.MustCompile(`(?s)Username Taken by a Person's Account.*"alice"\s+is\s+a\s+person's\s+account.*Choose\s+another\s+username`),
		}},
	})
	if n := env.Server.CountRequests(emulator.OpCreateUser); n != 0 {
		t.Fatalf("a create was sent for a person's username (%d)", n)
	}
}

// A create whose answer is lost after the server carried it out ends with the
// account in state; one that failed without effect ends without it, and the
// next apply creates it.
func TestAccServiceAccount_ambiguousCreate(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy: func(s *terraform.State) error {
			if env.Server.UserExists("svc_dropped") || env.Server.UserExists("svc_failed") {
				return fmt.Errorf("an account is left after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpCreateUser, Username: "svc_dropped", Kind: emulator.FaultDropAfter, Times: 1})
				},
				Config: accountConfig(env, "svc_dropped", ptr(false), 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New("id"), knownvalue.StringExact("svc_dropped")),
				},
			},
			{
				Config:             accountConfig(env, "svc_dropped", ptr(false), 0),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpCreateUser, Username: "svc_failed", Kind: emulator.FaultStatus, Status: 500, Times: 1})
				},
				Config: env.Config(`resource "motherduck_service_account" "b" {
  username            = "svc_failed"
  deletion_protection = false
}`),
				ExpectError: regexp.MustCompile(`(?s)create service account "svc_failed".*500`),
			},
			{
				PreConfig: func() {
					if env.Server.UserExists("svc_failed") {
						t.Fatal("svc_failed exists after a create that failed without effect")
					}
				},
				Config: env.Config(`resource "motherduck_service_account" "b" {
  username            = "svc_failed"
  deletion_protection = false
}`),
				Check: func(*terraform.State) error {
					if !env.Server.IsServiceAccount("svc_failed") {
						return fmt.Errorf("svc_failed was not created by the second apply")
					}
					return nil
				},
			},
		},
	})
}

// An account deleted outside Terraform is removed from state with a warning;
// an unclear answer (a plain-text 404) is an error that keeps it.
func TestAccServiceAccount_drift(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_drift"
	cfg := accountConfig(env, name, ptr(false), 0)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, name),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpList, Username: name, Kind: emulator.FaultStatus, Status: 404, PlainText: true})
				},
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)check that service account "svc_drift" exists.*404`),
			},
			{
				PreConfig: env.Server.ClearFaults,
				Config:    cfg,
				PlanOnly:  true, // still in state: an empty plan
			},
			{
				PreConfig: func() { env.Server.DeleteUser(name) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					if !env.Server.IsServiceAccount(name) {
						return fmt.Errorf("%s was not created again", name)
					}
					return nil
				},
			},
		},
	})
}

// A plan of an account and its tokens lists the user once.
func TestAccServiceAccount_sharesTheTokenList(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_shared"
	cfg := accountConfig(env, name, ptr(false), 4)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, name),
		Steps: []resource.TestStep{
			{Config: cfg},
			{PreConfig: env.Server.ResetRequests, Config: cfg, PlanOnly: true},
			{
				PreConfig: func() {
					if n := env.Server.CountRequests(emulator.OpList); n != 1 {
						t.Errorf("a plan of one account and its 4 tokens made %d list calls, want 1", n)
					}
				},
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
}

// The tokens of an account deleted outside Terraform refresh and destroy
// without error, and nothing is left; so does a destroy during which the
// account disappears (its tokens' and its own deletes then answer NOT_FOUND).
func TestAccServiceAccount_tokensOfADeletedAccount(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const name = "svc_gone"
	cfg := accountConfig(env, name, ptr(false), 3)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, name),
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // deleted outside Terraform: account and tokens leave state with warnings, the plan recreates them
				PreConfig: func() { env.Server.DeleteUser(name) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("motherduck_user_token.t[0]", plancheck.ResourceActionCreate),
				}},
			},
			{ // deleted again, then destroyed: refresh and destroy succeed with nothing left
				PreConfig: func() { env.Server.DeleteUser(name) },
				Config:    cfg,
				Destroy:   true,
			},
			{Config: cfg},
			{ // the account vanishes after the first token's invalidation, in the middle of the destroy
				PreConfig: func() {
					env.Server.ResetRequests()
					var once sync.Once
					env.Server.OnRequest(func(r emulator.Request) {
						if r.Op == emulator.OpRevoke {
							once.Do(func() { env.Server.DeleteUser(name) })
						}
					})
				},
				Config:  cfg,
				Destroy: true,
				Check: func(*terraform.State) error {
					env.Server.OnRequest(nil)
					for _, r := range env.Server.Requests() {
						if r.Op == emulator.OpDeleteUser && r.Status != 404 {
							t.Logf("the account's delete answered %d (the out-of-band delete came late)", r.Status)
						}
					}
					return nil
				},
			},
		},
	})
}

// An import block by username adopts an existing account with an empty plan
// and no write; by identity too (Terraform/OpenTofu 1.12+).
func TestAccServiceAccount_importBlock(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := env.Config(`
import {
  to = motherduck_service_account.a
  id = "svc_reporting"
}
resource "motherduck_service_account" "a" {
  username = "svc_reporting"
}
`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, "svc_reporting"),
		Steps: []resource.TestStep{
			{
				PreConfig: env.Server.ResetRequests,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New("id"), knownvalue.StringExact("svc_reporting")),
					statecheck.ExpectKnownValue(accountAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
				},
			},
			{Config: cfg, PlanOnly: true},
			{
				PreConfig: func() {
					if n := countOps(env, emulator.OpCreateUser, emulator.OpDeleteUser); n != 0 {
						t.Fatalf("importing made %d create or delete calls", n)
					}
				},
				// unprotected, so that the test's destroy can delete it
				Config: env.Config(`
resource "motherduck_service_account" "a" {
  username            = "svc_reporting"
  deletion_protection = false
}
`),
			},
		},
	})
}

func TestAccServiceAccount_importByIdentity(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := func(username string) string {
		return env.Config(fmt.Sprintf(`
import {
  to = motherduck_service_account.a
  identity = {
    username = %q
  }
}
resource "motherduck_service_account" "a" {
  username            = %[1]q
  deletion_protection = false
}
`, username))
	}
	env.Server.AddServiceAccount("svc_by_identity")
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks,
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkAccountGone(env, "svc_by_identity"),
		Steps: []resource.TestStep{
			{
				PreConfig: env.Server.ResetRequests,
				Config:    cfg("svc_by_identity"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// imported protected, and the configuration turns protection off in place
					plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if n := countOps(env, emulator.OpCreateUser, emulator.OpDeleteUser); n != 0 {
						return fmt.Errorf("importing made %d create or delete calls", n)
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(accountAddr, map[string]knownvalue.Check{"username": knownvalue.StringExact("svc_by_identity")}),
					statecheck.ExpectIdentityValueMatchesState(accountAddr, tfjsonpath.New("username")),
				},
			},
			{Config: cfg("svc_by_identity"), PlanOnly: true},
		},
	})
}

func TestAccServiceAccount_importRejectsABadUsername(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(`
import {
  to = motherduck_service_account.a
  id = "not-a-service-account"
}
resource "motherduck_service_account" "a" {
  username = "svc_ci"
}
`),
			ExpectError: regexp.MustCompile(`(?s)Invalid Import ID.*username`),
		}},
	})
}

// TestAccServiceAccount_personIsNeverImportedOrDeleted: a person's account
// (a human user, even the admin itself) is refused by terraform import;
// when the user list cannot tell (no such route), the import goes on with a
// warning that says why; and a destroy of a user the list then shows to be
// a person is refused, with no DELETE sent and the resource kept in state.
func TestAccServiceAccount_personIsNeverImportedOrDeleted(t *testing.T) {
	env := acctest.NewEnv(t)
	env.Server.AddHumanUser("alice", false)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	cli.Write(env.Config(`
resource "motherduck_service_account" "a" {
  username            = "alice"
  deletion_protection = false
}
resource "motherduck_service_account" "admin" {
  username = "admin"
}
`))
	cli.Must("init", "-no-color", "-input=false")
	person := regexp.MustCompile(`(?s)Cannot Import a Person's Account as a Service Account.*"alice"\s+is\s+a\s+person's\s+account`)
	code, out := cli.Run("import", "-no-color", "-input=false", "motherduck_service_account.a", "alice")
	if code == 0 || !person.MatchString(out) || strings.Contains(out, "Import successful") {
		t.Fatalf("import of a human user: exit %d, want a refusal:\n%s", code, out)
	}
	// It suggests only what can work: an admin cannot mint for a person.
	if flat := oneLine(out); !strings.Contains(flat, "Tokens of a person cannot be managed for them: MotherDuck lets an admin "+
		"mint tokens only for its own user and for service accounts. For credentials Terraform manages, create a service account "+
		"with motherduck_service_account and mint its tokens with motherduck_user_token.") ||
		strings.Contains(flat, "to manage tokens of this user") {
		t.Fatalf("import of a human user: the refusal does not point the right way:\n%s", out)
	}
	code, out = cli.Run("import", "-no-color", "-input=false", "motherduck_service_account.admin", emulator.DefaultAdminUsername)
	if code == 0 || !strings.Contains(out, "Cannot Import a Person's Account") {
		t.Fatalf("import of the admin: exit %d, want a refusal:\n%s", code, out)
	}

	// A region without the user list: the import is not verified, and says so.
	env.Server.SetUserListSupport(false)
	code, out = cli.Run("import", "-no-color", "-input=false", "motherduck_service_account.a", "alice")
	if code != 0 || !regexp.MustCompile(`(?s)Could Not Verify That the User Is a Service Account.*no\s+user\s+list`).MatchString(out) {
		t.Fatalf("import without the user list: exit %d, want success with a warning:\n%s", code, out)
	}
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve", "-target=motherduck_service_account.a")

	// The list answers again: the destroy is refused and nothing is deleted.
	env.Server.SetUserListSupport(true)
	env.Server.ResetRequests()
	code, out = cli.Run("destroy", "-no-color", "-input=false", "-auto-approve", "-target=motherduck_service_account.a")
	if code == 0 || !regexp.MustCompile(`(?s)Refusing to Delete a Person's Account.*"alice"`).MatchString(out) {
		t.Fatalf("destroy of a human user: exit %d, want a refusal:\n%s", code, out)
	}
	if n := env.Server.CountRequests(emulator.OpDeleteUser); n != 0 || !env.Server.UserExists("alice") {
		t.Fatalf("destroy of a human user sent %d DELETE calls; alice exists: %t", n, env.Server.UserExists("alice"))
	}
	if st := cli.State("motherduck_service_account.a"); st == nil {
		t.Fatal("the refused destroy removed the resource from state")
	}
	cli.Must("state", "rm", "motherduck_service_account.a")
}

// TestAccServiceAccount_importWithoutUserList: a service account is
// imported whether or not the user list exists.
func TestAccServiceAccount_importWithoutUserList(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetUserListSupport(false)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:            accountConfig(env, acctest.OtherServiceAccount, nil, 0),
			ResourceName:      accountAddr,
			ImportState:       true,
			ImportStateId:     acctest.OtherServiceAccount,
			ImportStateVerify: false,
		}},
	})
}

// TestAccServiceAccount_importMissingAccountSaysWhy: importing an account
// that does not exist fails with the provider's reason, not Terraform's
// "Cannot import non-existent remote object".
func TestAccServiceAccount_importMissingAccountSaysWhy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for _, list := range []bool{true, false} {
		env.Server.SetUserListSupport(list)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{{
				Config:        accountConfig(env, "svc_nobody", nil, 0),
				ResourceName:  accountAddr,
				ImportState:   true,
				ImportStateId: "svc_nobody",
				ExpectError:   regexp.MustCompile(`(?s)Account Not Found.*"svc_nobody"\s+does\s+not\s+exist`),
			}},
		})
	}
}

// TestAccServiceAccount_otherAPIIsNeverTouched: after api_url moves to
// another API that has a user of the same name (another organization's),
// refresh and destroy neither drop the account from state nor delete that
// user; pointed back at the API it was created through, destroy deletes it.
func TestAccServiceAccount_otherAPIIsNeverTouched(t *testing.T) {
	first, other := acctest.NewEnv(t), acctest.NewEnv(t)
	const name = "svc_same"
	other.Server.AddServiceAccount(name)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": first.Factories()["motherduck"]})
	cli.Write(accountConfig(first, name, ptr(false), 0))
	cli.Must("init", "-no-color", "-input=false")
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve")
	if !first.Server.UserExists(name) {
		t.Fatal("the account was not created")
	}

	cli.Write(accountConfig(other, name, ptr(false), 0))
	elsewhere := regexp.MustCompile(`(?s)Service Account Managed Through Another MotherDuck API.*"svc_same"\s+was\s+created\s+or\s+imported\s+through\s+` +
		regexp.QuoteMeta(first.URL))
	for _, args := range [][]string{{"plan"}, {"destroy", "-auto-approve"}} {
		code, out := cli.Run(append(args, "-no-color", "-input=false")...)
		if code == 0 || !elsewhere.MatchString(out) {
			t.Fatalf("%s against the other API: exit %d, want the refusal:\n%s", args[0], code, out)
		}
	}
	if n := other.Server.CountRequests(emulator.OpDeleteUser); n != 0 || !other.Server.UserExists(name) {
		t.Fatalf("the other API's %s was deleted (%d DELETE calls)", name, n)
	}
	if cli.State(accountAddr) == nil || !first.Server.UserExists(name) {
		t.Fatal("the account left state, or its own API lost it")
	}

	cli.Write(accountConfig(first, name, ptr(false), 0))
	cli.Must("destroy", "-no-color", "-input=false", "-auto-approve")
	if first.Server.UserExists(name) || !other.Server.UserExists(name) {
		t.Fatalf("after destroy through its own API: there %t, other API %t; want false, true",
			first.Server.UserExists(name), other.Server.UserExists(name))
	}
}

// importUnverifiedAccount imports svc_reporting while the API has no user list
// (so the import cannot verify it), then turns deletion_protection off.
func importUnverifiedAccount(t *testing.T) (*acctest.Env, *acctest.CLI) {
	t.Helper()
	env := acctest.NewEnv(t)
	env.Server.SetUserListSupport(false)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	cli.Write(accountConfig(env, acctest.OtherServiceAccount, ptr(false), 0))
	cli.Must("init", "-no-color", "-input=false")
	cli.Must("import", "-no-color", "-input=false", accountAddr, acctest.OtherServiceAccount)
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve")
	return env, cli
}

// TestAccServiceAccount_unverifiedImportIsNotDeletedBlind: an account
// imported while the user list could not tell what it is is not deleted
// while that still cannot be told; once the list shows a service account,
// destroy deletes it.
func TestAccServiceAccount_unverifiedImportIsNotDeletedBlind(t *testing.T) {
	env, cli := importUnverifiedAccount(t)

	code, out := cli.Run("destroy", "-no-color", "-input=false", "-auto-approve")
	if code == 0 || !regexp.MustCompile(`(?s)Refusing to Delete an Unverified Account.*no\s+user\s+list`).MatchString(out) {
		t.Fatalf("destroy while the list cannot tell: exit %d, want a refusal:\n%s", code, out)
	}
	if n := env.Server.CountRequests(emulator.OpDeleteUser); n != 0 || !env.Server.UserExists(acctest.OtherServiceAccount) {
		t.Fatalf("%d DELETE calls; the account exists: %t", n, env.Server.UserExists(acctest.OtherServiceAccount))
	}

	env.Server.SetUserListSupport(true)
	cli.Must("destroy", "-no-color", "-input=false", "-auto-approve")
	if env.Server.UserExists(acctest.OtherServiceAccount) {
		t.Fatal("a verified service account was not deleted")
	}
}

// TestAccServiceAccount_unverifiedImportGoneMeanwhile: an account imported
// unverified that the working user list no longer shows, and that no longer
// exists, is destroyed without a refusal (there is nothing to delete).
func TestAccServiceAccount_unverifiedImportGoneMeanwhile(t *testing.T) {
	env, cli := importUnverifiedAccount(t)
	env.Server.SetUserListSupport(true)
	env.Server.DeleteUser(acctest.OtherServiceAccount)
	env.Server.ResetRequests()
	cli.Must("destroy", "-no-color", "-input=false", "-auto-approve", "-refresh=false")
	if n := env.Server.CountRequests(emulator.OpDeleteUser); n != 0 {
		t.Fatalf("%d DELETE calls for a user that was gone", n)
	}
	if cli.State(accountAddr) != nil {
		t.Fatal("the destroyed account is still in state")
	}
}
