package provider

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Input rules shared by the resource, the ephemeral resource, the data source
// and the list resource. Descriptions are built from the same values the
// checks use, so the docs cannot drift from the validation.
const (
	minTTL            = 300
	maxTTL            = 31536000
	maxNameLength     = 255
	maxUsernameLength = 255
	maxDescLength     = 1000
)

var (
	reservedTokenNames = []string{"MotherDuck Extension", "MotherDuck Flights"}
	tokenTypes         = []string{"read_write", "read_scaling"}
)

// usernameProblem says why s cannot be a MotherDuck username in a request
// path, or returns "" when it can. Usernames are letters (any script), digits
// and the characters _ . - @ +, so they stay one clean path segment.
func usernameProblem(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > maxUsernameLength:
		return fmt.Sprintf("must be at most %d characters long", maxUsernameLength)
	case s == "." || s == "..":
		return "must not be a relative path segment (\".\" or \"..\")"
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_.-@+", r) {
			continue
		}
		if unicode.IsSpace(r) {
			return "must not contain white space"
		}
		return fmt.Sprintf("must hold only letters, digits and the characters _ . - @ + (found %q)", r)
	}
	return ""
}

// tokenNameProblem says why s cannot be a token name, or returns "".
func tokenNameProblem(s string) string {
	switch n := utf16Len(s); {
	case s == "":
		return "must not be empty"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case n > maxNameLength:
		return fmt.Sprintf("must be at most %d characters long ("+utf16Counting+"); got %d",
			maxNameLength, n)
	}
	for _, reserved := range reservedTokenNames {
		if s == reserved {
			return fmt.Sprintf("%q is reserved by MotherDuck", s)
		}
	}
	return textProblem(s)
}

// textProblem refuses leading or trailing white space and control characters,
// which the API would keep verbatim and make a name hard to find again.
func textProblem(s string) string {
	if strings.TrimSpace(s) != s {
		return "must not start or end with white space"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("must not contain control characters (found %q)", r)
		}
	}
	return ""
}

// checkAPIURL says why raw is not a usable API base URL, or returns "".
func checkAPIURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "it does not parse as a URL"
	case !u.IsAbs() || u.Host == "" || u.Hostname() == "":
		return "it must be an absolute URL such as " + DefaultAPIURL
	case u.User != nil:
		return "it must not hold user information (a user name or password before \"@\"); the provider authenticates with its token alone"
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.Contains(raw, "#"):
		return "it must not hold a query or a fragment"
	case u.Path != "" && u.Path != "/":
		return fmt.Sprintf("it must be the API's root URL, without a path (got the path %q; the provider adds /v1/... to every call itself), such as %s",
			u.EscapedPath(), DefaultAPIURL)
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http":
		if ip := net.ParseIP(u.Hostname()); strings.EqualFold(u.Hostname(), "localhost") || (ip != nil && ip.IsLoopback()) {
			return ""
		}
		return "plain http is accepted only for loopback hosts (localhost, 127.0.0.0/8, ::1); use https so the token is never sent in clear text"
	default:
		return fmt.Sprintf("its scheme must be https (got %q)", u.Scheme)
	}
}

// stringCheck adapts a "problem" function to a framework string validator.
type stringCheck struct {
	summary string
	desc    string
	problem func(string) string
	// secret marks a credential. Its error is then not attached to the
	// attribute: Terraform prints the configuration line of an attribute's
	// error, which would show a token written in the configuration.
	secret bool
}

func (v stringCheck) Description(context.Context) string         { return v.desc }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.desc }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.problem(req.ConfigValue.ValueString()); msg != "" {
		if v.secret {
			resp.Diagnostics.AddError(v.summary, fmt.Sprintf("The value of %s %s.", req.Path, msg))
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("The value of %s %s.", req.Path, msg))
	}
}

func usernameValidator() validator.String {
	return stringCheck{summary: "Invalid Username", desc: "a MotherDuck username", problem: usernameProblem}
}

func tokenNameValidator() validator.String {
	return stringCheck{summary: "Invalid Token Name", desc: "a token name", problem: tokenNameProblem}
}

// descriptionProblem says why s cannot be a token description, or returns
// "". Its length is counted in UTF-16 code units, as the contract says the
// service (a JavaScript one) probably counts: most characters count one, an
// emoji two. Counting bytes would refuse 600 accented letters it accepts.
// utf16Len is a text's length as a JavaScript service counts it (the
// contract's guess for the API): in UTF-16 code units, an emoji two.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func descriptionProblem(s string) string {
	n := utf16Len(s)
	if n < 1 || n > maxDescLength {
		return fmt.Sprintf("must be 1 to %d characters long ("+utf16Counting+"); got %d",
			maxDescLength, n)
	}
	return textProblem(s)
}

