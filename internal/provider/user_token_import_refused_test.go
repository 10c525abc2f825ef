package provider_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// TestAccUserToken_importMissingTokenSaysWhy: importing a token that is not
// a valid token of the user fails during the import with the provider's
// reason, not Terraform's "Cannot import non-existent remote object".
func TestAccUserToken_importMissingTokenSaysWhy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	revoked := env.Server.MintToken(acctest.ServiceAccount, "revoked", 0, "")
	env.Server.RevokeToken(acctest.ServiceAccount, revoked.ID)
	expired := env.Server.MintToken(acctest.ServiceAccount, "expired", 5*time.Minute, "")
	env.Server.Advance(10 * time.Minute)
	other := env.Server.MintToken(acctest.OtherServiceAccount, "theirs", 0, "")

	notValid := regexp.MustCompile(`(?s)Cannot Import Token: Not a Valid Token of This User.*` +
		`invalidated,\s+has\s+expired,\s+belongs\s+to\s+another\s+user,\s+or\s+never\s+existed`)
	for _, tc := range []struct {
		name, id string
		want     *regexp.Regexp
	}{
		{"revoked", "svc_ci/" + revoked.ID, notValid},
		{"expired", "svc_ci/" + expired.ID, notValid},
		{"another user's", "svc_ci/" + other.ID, notValid},
		{"never existed", "svc_ci/00000000-0000-4000-8000-000000000000", notValid},
		{"unknown user", "svc_nobody/" + other.ID, regexp.MustCompile(`(?s)Cannot Import Token: User Not Found.*"svc_nobody"\s+does\s+not\s+exist.*Cause: list tokens: HTTP 404`)},
	} {
		t.Run(tc.name, func(t *testing.T) { importFails(t, env, tc.id, tc.want) })
	}
}

func TestAccUserToken_importMalformedID(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for _, id := range []string{"no-slash", "/abc", "svc_ci/", "svc_ci/a/b", "bad user/abc", "svc_ci/not a uuid"} {
		importFails(t, env, id, regexp.MustCompile(`<username>/<token_id>`))
	}
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("a malformed import ID must be refused before any request; the emulator saw %d", n)
	}
}

// importFails imports tokenAddr with id and expects the import to fail with
// want.
func importFails(t *testing.T, env *acctest.Env, id string, want *regexp.Regexp) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:        tokenConfig(env, "username = \"svc_ci\"\nname = \"x\""),
			ResourceName:  tokenAddr,
			ImportState:   true,
			ImportStateId: id,
			ExpectError:   want,
		}},
	})
}
