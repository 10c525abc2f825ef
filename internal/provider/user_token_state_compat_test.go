package provider_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
)

// stateFixture is a state file written by the provider before created_ts and
// expire_at became timetypes.RFC3339 and rotate_before and request_timeout
// timetypes.GoDuration: Terraform 1.5.7, the oldest CLI of the matrix, applied
// compatConfig against the emulator, its clock at compatClock. The ids and
// secrets the emulator drew at random are placeholders, filled in with the
// tokens this test mints; so is the provider's address, which OpenTofu
// spells differently.
const stateFixture = "testdata/user_token_state_before_timetypes.json" // a state file; *.tfstate is git-ignored

var compatClock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func compatConfig(env *acctest.Env) string {
	return fmt.Sprintf(`provider "motherduck" {
  token           = %q
  api_url         = %q
  request_timeout = "45s"
}

resource "motherduck_user_token" "expiring" {
  username      = "svc_ci"
  name          = "compat-expiring"
  ttl           = 86400
  description   = "written before timetypes"
  rotate_before = "2h"
  keepers       = { release = "1" }

  timeouts {
    create = "2m"
  }
}

resource "motherduck_user_token" "forever" {
  username   = "svc_reporting"
  name       = "compat-forever"
  token_type = "read_scaling"
}
`, env.Server.AdminToken(), env.URL)
}

// mintForCompat mints a token through the API, as the provider did when
// it wrote the fixture, and returns its id and secret.
func mintForCompat(t *testing.T, env *acctest.Env, username string, body map[string]any) (id, secret string) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/v1/users/"+username+"/tokens", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env.Server.AdminToken())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct{ ID, Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.ID == "" {
		t.Fatalf("mint for %s: status %d, %v", username, resp.StatusCode, err)
	}
	return out.ID, out.Token
}

// instanceAttributes returns each resource's attributes in a state file.
func instanceAttributes(t *testing.T, raw []byte) map[string]map[string]any {
	t.Helper()
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				SchemaVersion int            `json:"schema_version"`
				Attributes    map[string]any `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			if in.SchemaVersion != 0 {
				t.Errorf("%s.%s: schema_version %d, want 0 (no state migration)", r.Type, r.Name, in.SchemaVersion)
			}
			got[r.Type+"."+r.Name] = in.Attributes
		}
	}
	return got
}

// TestAccUserToken_stateFromEarlierVersionPlansEmpty loads state written by
// the provider before it used the framework's time types, plans against it
// (empty plan), refreshes it, and finds every attribute written exactly as
// before: the state format did not change and needs no migration.
func TestAccUserToken_stateFromEarlierVersionPlansEmpty(t *testing.T) {
	env := acctest.NewEnv(t)
	env.Server.SetNow(compatClock)
	cli := acctest.NewCLI(t, map[string]func() (tfprotov6.ProviderServer, error){"hashicorp/motherduck": env.Factories()["motherduck"]})
	idA, secretA := mintForCompat(t, env, acctest.ServiceAccount, map[string]any{
		"name": "compat-expiring", "ttl": 86400, "token_type": "read_write", "description": "written before timetypes",
	})
	idB, secretB := mintForCompat(t, env, acctest.OtherServiceAccount, map[string]any{
		"name": "compat-forever", "token_type": "read_scaling",
	})
	fixture, err := os.ReadFile(stateFixture)
	if err != nil {
		t.Fatal(err)
	}
	state := strings.NewReplacer("{{ID_EXPIRING}}", idA, "{{SECRET_EXPIRING}}", secretA,
		"{{ID_FOREVER}}", idB, "{{SECRET_FOREVER}}", secretB, "{{PROVIDER}}", cli.Host+"/hashicorp/motherduck").Replace(string(fixture))
	if strings.Contains(state, "{{") {
		t.Fatal("the fixture holds a placeholder this test does not fill")
	}
	statePath := filepath.Join(cli.Dir, "terraform.tfstate")
	if err := os.WriteFile(statePath, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	cli.Write(compatConfig(env))
	cli.Must("init", "-no-color", "-input=false")

	// -detailed-exitcode: 0 is an empty plan, 2 a plan with changes.
	if code, out := cli.Run("plan", "-no-color", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan against the earlier state is not empty (exit %d):\n%s", code, out)
	}
	cli.Must("apply", "-no-color", "-input=false", "-auto-approve", "-refresh-only")
	refreshed, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	want, got := instanceAttributes(t, []byte(state)), instanceAttributes(t, refreshed)
	if len(want) != 2 {
		t.Fatalf("the fixture holds %d resources, want 2", len(want))
	}
	for addr, attrs := range want {
		// Attributes added since (keep_previous and its computed values, the
		// update timeout) refresh to their defaults; everything else is as
		// the earlier version wrote it.
		added := map[string]any{"keep_previous": false, "previous_id": nil, "previous_token": nil,
			"previous_expire_at": nil, "pending_revoke_ids": nil}
		for k, v := range added {
			if _, old := attrs[k]; !old {
				attrs[k] = v
			}
		}
		if to, ok := attrs["timeouts"].(map[string]any); ok {
			if _, old := to["update"]; !old {
				to["update"] = nil
			}
		}
		if !reflect.DeepEqual(got[addr], attrs) {
			t.Errorf("%s changed on refresh:\n got  %v\n want %v", addr, got[addr], attrs)
		}
	}
}
