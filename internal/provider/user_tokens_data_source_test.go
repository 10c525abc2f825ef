package provider_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/duckops/terraform-provider-motherduck/internal/acctest"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

const tokensAddr = "data.motherduck_user_tokens.all"

// listedTokens reads the data source's tokens from state, by id.
func listedTokens(s *terraform.State, addr string) (map[string]map[string]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	attrs := rs.Primary.Attributes
	out := map[string]map[string]string{}
	for k, id := range attrs {
		idx, ok := strings.CutPrefix(k, "tokens.")
		if !ok || !strings.HasSuffix(idx, ".id") {
			continue
		}
		prefix := "tokens." + strings.TrimSuffix(idx, ".id") + "."
		tok := map[string]string{}
		for k2, v := range attrs {
			if field, ok := strings.CutPrefix(k2, prefix); ok {
				tok[field] = v
			}
		}
		out[id] = tok
	}
	return out, nil
}

func TestAccUserTokensDataSource_list(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	s := env.Server
	forever := s.MintToken("svc_ci", "seeded-forever", 0, "")
	scaling := s.MintToken("svc_ci", "seeded-scaling", 2*time.Hour, emulator.TokenTypeReadScaling)
	revoked := s.MintToken("svc_ci", "seeded-revoked", 0, "")
	s.RevokeToken("svc_ci", revoked.ID)
	expired := s.MintToken("svc_ci", "seeded-expired", 5*time.Minute, "")
	other := s.MintToken("svc_reporting", "other-user", 0, "")
	s.Advance(10 * time.Minute) // expired is now past its expire_at

	cfg := env.Config(`
resource "motherduck_user_token" "t" {
  username    = "svc_ci"
  name        = "from-resource"
  ttl         = 3600
  description = "minted by terraform"
}

data "motherduck_user_tokens" "all" {
  username   = "svc_ci"
  depends_on = [motherduck_user_token.t]
}
`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				func(st *terraform.State) error {
					listed, err := listedTokens(st, tokensAddr)
					if err != nil {
						return err
					}
					fromResource := st.RootModule().Resources[tokenAddr].Primary.ID
					// exactly the emulator's live tokens of svc_ci
					var want, got []string
					for _, tok := range env.Server.LiveTokens("svc_ci") {
						want = append(want, tok.ID)
					}
					for id := range listed {
						got = append(got, id)
					}
					sort.Strings(want)
					sort.Strings(got)
					if strings.Join(want, ",") != strings.Join(got, ",") {
						return fmt.Errorf("listed %v, the emulator's live tokens are %v", got, want)
					}
					for _, id := range []string{forever.ID, scaling.ID, fromResource} {
						if listed[id] == nil {
							return fmt.Errorf("token %s is missing from the list", id)
						}
					}
					for id, why := range map[string]string{revoked.ID: "revoked", expired.ID: "expired", other.ID: "of another user"} {
						if listed[id] != nil {
							return fmt.Errorf("the list holds token %s, which is %s", id, why)
						}
					}
					// fields mapped from the API
					if f := listed[scaling.ID]; f["name"] != "seeded-scaling" || f["token_type"] != "read_scaling" || f["read_only"] != "true" ||
						f["expire_at"] != scaling.ExpireAt.UTC().Format(time.RFC3339) || f["created_ts"] != scaling.CreatedAt.UTC().Format(time.RFC3339) {
						return fmt.Errorf("read_scaling token listed as %v", f)
					}
					if f := listed[forever.ID]; f["expire_at"] != "" || f["token_type"] != "read_write" || f["read_only"] != "false" {
						return fmt.Errorf("never-expiring token listed as %v", f)
					}
					// the description where the API returns one, null where it does not
					if got := listed[fromResource]["description"]; got != "minted by terraform" {
						return fmt.Errorf("description of the resource's token listed as %q", got)
					}
					if tok, _ := env.Server.Token(fromResource); tok.Description != "minted by terraform" {
						return fmt.Errorf("the emulator holds description %q", tok.Description)
					}
					if _, has := listed[forever.ID]["description"]; has && listed[forever.ID]["description"] != "" {
						return fmt.Errorf("a token without description lists one: %q", listed[forever.ID]["description"])
					}
					return nil
				},
				// never a secret: no secret the emulator knows appears anywhere in the data source
				func(st *terraform.State) error {
					rs := st.RootModule().Resources[tokensAddr]
					for k, v := range rs.Primary.Attributes {
						if found := secretsIn(env, v, nil); len(found) > 0 {
							return fmt.Errorf("data source attribute %s holds the secret of %v", k, found)
						}
						if strings.HasSuffix(k, ".token") {
							return fmt.Errorf("data source has a token attribute %s", k)
						}
					}
					return nil
				},
			),
		}},
	})
}

func TestAccUserTokensDataSource_empty(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "motherduck_user_tokens" "all" {
  username = "svc_reporting"
}
`),
			Check: resource.TestCheckResourceAttr(tokensAddr, "tokens.#", "0"),
			// An empty list, not null: the check above passes for both.
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokensAddr, tfjsonpath.New("tokens"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestAccUserTokensDataSource_descriptionUnsupported(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Server.SetDescriptionSupport(false)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.CheckNoLiveTokens("svc_ci"),
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "motherduck_user_token" "t" {
  username    = "svc_ci"
  name        = "old-region"
  description = "dropped by the region"
}

data "motherduck_user_tokens" "all" {
  username   = "svc_ci"
  depends_on = [motherduck_user_token.t]
}
`),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(tokensAddr, "tokens.#", "1"),
				resource.TestCheckNoResourceAttr(tokensAddr, "tokens.0.description"),
				resource.TestCheckResourceAttr(tokensAddr, "tokens.0.name", "old-region"),
			),
		}},
	})
}

// TestAccUserTokensDataSource_oldestFirst: the tokens come oldest first,
// then by id for tokens of the same second, whatever order the API answers
// in (the emulator never answers in creation order).
func TestAccUserTokensDataSource_oldestFirst(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	s := env.Server
	var want []string
	for i := range 3 {
		want = append(want, s.MintToken("svc_ci", fmt.Sprintf("t%d", i), 0, "").ID)
		s.Advance(time.Second)
	}
	// two of the same second: by id
	same := []string{s.MintToken("svc_ci", "same-a", 0, "").ID, s.MintToken("svc_ci", "same-b", 0, "").ID}
	sort.Strings(same)
	want = append(want, same...)
	checks := []resource.TestCheckFunc{resource.TestCheckResourceAttr(tokensAddr, "tokens.#", fmt.Sprint(len(want)))}
	for i, id := range want {
		checks = append(checks, resource.TestCheckResourceAttr(tokensAddr, fmt.Sprintf("tokens.%d.id", i), id))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(`data "motherduck_user_tokens" "all" { username = "svc_ci" }`),
			Check:  resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}
