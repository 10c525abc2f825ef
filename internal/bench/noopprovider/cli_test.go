package noopprovider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The floor's resource works through the Terraform CLI with the real
// resource's schema: its validators refuse what the real resource refuses,
// create fills the computed attributes, a rotate_before change updates in
// place and a name change replaces.
func TestNoopUserToken_lifecycle(t *testing.T) {
	const addr = "mdnoop_user_token.t"
	config := func(name, rotateBefore string) string {
		return `provider "mdnoop" {}
resource "mdnoop_user_token" "t" {
  username      = "svc_ci"
  name          = "` + name + `"
  ttl           = 86400
  token_type    = "read_scaling"
  rotate_before = "` + rotateBefore + `"
}
`
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			TypeName: providerserver.NewProtocol6WithError(New("test")()),
		},
		Steps: []resource.TestStep{
			{
				Config:      config("MotherDuck Extension", "1h"),
				ExpectError: regexp.MustCompile(`Invalid Token Name`),
			},
			{
				Config: config("ci", "1h"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^md_[0-9a-f]{40}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_only"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("expire_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_ts"), knownvalue.NotNull()),
				},
			},
			{
				Config: config("ci", "2h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotate_before"), knownvalue.StringExact("2h")),
				},
			},
			{
				Config: config("ci2", "2h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}
