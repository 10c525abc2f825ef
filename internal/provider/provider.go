// Package provider is the Terraform-facing layer of the MotherDuck provider:
// schemas, plan-time validation and the mapping between Terraform values and
// the API client in internal/client.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// Environment variables the provider reads when its configuration leaves a
// setting out.
const (
	EnvAdminToken  = "MOTHERDUCK_ADMIN_TOKEN" // the official MotherDuck provider's variable
	EnvToken       = "MOTHERDUCK_TOKEN"
	EnvTokenDuckDB = "motherduck_token"
	EnvAPIToken    = "MOTHERDUCK_API_TOKEN" // the community provider's variable
	EnvAPIURL      = "MOTHERDUCK_API_URL"
	EnvAPIBaseURL  = "MOTHERDUCK_API_BASE_URL" // both other MotherDuck providers' variable

	DefaultAPIURL         = "https://api.motherduck.com"
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 4
)

// The order in which each setting's variables are read; the first one set
// wins. The names this provider read before come first, so that adding the
// other providers' names changes nothing for its users; an argument in the
// provider block always wins over every variable.
var (
	tokenEnvNames  = []string{EnvAdminToken, EnvToken, EnvTokenDuckDB, EnvAPIToken}
	apiURLEnvNames = []string{EnvAPIURL, EnvAPIBaseURL}
)

var (
	_ provider.Provider                       = (*motherduckProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*motherduckProvider)(nil)
	_ provider.ProviderWithListResources      = (*motherduckProvider)(nil)
)

// Options adjusts the provider: for tests, a clock they can move and short
// retry waits; for main, the set of open ephemeral tokens to revoke at
// shutdown. The zero value is a provider that keeps that set to itself.
type Options struct {
	// OpenTokens records the ephemeral tokens the provider opens and has not
	// closed yet; nil gives each provider a set of its own.
	OpenTokens *OpenTokens
	// Now replaces the wall clock for expiry and rotation decisions.
	Now func() time.Time
	// RetryBaseBackoff replaces the client's first backoff wait.
	RetryBaseBackoff time.Duration
	// RecoveryTimeout replaces how long the client keeps trying to clean up
	// after a mint whose outcome is unknown.
	RecoveryTimeout time.Duration
}

type motherduckProvider struct {
	version string
	opts    Options
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client *client.Client
	// tokenSource names where the admin token came from, for error messages.
	tokenSource string
	now         func() time.Time
	// open holds the ephemeral tokens opened and not closed yet.
	open *OpenTokens
	// policy is the token_policy every minted token must meet; nil: none.
	policy *tokenPolicy
}

