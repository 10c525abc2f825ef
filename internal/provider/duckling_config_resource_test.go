package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const ducklingAddr = "motherduck_duckling_config.d"

// ducklingOriginal is what svc_ci holds before Terraform takes it over in
// these tests: not the emulator's defaults, so that a restore is visible.
var ducklingOriginal = emulator.DucklingConfig{ReadWriteSize: "jumbo", ReadWriteCooldown: 900, ReadScalingSize: "pulse", FlockSize: 3}

// ducklingConfig is a resource for svc_ci; body holds its halves and more.
func ducklingConfig(env *acctest.Env, body string) string {
	return env.Config(fmt.Sprintf("resource \"motherduck_duckling_config\" \"d\" {\n  username = %q\n%s}\n", acctest.ServiceAccount, body))
}

const ducklingStandard = `
  read_write = {
    instance_size    = "standard"
    cooldown_seconds = 300
  }
  read_scaling = {
    instance_size = "mega"
    flock_size    = 4
  }
`

// checkDucklings asserts what the emulator holds for svc_ci.
func checkDucklings(env *acctest.Env, want emulator.DucklingConfig) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := env.Server.DucklingConfig(acctest.ServiceAccount)
		if !ok || got != want {
			return fmt.Errorf("the emulator holds %+v, want %+v", got, want)
		}
		return nil
	}
}

// checkPuts asserts how many writes the emulator saw since its request log
// was last reset.
func checkPuts(env *acctest.Env, want int, when string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := env.Server.CountRequests(emulator.OpPutInstances); n != want {
			return fmt.Errorf("%s made %d writes of the Duckling configuration, want %d", when, n, want)
		}
		return nil
	}
}

func withDucklingOriginal(t *testing.T) *acctest.Env {
	t.Helper()
	env := acctest.NewEnv(t)
	env.Server.SetDucklingConfig(acctest.ServiceAccount, ducklingOriginal)
	return env
}

// Create writes the configuration and reads back what the service stores (a
// cooldown left out lands as the default and is no diff); a second plan is
// empty; a change made in the web UI shows in the plan and is put right;
// import by username matches; destroy puts back, in one write, what
// svc_ci held before Terraform.
func TestAccDucklingConfig_lifecycle(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	standard := emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 300, ReadScalingSize: "mega", FlockSize: 4, ReadScalingCooldown: 60}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkDucklings(env, ducklingOriginal), checkPuts(env, 1, "destroy with on_destroy = \"restore\"")),
		Steps: []resource.TestStep{
			{
				PreConfig: env.Server.ResetRequests,
				Config:    ducklingConfig(env, ducklingStandard),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_write"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"instance_size": knownvalue.StringExact("standard"), "cooldown_seconds": knownvalue.Int64Exact(300),
					})),
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_scaling"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"instance_size": knownvalue.StringExact("mega"), "flock_size": knownvalue.Int64Exact(4),
						"cooldown_seconds": knownvalue.Int64Exact(60), // the service's default, read back
					})),
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("on_destroy"), knownvalue.StringExact("restore")),
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("id"), knownvalue.StringExact(acctest.ServiceAccount)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(checkDucklings(env, standard), checkPuts(env, 1, "create")),
			},
			{ // nothing changed: an empty plan, no write
				PreConfig:        env.Server.ResetRequests,
				Config:           ducklingConfig(env, ducklingStandard),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkPuts(env, 0, "an empty plan"),
			},
			{ // changed in the web UI: the plan shows it and apply puts it right
				PreConfig: func() {
					changed := standard
					changed.ReadWriteCooldown, changed.FlockSize = 1200, 9
					env.Server.SetDucklingConfig(acctest.ServiceAccount, changed)
				},
				Config: ducklingConfig(env, ducklingStandard),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ducklingAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_write").AtMapKey("cooldown_seconds"), knownvalue.Int64Exact(300)),
					plancheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_scaling").AtMapKey("flock_size"), knownvalue.Int64Exact(4)),
				}},
				Check: checkDucklings(env, standard),
			},
			{ // import by username: the same state
				ResourceName:                         ducklingAddr,
				ImportState:                          true,
				ImportStateId:                        acctest.ServiceAccount,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "username",
			},
			{ // the last step resets the log, so CheckDestroy counts destroy's writes
				Config: ducklingConfig(env, ducklingStandard),
				Check: func(*terraform.State) error {
					env.Server.ResetRequests()
					return nil
				},
			},
		},
	})
}

