package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccProvider_apiURLPasswordNeverShown: an api_url holding user
// information, in the argument or in MOTHERDUCK_API_URL, is refused at plan
// with the URL shown without it: the password appears in no error, no
// configuration excerpt, and neither the CLI's nor the provider's TRACE log.
func TestAccProvider_apiURLPasswordNeverShown(t *testing.T) {
	const password = "hunter2pw"
	tmp := t.TempDir()
	providerLog := filepath.Join(tmp, "provider.log")
	t.Setenv("TF_ACC_LOG_PATH", "")
	t.Setenv("TF_LOG_PATH_MASK", "")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", providerLog)
	t.Setenv("MOTHERDUCK_ADMIN_TOKEN", "")
	t.Setenv("motherduck_token", "")
	t.Setenv("MOTHERDUCK_API_URL", "")
	env := acctest.NewEnv(t)
	t.Setenv("MOTHERDUCK_TOKEN", env.Server.AdminToken())
	r := &cliRun{t: t, env: env, dir: filepath.Join(tmp, "work"), cliLog: filepath.Join(tmp, "cli.log")}
	if err := os.Mkdir(r.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	const body = `
resource "motherduck_user_token" "t" {
  username = "svc_ci"
  name     = "x"
}
`
	for _, tc := range []struct {
		name, apiURL, envURL, want string
	}{
		{"argument", "https://user:" + password + "@api.example.com", "",
			`The api_url "https://api.example.com" (shown without its user information) is not usable: it must not hold user information`},
		{"argument that does not parse", "https://user:" + password + "%zz@api.example.com", "",
			`The api_url "https://api.example.com" (shown without its user information) is not usable`},
		{"environment variable", "", "https://user:" + password + "@api.example.com",
			`The MOTHERDUCK_API_URL environment variable, "https://api.example.com" (shown without its user information), is not a usable API URL: it must not hold user information`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			t.Setenv("MOTHERDUCK_API_URL", tc.envURL)
			provider := "provider \"motherduck\" {}\n"
			if tc.apiURL != "" {
				provider = fmt.Sprintf("provider \"motherduck\" {\n  api_url = %q\n}\n", tc.apiURL)
			}
			r.writeConfig(provider + body)
			out, err := r.run("plan", "-no-color", "-input=false")
			if err == nil {
				t.Fatalf("the plan succeeded:\n%s", out)
			}
			if !strings.Contains(oneLine(out), tc.want) {
				t.Errorf("the error does not say %q:\n%s", tc.want, out)
			}
			for where, text := range map[string]string{"CLI output": out, "CLI log": readFile(t, r.cliLog), "provider log": readFile(t, providerLog)} {
				if i := strings.Index(text, password); i >= 0 {
					t.Errorf("the password is in the %s: ...%s...", where, excerpt(text, i, password))
				}
			}
		})
	}
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("a bad api_url must be refused before any request; saw %d", n)
	}
}