type providerModel struct {
	Token          types.String `tfsdk:"token"`
	APIURL         types.String `tfsdk:"api_url"`
	RequestTimeout goDuration   `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	TokenPolicy    types.Object `tfsdk:"token_policy"`
}

// New returns the provider factory that main serves.
func New(version string) func() provider.Provider {
	return NewWithOptions(version, Options{})
}

// NewWithOptions returns a provider factory with test adjustments.
func NewWithOptions(version string, opts Options) func() provider.Provider {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return func() provider.Provider {
		o := opts
		if o.OpenTokens == nil {
			o.OpenTokens = NewOpenTokens()
		}
		return &motherduckProvider{version: version, opts: o}
	}
}

func (p *motherduckProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "motherduck"
	resp.Version = p.version
}

func (p *motherduckProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages MotherDuck access tokens through the MotherDuck REST API. " +
			"The provider authenticates with a read/write token of a user who holds the organization **Admin** role.",
		Attributes: map[string]schema.Attribute{
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: fmt.Sprintf("A read/write access token of an organization Admin. Set here, it wins "+
					"over every environment variable. When unset, the provider reads `%s` (the variable of MotherDuck's own provider), then `%s`, then `%s` "+
					"(the variable DuckDB uses), then `%s` (the community provider's), and takes the first that is set; "+
					"a line break at the end of a variable's value (as a file or `$(...)` leaves) is ignored.",
					EnvAdminToken, EnvToken, EnvTokenDuckDB, EnvAPIToken),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), noSurroundingSpace()},
			},
			"api_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Base URL of the MotherDuck REST API. Set here, it wins over every environment "+
					"variable. When unset, the provider reads `%s`, "+
					"then `%s` (the other MotherDuck providers' variable), and takes the first that is set; when neither is, it "+
					"uses `%s`. It must be an absolute `https://` URL without a path (the provider adds `/v1/...` itself); plain `http://` is accepted only for loopback "+
					"hosts (`localhost`, `127.0.0.0/8`, `::1`) such as a local emulator, so the token never travels in clear text.",
					EnvAPIURL, EnvAPIBaseURL, DefaultAPIURL),
				Validators: []validator.String{apiURLValidator{}},
			},
			"request_timeout": schema.StringAttribute{
				Optional:   true,
				CustomType: goDurationType{},
				MarkdownDescription: fmt.Sprintf("Time limit for one HTTP request to the API, as a Go duration such as `\"30s\"` "+
					"(between 1s and 10m; default `%q`). A request that runs out of time counts as a failed attempt and is retried "+
					"where that is safe. The resource's `timeouts` block bounds a whole operation, retries included (the clean-up after a "+
					"mint whose outcome is unknown excepted, as `motherduck_user_token`'s `timeouts` say).", defaultRequestTimeout.String()),
				Validators: []validator.String{durationValidator{min: time.Second, max: 10 * time.Minute}},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times a failed request is retried where a retry is safe "+
					"(429, 502, 503, 504 and connection errors, and 500 for reads; a mint only when it certainly did "+
					"not take effect). "+
					"Between 0 and 10; default %d.", defaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, 10)},
			},
		},
		Blocks: map[string]schema.Block{"token_policy": tokenPolicyBlock()},
	}
}

func (p *motherduckProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	policy := newTokenPolicy(ctx, cfg.TokenPolicy, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value that depends on something not created yet is unknown during
	// plan. Resources that need the API then fail with a clear message; with
	// a Terraform that supports deferral the work is deferred instead.
	if cfg.Token.IsUnknown() || cfg.APIURL.IsUnknown() || cfg.RequestTimeout.IsUnknown() || cfg.MaxRetries.IsUnknown() {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		tflog.Debug(ctx, "provider configuration holds unknown values; API calls wait until they are known")
		data := &providerData{now: p.opts.Now, open: p.opts.OpenTokens, policy: policy}
		resp.ResourceData, resp.DataSourceData, resp.EphemeralResourceData, resp.ListResourceData = data, data, data, data
		return
	}

	token, tokenSource := cfg.Token.ValueString(), "the provider's `token` argument"
	if cfg.Token.IsNull() {
		var name string
		if token, name = firstEnv(tokenEnvNames); name != "" {
			tokenSource = "the " + name + " environment variable"
		}
	}
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing MotherDuck Token",
			fmt.Sprintf("The provider needs a read/write token of an organization Admin. Set the `token` argument of the "+
				"`provider \"motherduck\"` block, or one of the environment variables %s.", orList(tokenEnvNames)))
	}

	apiURL := cfg.APIURL.ValueString()
	if cfg.APIURL.IsNull() {
		var name string
		apiURL, name = firstEnv(apiURLEnvNames)
		if name == "" {
			apiURL = DefaultAPIURL
		} else if msg := checkAPIURL(apiURL); msg != "" {
			resp.Diagnostics.AddAttributeError(path.Root("api_url"), "Invalid MotherDuck API URL",
				fmt.Sprintf("The %s environment variable, %s, is not a usable API URL: %s.", name, quoteURL(apiURL), msg))
		}
	}

	timeout := defaultRequestTimeout
	if !cfg.RequestTimeout.IsNull() {
		d, diags := cfg.RequestTimeout.ValueGoDuration() // its type and validator checked it
		resp.Diagnostics.Append(diags...)
		timeout = d
	}
	retries := int64(defaultMaxRetries)
	if !cfg.MaxRetries.IsNull() {
		retries = cfg.MaxRetries.ValueInt64()
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = maskSecrets(ctx, token)
	c, err := client.New(client.Config{
		BaseURL:         apiURL,
		Token:           token,
		UserAgent:       fmt.Sprintf("terraform-provider-motherduck/%s (+Terraform/%s)", p.version, req.TerraformVersion),
		RequestTimeout:  timeout,
		MaxAttempts:     int(retries) + 1,
		BaseBackoff:     p.opts.RetryBaseBackoff,
		RecoveryTimeout: p.opts.RecoveryTimeout,
		Logger:          tflogLogger{secret: token},
		Now:             p.opts.Now,
	})
	if err != nil {
		var bad *client.ConfigError
		if errors.As(err, &bad) && bad.Field == client.ConfigToken {
			// Not attached to the token attribute: Terraform would print its
			// configuration line, and the token with it.
			resp.Diagnostics.AddError("Invalid MotherDuck Token", fmt.Sprintf("The token from %s is not usable: %s. "+
				"A MotherDuck token is one line of printable characters: set it again, copied whole from MotherDuck.", tokenSource, bad.Reason))
			return
		}
		resp.Diagnostics.AddAttributeError(path.Root("api_url"), "Invalid MotherDuck API URL", err.Error())
		return
	}
	tflog.Debug(ctx, "configured MotherDuck client", map[string]any{"api_url": apiURL, "token_source": tokenSource})

	data := &providerData{client: c, tokenSource: tokenSource, now: p.opts.Now, open: p.opts.OpenTokens, policy: policy}
	resp.ResourceData, resp.DataSourceData, resp.EphemeralResourceData, resp.ListResourceData = data, data, data, data
}