// A cooldown left out keeps the value in state (here set in the web UI)
// while the size stays, and is sent again with other changes; a new size
// plans it unknown, and the new size's default lands. A pulse half holds none.
func TestAccDucklingConfig_omittedCooldown(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	cfg := func(size string, flock int) string {
		return ducklingConfig(env, fmt.Sprintf(`
  read_write = {
    instance_size = %q
  }
  read_scaling = {
    instance_size = "pulse"
    flock_size    = %d
  }
`, size, flock))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg("standard", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_write").AtMapKey("cooldown_seconds"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_scaling").AtMapKey("cooldown_seconds"), knownvalue.Null()),
				},
			},
			{ // set in the web UI while Terraform leaves it out: no diff
				PreConfig: func() {
					env.Server.SetDucklingConfig(acctest.ServiceAccount, emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 777, ReadScalingSize: "pulse", FlockSize: 1})
				},
				Config:           cfg("standard", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // another change keeps it, and sends it so that the write keeps it
				Config: cfg("standard", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_write").AtMapKey("cooldown_seconds"), knownvalue.Int64Exact(777)),
				}},
				Check: checkDucklings(env, emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 777, ReadScalingSize: "pulse", FlockSize: 2}),
			},
			{ // a new size: unknown in the plan, the default after apply
				Config: cfg("giga", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(ducklingAddr, tfjsonpath.New("read_write").AtMapKey("cooldown_seconds")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_write").AtMapKey("cooldown_seconds"), knownvalue.Int64Exact(60)),
				},
			},
			{ // to pulse: the cooldown goes
				Config: cfg("pulse", 2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ducklingAddr, tfjsonpath.New("read_write").AtMapKey("cooldown_seconds"), knownvalue.Null()),
				},
				Check: checkDucklings(env, emulator.DucklingConfig{ReadWriteSize: "pulse", ReadScalingSize: "pulse", FlockSize: 2}),
			},
			{Config: cfg("pulse", 2), PlanOnly: true},
		},
	})
}

// on_destroy = "keep" writes nothing on destroy; changing on_destroy alone
// makes no API write.
func TestAccDucklingConfig_keepOnDestroy(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	standard := emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 300, ReadScalingSize: "mega", FlockSize: 4, ReadScalingCooldown: 60}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(checkDucklings(env, standard), checkPuts(env, 0, "destroy with on_destroy = \"keep\"")),
		Steps: []resource.TestStep{
			{Config: ducklingConfig(env, ducklingStandard)},
			{
				PreConfig: env.Server.ResetRequests,
				Config:    ducklingConfig(env, ducklingStandard+`  on_destroy = "keep"`+"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ducklingAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(checkPuts(env, 0, "changing on_destroy"), func(*terraform.State) error {
					env.Server.ResetRequests()
					return nil
				}),
			},
		},
	})
}

// A user deleted outside Terraform is dropped from state with a warning
// (through the CLI, to see the warning); the next apply, once the user is
// back, configures it again; and destroy of a user already gone (not
// refreshed first) is no error.
func TestAccDucklingConfig_userDeletedOutside(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	cli.Write(ducklingConfig(env, ducklingStandard))
	cli.Must("init", "-no-color")
	cli.Must("apply", "-auto-approve", "-no-color")

	env.Server.DeleteUser(acctest.ServiceAccount)
	out := cli.Must("apply", "-refresh-only", "-auto-approve", "-no-color")
	if !regexp.MustCompile(`(?s)Warning: MotherDuck User No Longer Exists.*"svc_ci" no longer exists`).MatchString(out) {
		t.Fatalf("no warning that the user is gone:\n%s", out)
	}
	if cli.State(ducklingAddr) != nil {
		t.Fatal("the resource is still in state after its user was deleted")
	}

	env.Server.AddServiceAccount(acctest.ServiceAccount)
	cli.Must("apply", "-auto-approve", "-no-color")
	if got, _ := env.Server.DucklingConfig(acctest.ServiceAccount); got.ReadWriteSize != "standard" {
		t.Fatalf("the recreated user was not configured: %+v", got)
	}

	env.Server.DeleteUser(acctest.ServiceAccount)
	env.Server.ResetRequests()
	cli.Must("destroy", "-refresh=false", "-auto-approve", "-no-color")
	if n := env.Server.CountRequests(emulator.OpPutInstances); n != 1 {
		t.Fatalf("destroy sent %d writes, want the one restore (answered 404)", n)
	}
	if cli.State(ducklingAddr) != nil {
		t.Fatal("the resource is still in state after destroy")
	}
}

