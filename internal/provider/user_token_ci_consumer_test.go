package provider_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccUserToken_pipelineTakesTokenAfterFailedApply: the rule the docs give
// a pipeline with keep_previous (take `token` with `terraform output -raw`
// after every apply that changed it, even one that failed later) holds: an
// apply that rotates the token and then fails on another resource leaves the
// new token in the output, valid, with the token the consumer held still
// valid as previous_token. Secrets are compared, never printed.
func TestAccUserToken_pipelineTakesTokenAfterFailedApply(t *testing.T) {
	// An empty CLI configuration: its absence is a warning on stderr, which
	// the runner mixes into the output read here.
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", rc)
	env := acctest.NewEnv(t)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	cli.Write(env.Config(`
variable "release" {}
variable "deploy_fails" {
  default = false
}

resource "motherduck_user_token" "t" {
  username      = "svc_ci"
  name          = "pipeline"
  keep_previous = true
  keepers       = { release = var.release }
}

# Stands in for a later step of the same apply that fails after the token
# rotated: its postcondition is known only once it is created.
resource "terraform_data" "deploy" {
  triggers_replace = [motherduck_user_token.t.id]
  lifecycle {
    postcondition {
      condition     = !var.deploy_fails || self.id == ""
      error_message = "The deployment failed."
    }
  }
}

output "token" {
  value     = motherduck_user_token.t.token
  sensitive = true
}
`))
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve", "-var=release=1")
	held := cli.Must("output", "-raw", "token")
	if !env.Server.Authorizes(held) {
		t.Fatal("terraform output -raw token does not give a valid token after the first apply")
	}

	code, out := cli.Run("apply", "-no-color", "-input=false", "-auto-approve", "-var=release=2", "-var=deploy_fails=true")
	if code == 0 || !strings.Contains(out, "The deployment failed.") {
		t.Fatalf("the apply was meant to fail on the deployment:\n%s", out)
	}
	taken := cli.Must("output", "-raw", "token")
	switch {
	case taken == held:
		t.Fatal("after the failed apply the output still gives the old token: the rotation is not visible to the pipeline")
	case !env.Server.Authorizes(taken):
		t.Fatal("after the failed apply the output gives a token that is not valid")
	case !env.Server.Authorizes(held):
		t.Fatal("the token the consumer held was invalidated by the rotation: keep_previous must keep it")
	}
	if st := cli.State("motherduck_user_token.t"); st["token"] != taken || st["previous_token"] != held {
		t.Fatal("state does not hold the new token as token and the held one as previous_token")
	}

	// A consumer that skipped that output would be refused at the next
	// rotation: the token it holds is then invalidated.
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve", "-var=release=3")
	if env.Server.Authorizes(held) || !env.Server.Authorizes(taken) {
		t.Fatal("the next rotation must invalidate the token held before the failed apply and keep the one taken after it")
	}
	cli.Must("destroy", "-no-color", "-input=false", "-auto-approve", "-var=release=3")
}