// envValue reads an environment variable without the line break that a file
// or a shell's $(...) leaves at its end.
func envValue(name string) string { return strings.TrimRight(os.Getenv(name), "\r\n") }

// firstEnv returns the value of the first of names that is set (and not
// empty), and its name; "", "" when none is.
func firstEnv(names []string) (value, name string) {
	for _, name := range names {
		if v := envValue(name); v != "" {
			return v, name
		}
	}
	return "", ""
}

// orList writes names as "A, B, C or D".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func (p *motherduckProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newUserTokenResource, newServiceAccountResource, newDucklingConfigResource}
}

// NewUserTokenResource returns motherduck_user_token, unconfigured. The
// benchmark's do-nothing floor provider (internal/bench/noopprovider) serves
// its schema and identity schema, so that the floor does the same schema work
// as the real resource.
func NewUserTokenResource() resource.ResourceWithIdentity { return &userTokenResource{} }

func (p *motherduckProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newUserTokensDataSource, newUsersDataSource, newActiveAccountsDataSource, newDucklingConfigDataSource}
}

func (p *motherduckProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newUserTokenEphemeralResource, newDiveEmbedSessionEphemeralResource}
}

func (p *motherduckProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{newUserTokenListResource, newServiceAccountListResource}
}

// configuredData unpacks what Configure handed over; nil before Configure ran.
func configuredData(kind string, raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("The %s expected the MotherDuck provider's data, got %T. This is a bug in the provider: please report it.", kind, raw))
		return nil
	}
	return data
}

// requireClient reports an error when the provider could not build a client
// because its configuration was unknown.
func requireClient(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil || data.client == nil {
		diags.AddError("Provider Not Configured",
			"The MotherDuck provider's configuration was not known when this operation ran (its token or api_url "+
				"depends on something not created yet), so no API call could be made. Apply the resources it depends on "+
				"first, for example with -target, then run again.")
		return false
	}
	return true
}

// beginOperation opens a resource's Create, Read, Update or Delete: it checks
// that the provider has a client and bounds the operation by the resource's
// configured timeout (default five minutes).
func beginOperation(ctx context.Context, data *providerData, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	diags *diag.Diagnostics) (context.Context, context.CancelFunc, bool) {
	if !requireClient(data, diags) {
		return ctx, func() {}, false
	}
	d, tdiags := timeout(ctx, defaultOperationTimeout)
	diags.Append(tdiags...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, true
}
