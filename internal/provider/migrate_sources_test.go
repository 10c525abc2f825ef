package provider_test

import (
	"context"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// A stand-in for the other MotherDuck providers, only for moving their
// resources into this one in tests. It serves resource types with the
// attributes their docs list (written from the schemas in issue 10, not
// copied from those providers) and talks to no API: every attribute is an
// input, and state is what the configuration says. The tests mint the token
// it "holds" in the emulator beforehand.

// Attribute kinds of a source schema.
const (
	kString = iota
	kNumber
	kBool
	kSecret
)

// Source schemas, as the issue lists them.
var (
	officialAccessToken = map[string]int{
		"id": kString, "username": kString, "name": kString, "token_type": kString, "ttl": kNumber,
		"token": kSecret, "created_ts": kString, "expire_at": kString, "read_only": kBool,
	}
	officialServiceAccount = map[string]int{"username": kString, "id": kString}
	communityToken         = map[string]int{
		"id": kString, "username": kString, "name": kString, "ttl_seconds": kNumber, "token_type": kString,
		"token": kSecret, "created_at": kString, "expires_at": kString, "read_only": kBool,
	}
	communityServiceAccount = map[string]int{"username": kString, "deletion_policy": kString, "id": kString}
)

// sourceProvider serves resource types (by full type name) with the given
// attributes; deletes counts the Delete calls it received.
type sourceProvider struct {
	types   map[string]map[string]int
	deletes *atomic.Int32
}

func sourceFactory(types map[string]map[string]int, deletes *atomic.Int32) func() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&sourceProvider{types: types, deletes: deletes})
}

func (p *sourceProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "motherduck"
}

func (p *sourceProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (p *sourceProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *sourceProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p *sourceProvider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for name, attrs := range p.types {
		out = append(out, func() resource.Resource { return &sourceResource{name: name, attrs: attrs, deletes: p.deletes} })
	}
	return out
}

var _ provider.Provider = (*sourceProvider)(nil)

type sourceResource struct {
	name    string
	attrs   map[string]int
	deletes *atomic.Int32
}

func (r *sourceResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.name
}

func (r *sourceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for name, kind := range r.attrs {
		switch kind {
		case kString:
			attrs[name] = schema.StringAttribute{Optional: true}
		case kSecret:
			attrs[name] = schema.StringAttribute{Optional: true, Sensitive: true}
		case kNumber:
			attrs[name] = schema.Int64Attribute{Optional: true}
		case kBool:
			attrs[name] = schema.BoolAttribute{Optional: true}
		}
	}
	resp.Schema = schema.Schema{Attributes: attrs}
}

func (r *sourceResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}

func (r *sourceResource) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw.Copy()
}

func (r *sourceResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}

func (r *sourceResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	r.deletes.Add(1)
}
