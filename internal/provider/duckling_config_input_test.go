package provider_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// halves writes read_write and read_scaling; each argument is the inside
// of its object.
func halves(rw, rs string) string {
	return fmt.Sprintf("  read_write = {\n    %s\n  }\n  read_scaling = {\n    %s\n  }\n", rw, rs)
}

const (
	okRW = `instance_size = "standard"`
	okRS = `instance_size = "pulse"
    flock_size = 1`
)

// Every bad Duckling configuration fails during plan, naming its attribute
// and what is wrong, before any API request.
func TestAccDucklingConfig_badInputFailsAtPlanWithoutRequests(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for _, in := range []struct{ name, body, want string }{
		{"unknown size", halves(`instance_size = "huge"`, okRS), `read_write\.instance_size[\s\S]*pulse`},
		{"size in upper case", halves(okRW, `instance_size = "Pulse"
    flock_size = 1`), `read_scaling\.instance_size`},
		{"flock_size 65", halves(okRW, `instance_size = "pulse"
    flock_size = 65`), `flock_size[\s\S]*between 0 and 64`},
		{"flock_size negative", halves(okRW, `instance_size = "pulse"
    flock_size = -1`), `flock_size[\s\S]*between 0 and 64`},
		{"flock_size not whole", halves(okRW, `instance_size = "pulse"
    flock_size = 1.5`), `Invalid Duckling Setting[\s\S]*flock_size must be a whole number between 0 and 64, got 1.5`},
		{"flock_size missing", halves(okRW, `instance_size = "pulse"`), `flock_size`},
		{"cooldown 59", halves(okRW+"\n    cooldown_seconds = 59", okRS), `cooldown_seconds[\s\S]*between 60 and 86400`},
		{"cooldown not whole", halves(okRW+"\n    cooldown_seconds = 60.5", okRS), `read_write.cooldown_seconds must be a whole number[\s\S]*60.5`},
		{"cooldown 86401", halves(okRW, `instance_size = "standard"
    flock_size = 1
    cooldown_seconds = 86401`), `cooldown_seconds[\s\S]*between 60 and 86400`},
		{"cooldown with pulse (read/write)", halves(`instance_size = "pulse"
    cooldown_seconds = 60`, okRS), `Cooldown Not Allowed With Pulse[\s\S]*read_write\.instance_size is "pulse"[\s\S]*cooldown_seconds cannot be set\s+for\s+Pulse[\s\S]*another size: one of\s+.standard`},
		{"cooldown with pulse (read scaling)", halves(okRW, okRS+"\n    cooldown_seconds = 600"), `read_scaling\.instance_size is "pulse"[\s\S]*cooldown_seconds cannot be set\s+for\s+Pulse`},
		{"read_scaling missing", "  read_write = {\n    " + okRW + "\n  }\n", `read_scaling`},
		{"read_write missing", "  read_scaling = {\n    " + okRS + "\n  }\n", `read_write`},
		{"on_destroy unknown", halves(okRW, okRS) + `  on_destroy = "reset"` + "\n", `on_destroy[\s\S]*restore`},
	} {
		t.Run(in.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				Steps: []resource.TestStep{{
					Config: ducklingConfig(env, in.body), PlanOnly: true, ExpectError: regexp.MustCompile(in.want),
				}},
			})
		})
	}
	for _, bad := range []string{`username = "a/b"`, `username = ""`} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{{
				Config:   env.Config("resource \"motherduck_duckling_config\" \"d\" {\n" + bad + "\n" + halves(okRW, okRS) + "}\n"),
				PlanOnly: true, ExpectError: regexp.MustCompile(`username`),
			}, {
				Config:   env.Config("data \"motherduck_duckling_config\" \"d\" {\n" + bad + "\n}\n"),
				PlanOnly: true, ExpectError: regexp.MustCompile(`username`),
			}},
		})
	}
	if reqs := env.Server.Requests(); len(reqs) != 0 {
		t.Fatalf("bad input must be refused before any API request; the emulator saw %d, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}

// Import by identity (Terraform 1.12+) takes the configuration over, and
// records what it holds then: destroy puts that back.
func TestAccDucklingConfig_importByIdentity(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	cfg := env.Config(fmt.Sprintf(`
import {
  to = motherduck_duckling_config.d
  identity = {
    username = %q
  }
}
resource "motherduck_duckling_config" "d" {
  username = %[1]q
%s}
`, acctest.ServiceAccount, ducklingStandard))
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersionChecks,
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(checkDucklings(env, ducklingOriginal), checkPuts(env, 1, "destroy after import")),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ducklingAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(ducklingAddr, map[string]knownvalue.Check{"username": knownvalue.StringExact(acctest.ServiceAccount)}),
					statecheck.ExpectIdentityValueMatchesState(ducklingAddr, tfjsonpath.New("username")),
				},
			},
			{ // nothing left to change; the log is reset so that CheckDestroy counts destroy's writes
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            func(*terraform.State) error { env.Server.ResetRequests(); return nil },
			},
		},
	})
}

