package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

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