// A 429 and a 503 on the write are retried, and the configuration lands.
func TestAccDucklingConfig_writeRetried(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpPutInstances, Kind: emulator.FaultStatus, Status: 429, RetryAfter: "0", Times: 1})
	env.Server.InjectFault(emulator.Fault{Op: emulator.OpPutInstances, Kind: emulator.FaultStatus, Status: 503, Times: 1})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: env.Server.ResetRequests,
			Config:    ducklingConfig(env, ducklingStandard),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkPuts(env, 3, "create through a 429 and a 503"),
				checkDucklings(env, emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 300, ReadScalingSize: "mega", FlockSize: 4, ReadScalingCooldown: 60}),
			),
		}},
	})
}

// A create whose write landed but whose answer never came (every attempt
// dropped after the service stored it) reads the configuration again, finds
// it written, and succeeds with a warning; destroy still restores the
// original. A write that did not land (every attempt answered 503) fails
// with nothing in state.
func TestAccDucklingConfig_createWithoutAnswer(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	standard := emulator.DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: 300, ReadScalingSize: "mega", FlockSize: 4, ReadScalingCooldown: 60}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDucklings(env, ducklingOriginal),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpPutInstances, Kind: emulator.FaultStatus, Status: 503, Times: 5})
				},
				Config:      ducklingConfig(env, ducklingStandard),
				ExpectError: regexp.MustCompile(`(?s)MotherDuck API Error.*503`),
				Check:       checkDucklings(env, ducklingOriginal),
			},
			{
				PreConfig: func() {
					env.Server.InjectFault(emulator.Fault{Op: emulator.OpPutInstances, Kind: emulator.FaultDropAfter, Times: 5})
				},
				Config: ducklingConfig(env, ducklingStandard),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ducklingAddr, plancheck.ResourceActionCreate),
				}},
				Check: checkDucklings(env, standard),
			},
		},
	})
}

// Changing the username puts back the first user's configuration and
// configures the second, recording what the second held.
func TestAccDucklingConfig_newUsernameRestoresTheOld(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	other, _ := env.Server.DucklingConfig(acctest.OtherServiceAccount)
	cfg := func(username string) string {
		return env.Config(fmt.Sprintf("resource \"motherduck_duckling_config\" \"d\" {\n  username = %q\n%s}\n", username, ducklingStandard))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy: func(*terraform.State) error {
			if got, _ := env.Server.DucklingConfig(acctest.OtherServiceAccount); got != other {
				return fmt.Errorf("%s holds %+v after destroy, want %+v", acctest.OtherServiceAccount, got, other)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: cfg(acctest.ServiceAccount)},
			{
				Config: cfg(acctest.OtherServiceAccount),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ducklingAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkDucklings(env, ducklingOriginal),
			},
		},
	})
}

// A configuration taken over through one API is neither read, written nor
// restored through another (a user of the same name there may be another
// organization's); pointed back, destroy restores it there.
func TestAccDucklingConfig_pinnedToItsAPI(t *testing.T) {
	t.Parallel()
	env := withDucklingOriginal(t)
	elsewhere := withDucklingOriginal(t)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	cli.Write(ducklingConfig(env, ducklingStandard))
	cli.Must("init", "-no-color")
	cli.Must("apply", "-auto-approve", "-no-color")

	cli.Write(ducklingConfig(elsewhere, ducklingStandard))
	code, out := cli.Run("apply", "-auto-approve", "-no-color")
	if code == 0 || !regexp.MustCompile(`Managed Through Another MotherDuck API`).MatchString(out) {
		t.Fatalf("want the apply against another API refused, got exit %d:\n%s", code, out)
	}
	code, out = cli.Run("destroy", "-auto-approve", "-refresh=false", "-no-color")
	if code == 0 || !regexp.MustCompile(`Managed Through Another MotherDuck API`).MatchString(out) {
		t.Fatalf("want the destroy against another API refused, got exit %d:\n%s", code, out)
	}
	if n := elsewhere.Server.CountRequests(emulator.OpPutInstances); n != 0 {
		t.Fatalf("the other API saw %d writes", n)
	}

	cli.Write(ducklingConfig(env, ducklingStandard))
	cli.Must("destroy", "-auto-approve", "-no-color")
	if got, _ := env.Server.DucklingConfig(acctest.ServiceAccount); got != ducklingOriginal {
		t.Fatalf("destroy did not restore the original: %+v", got)
	}
}