// Import by username records what the user holds then, and destroy puts
// it back; importing a user that does not exist fails and says so.
func TestAccDucklingConfig_importRestores(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(checkDucklings(env, ducklingOriginal), checkPuts(env, 1, "destroy after import")),
		Steps: []resource.TestStep{
			{
				Config: env.Config(fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", ducklingAddr, acctest.ServiceAccount)) +
					fmt.Sprintf("resource \"motherduck_duckling_config\" \"d\" {\n  username = %q\n%s}\n", acctest.ServiceAccount, ducklingStandard),
				Check: func(*terraform.State) error {
					if got, _ := env.Server.DucklingConfig(acctest.ServiceAccount); got.ReadWriteSize != "standard" {
						return fmt.Errorf("apply after import did not write the configuration: %+v", got)
					}
					env.Server.ResetRequests()
					return nil
				},
			},
		},
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config("import {\n  to = motherduck_duckling_config.d\n  id = \"svc_nobody\"\n}\n" +
				"resource \"motherduck_duckling_config\" \"d\" {\n  username = \"svc_nobody\"\n" + ducklingStandard + "}\n"),
			ExpectError: regexp.MustCompile(`User Not Found[\s\S]*svc_nobody`),
		}},
	})
}

// The data source reads what the user holds, including a change made in
// the web UI, and a user that does not exist is an error.
func TestAccDucklingConfigDataSource(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	const addr = "data.motherduck_duckling_config.d"
	cfg := env.Config(fmt.Sprintf("data \"motherduck_duckling_config\" \"d\" {\n  username = %q\n}\n", acctest.ServiceAccount))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_write"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"instance_size": knownvalue.StringExact("jumbo"), "cooldown_seconds": knownvalue.Int64Exact(900),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_scaling"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"instance_size": knownvalue.StringExact("pulse"), "flock_size": knownvalue.Int64Exact(3), "cooldown_seconds": knownvalue.Null(),
					})),
				},
			},
			{
				PreConfig: func() {
					env.Server.SetDucklingConfig(acctest.ServiceAccount, emulator.DucklingConfig{ReadWriteSize: "giga", ReadWriteCooldown: 60, ReadScalingSize: "giga", FlockSize: 64, ReadScalingCooldown: 86400})
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_scaling").AtMapKey("flock_size"), knownvalue.Int64Exact(64)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_scaling").AtMapKey("cooldown_seconds"), knownvalue.Int64Exact(86400)),
				},
			},
			{
				Config:      env.Config("data \"motherduck_duckling_config\" \"d\" {\n  username = \"svc_nobody\"\n}\n"),
				ExpectError: regexp.MustCompile(`User Not Found[\s\S]*svc_nobody`),
			},
		},
	})
}

// Import by identity at the protocol level, for CLIs below 1.12 (where
// TestAccDucklingConfig_importByIdentity is skipped): the identity's
// username is read, the configuration found is put in state and recorded
// in private state for destroy, and the identity is answered back.
func TestDucklingConfig_importByIdentityProtocol(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	ctx := t.Context()
	server, err := env.Factories()["motherduck"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("schema: %v %v", err, schemas.Diagnostics)
	}
	providerType := schemas.Provider.ValueType().(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, typ := range providerType.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	attrs["token"] = tftypes.NewValue(tftypes.String, env.Server.AdminToken())
	attrs["api_url"] = tftypes.NewValue(tftypes.String, env.URL)
	config, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, attrs))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.12.0", Config: &config}); err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	identityType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"username": tftypes.String}}
	identity, err := tfprotov6.NewDynamicValue(identityType, tftypes.NewValue(identityType, map[string]tftypes.Value{
		"username": tftypes.NewValue(tftypes.String, acctest.ServiceAccount),
	}))
	if err != nil {
		t.Fatal(err)
	}
	env.Server.ResetRequests()
	resp, err := server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "motherduck_duckling_config", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &identity},
	})
	if err != nil || len(resp.Diagnostics) > 0 || len(resp.ImportedResources) != 1 {
		t.Fatalf("import: %v %v", err, resp.Diagnostics)
	}
	imported := resp.ImportedResources[0]
	stateType := schemas.ResourceSchemas["motherduck_duckling_config"].ValueType()
	state, err := imported.State.Unmarshal(stateType)
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]tftypes.Value
	if err := state.As(&values); err != nil {
		t.Fatal(err)
	}
	var username, onDestroy string
	_ = values["username"].As(&username)
	_ = values["on_destroy"].As(&onDestroy)
	var rw map[string]tftypes.Value
	_ = values["read_write"].As(&rw)
	var size string
	_ = rw["instance_size"].As(&size)
	if username != acctest.ServiceAccount || onDestroy != "restore" || size != ducklingOriginal.ReadWriteSize {
		t.Fatalf("imported username=%q on_destroy=%q read_write.instance_size=%q", username, onDestroy, size)
	}
	var private map[string][]byte // the framework's form: values base64 in JSON
	if err := json.Unmarshal(imported.Private, &private); err != nil || !strings.Contains(string(private["duckling_original"]), `"read_write":{"instance_size":"jumbo","cooldown_seconds":900}`) {
		t.Fatal("the configuration found at import is not recorded in private state")
	}
	if imported.Identity == nil || imported.Identity.IdentityData == nil {
		t.Fatal("no identity answered")
	}
	if n := env.Server.CountRequests(emulator.OpInstances); n != 1 || len(env.Server.Requests()) != 1 {
		t.Fatalf("import made %d requests, want one read", len(env.Server.Requests()))
	}
}
