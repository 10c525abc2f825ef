package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestUsernameAndNameRules(t *testing.T) {
	good := []string{"svc_ci", "alice", "first.last@example.com", "ünïcode_user", "svc-ci+1"}
	bad := []string{"", ".", "..", "a/b", "a?b", "a#b", "a%b", " a", "a ", "a b", "a\u200bb", "a\\b"}
	checkAcceptance(t, "username", usernameProblem, good, bad)
	if tokenNameProblem("MotherDuck Extension") == "" || tokenNameProblem("MotherDuck Flights") == "" {
		t.Error("reserved names accepted")
	}
	if msg := tokenNameProblem("motherduck extension"); msg != "" {
		t.Errorf("reserved names are case-sensitive, got %s", msg)
	}
	if msg := tokenNameProblem("名前 with spaces inside"); msg != "" {
		t.Errorf("unicode name refused: %s", msg)
	}
}

func TestCheckAPIURL(t *testing.T) {
	ok := []string{"https://api.motherduck.com", "https://api.motherduck.com/", "http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:9", "http://127.1.2.3"}
	notOK := []string{"http://api.motherduck.com", "http://10.0.0.1", "ftp://x", "api.motherduck.com", "https://", "https://u:p@h", "https://h/?q", "https://h/#f", "http://localhost.evil.com"}
	checkAcceptance(t, "api_url", checkAPIURL, ok, notOK)
}

// TestWithoutUserInfo: a URL is printed without its user information, and a
// string that is not a clean URL loses everything up to its last "@" rather
// than show what may be a password.
func TestWithoutUserInfo(t *testing.T) {
	for raw, want := range map[string]string{
		"https://user:pw@api.example.com":     "https://api.example.com",
		"https://user@api.example.com/v1?x=1": "https://api.example.com/v1?x=1",
		"ftp://user:pw@h":                     "ftp://h",
		"https://user:p%zz@h":                 "https://h",       // does not parse
		"https://user:p/w@h":                  "https://h",       // bad port: does not parse
		"user:pw@api.example.com":             "api.example.com", // no scheme: parses as opaque
		"https://api.example.com":             "https://api.example.com",
		"http://localhost:8080/v1":            "http://localhost:8080/v1",
	} {
		got := withoutUserInfo(raw)
		if got != want {
			t.Errorf("withoutUserInfo(%q) = %q, want %q", raw, got, want)
		}
		if strings.Contains(got, "pw") || strings.Contains(got, "p%zz") || strings.Contains(got, "p/w") {
			t.Errorf("withoutUserInfo(%q) = %q shows the password", raw, got)
		}
	}
}

// checkAcceptance asserts that problem ("" = accepted) accepts each of good
// and refuses each of bad.
func checkAcceptance(t *testing.T, what string, problem func(string) string, good, bad []string) {
	t.Helper()
	for _, v := range good {
		if msg := problem(v); msg != "" {
			t.Errorf("%s %q refused: %s", what, v, msg)
		}
	}
	for _, v := range bad {
		if problem(v) == "" {
			t.Errorf("%s %q accepted", what, v)
		}
	}
}

