package provider_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// TestLive_userToken mints, imports and invalidates a real token. It runs only
// against the real API, with MOTHERDUCK_TOKEN (an Admin's read/write token)
// and MOTHERDUCK_TEST_USERNAME (a service account to mint for) set.
func TestLive_userToken(t *testing.T) {
	username := os.Getenv("MOTHERDUCK_TEST_USERNAME")
	if os.Getenv("MOTHERDUCK_TOKEN") == "" || username == "" {
		t.Skip("live test: set MOTHERDUCK_TOKEN and MOTHERDUCK_TEST_USERNAME to run it against the real MotherDuck API")
	}
	acctest.RequireCLI(t)
	cfg := fmt.Sprintf(`
resource "motherduck_user_token" "t" {
  username = %q
  name     = "terraform-provider-motherduck live test"
  ttl      = 600
}

data "motherduck_user_tokens" "all" {
  username   = %q
  depends_on = [motherduck_user_token.t]
}
`, username, username)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"motherduck": providerserver.NewProtocol6WithError(provider.New("live-test")()),
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrSet(tokenAddr, "token"),
					resource.TestCheckResourceAttrSet(tokenAddr, "expire_at"),
					resource.TestCheckTypeSetElemNestedAttrs("data.motherduck_user_tokens.all", "tokens.*",
						map[string]string{"name": "terraform-provider-motherduck live test"}),
				),
			},
			{
				ResourceName:            tokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdPrefix:     username + "/",
			},
		},
	})
}