func descriptionValidator() validator.String {
	return stringCheck{summary: "Invalid Description", desc: descriptionRule, problem: descriptionProblem}
}

// descriptionRule is what the description validator accepts, for the docs.
var descriptionRule = fmt.Sprintf("1 to %d characters ("+utf16Counting+"), without leading or trailing white space or "+
	"control characters", maxDescLength)

// utf16Counting says how names and descriptions are measured (utf16Len).
const utf16Counting = "counted in UTF-16 code units, as MotherDuck counts them: a character up to U+FFFF counts " +
	"one; beyond it, as most emoji are, an emoji counts two"

// noSurroundingSpace checks the provider's token, a secret.
func noSurroundingSpace() validator.String {
	return stringCheck{summary: "Invalid Value", desc: "no surrounding white space", secret: true, problem: func(s string) string {
		if strings.TrimSpace(s) != s {
			return "must not start or end with white space"
		}
		return ""
	}}
}

type apiURLValidator struct{}

func (apiURLValidator) Description(context.Context) string {
	return "an absolute https URL, or http for a loopback host"
}
func (v apiURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (apiURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	msg := checkAPIURL(raw)
	if msg == "" {
		return
	}
	detail := fmt.Sprintf("The api_url %s is not usable: %s.", quoteURL(raw), msg)
	if withoutUserInfo(raw) != raw {
		// Not attached to the attribute: Terraform would print its
		// configuration line, and the password in it.
		resp.Diagnostics.AddError("Invalid MotherDuck API URL", detail)
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid MotherDuck API URL", detail)
}

// quoteURL quotes a URL for a message, without its user information, and
// says so when it had some.
func quoteURL(raw string) string {
	if shown := withoutUserInfo(raw); shown != raw {
		return fmt.Sprintf("%q (shown without its user information)", shown)
	}
	return fmt.Sprintf("%q", raw)
}

// withoutUserInfo is raw with any user information ("user:password@")
// removed, for printing. A string that does not parse as a URL, or parses
// without an authority, loses everything up to its last "@" after the
// scheme: better a URL shown cut than a password shown.
func withoutUserInfo(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if err == nil && u.Opaque == "" {
		return raw // no authority with user information
	}
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return raw[:start] + raw[at+1:]
}

// durationValidator bounds a goDurationType attribute to [min, max];
// the type itself refuses a string that is not a duration.
type durationValidator struct{ min, max time.Duration }

// bounds says which durations are accepted; max 0 means no maximum.
func (v durationValidator) bounds() string {
	if v.max > 0 {
		return fmt.Sprintf("between %s and %s", v.min, v.max)
	}
	return fmt.Sprintf("at least %s", v.min)
}

func (v durationValidator) Description(context.Context) string {
	return "a duration such as \"30s\", " + v.bounds()
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		return // goDurationType reports it
	}
	if (v.min > 0 && d < v.min) || (v.max > 0 && d > v.max) {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration Out of Range",
			fmt.Sprintf("%s must be %s, got %s.", req.Path, v.bounds(), d))
	}
}

// quoteList renders values for a description: `a`, `b`.
func quoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

// Descriptions of the inputs that several schemas share, written once.

func usernameRulesDescription() string {
	return fmt.Sprintf("At most %d characters: letters, digits and `_ . - @ +`.", maxUsernameLength)
}

func nameDescription() string {
	return fmt.Sprintf("The token's name, 1 to %d characters ("+utf16Counting+"), without surrounding white space. "+
		"The names %s are reserved by MotherDuck.", maxNameLength, quoteList(reservedTokenNames))
}

// ttlValidator accepts a whole number of seconds from minTTL to maxTTL. ttl
// is a Number attribute rather than an Int64 one so that a value such as
// 3600.5 reaches this check and is refused in plain words: an Int64
// attribute fails the framework's conversion instead, with a message that
// blames the provider.
type ttlValidator struct{}

func (ttlValidator) Description(context.Context) string {
	return fmt.Sprintf("a whole number of seconds from %d to %d", minTTL, maxTTL)
}
func (v ttlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (ttlValidator) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	if !f.IsInt() {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Token Lifetime",
			fmt.Sprintf("%s must be a whole number of seconds, such as 3600 for one hour; got %s.", req.Path, f.Text('f', -1)))
		return
	}
	if n, acc := f.Int64(); acc != big.Exact || n < minTTL || n > maxTTL {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Token Lifetime",
			fmt.Sprintf("%s must be from %d (5 minutes) to %d (365 days) seconds; got %s.", req.Path, minTTL, maxTTL, f.Text('f', -1)))
	}
}