func TestTTLValidator(t *testing.T) {
	cases := []struct {
		name  string
		value types.Number
		want  string // "" = accepted
	}{
		{"null", types.NumberNull(), ""},
		{"unknown", types.NumberUnknown(), ""},
		{"an hour", types.NumberValue(big.NewFloat(3600)), ""},
		{"minimum", types.NumberValue(big.NewFloat(minTTL)), ""},
		{"maximum", types.NumberValue(big.NewFloat(maxTTL)), ""},
		{"fractional", types.NumberValue(big.NewFloat(3600.5)), "ttl must be a whole number of seconds, such as 3600 for one hour; got 3600.5."},
		{"below minimum", types.NumberValue(big.NewFloat(minTTL - 1)), "ttl must be from 300 (5 minutes) to 31536000 (365 days) seconds; got 299."},
		{"above maximum", types.NumberValue(big.NewFloat(maxTTL + 1)), "ttl must be from 300 (5 minutes) to 31536000 (365 days) seconds; got 31536001."},
		{"beyond int64", types.NumberValue(new(big.Float).SetMantExp(big.NewFloat(1), 80)), "ttl must be from 300"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var resp validator.NumberResponse
			ttlValidator{}.ValidateNumber(context.Background(), validator.NumberRequest{Path: path.Root("ttl"), ConfigValue: c.value}, &resp)
			switch {
			case c.want == "" && resp.Diagnostics.HasError():
				t.Errorf("refused: %v", resp.Diagnostics)
			case c.want != "" && (resp.Diagnostics.ErrorsCount() != 1 || !strings.HasPrefix(resp.Diagnostics[0].Detail(), c.want)):
				t.Errorf("want one error starting %q, got %v", c.want, resp.Diagnostics)
			}
		})
	}
}

func TestDurationValidatorStatesItsBounds(t *testing.T) {
	cases := []struct {
		name  string
		v     durationValidator
		value string
		want  string // "" = accepted
	}{
		{"no maximum, too short", durationValidator{min: time.Second}, "500ms", "x must be at least 1s, got 500ms."},
		{"no maximum, long", durationValidator{min: time.Second}, "8760h", ""},
		{"bounded, too long", durationValidator{min: time.Second, max: 10 * time.Minute}, "1h", "x must be between 1s and 10m0s, got 1h0m0s."},
		{"bounded, inside", durationValidator{min: time.Second, max: 10 * time.Minute}, "30s", ""},
		{"not a duration is the type's to report", durationValidator{min: time.Second}, "soon", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var resp validator.StringResponse
			c.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(c.value)}, &resp)
			switch {
			case c.want == "" && resp.Diagnostics.HasError():
				t.Errorf("refused: %v", resp.Diagnostics)
			case c.want != "" && (resp.Diagnostics.ErrorsCount() != 1 || resp.Diagnostics[0].Detail() != c.want):
				t.Errorf("want %q, got %v", c.want, resp.Diagnostics)
			}
			if desc := c.v.Description(context.Background()); strings.Contains(desc, " 0s") {
				t.Errorf("description %q names a 0s bound", desc)
			}
		})
	}
}

// TestDescriptionLength: a description's length is counted in UTF-16 code
// units, as the service counts it: 1000 accented letters or 500 emoji are
// accepted (counting bytes refused them), 1001 units are not.
func TestDescriptionLength(t *testing.T) {
	good := []string{"d", strings.Repeat("é", 1000), strings.Repeat("🦆", 500), strings.Repeat("名", 1000)}
	bad := []string{"", strings.Repeat("d", 1001), strings.Repeat("a", 999) + "🦆", strings.Repeat("🦆", 501), " d", "d\u0007"}
	checkAcceptance(t, "description", descriptionProblem, good, bad)
}

// TestDescriptionDocsNameTheWhiteSpaceRule: the description attributes are
// checked by descriptionValidator, so their docs must say what it refuses.
func TestDescriptionDocsNameTheWhiteSpaceRule(t *testing.T) {
	ctx := context.Background()
	var res resource.SchemaResponse
	newUserTokenResource().Schema(ctx, resource.SchemaRequest{}, &res)
	var eph ephemeral.SchemaResponse
	newUserTokenEphemeralResource().Schema(ctx, ephemeral.SchemaRequest{}, &eph)
	for where, desc := range map[string]string{
		"resource":           res.Schema.Attributes["description"].GetMarkdownDescription(),
		"ephemeral resource": eph.Schema.Attributes["description"].GetMarkdownDescription(),
	} {
		if !strings.Contains(desc, "without leading or trailing white space or control characters") || !strings.Contains(desc, "emoji counts two") {
			t.Errorf("the %s's description docs do not name the white space rule: %q", where, desc)
		}
	}
}
