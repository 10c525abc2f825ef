package noopprovider

import (
	"context"
	"fmt"
	"sort"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// userTokenResource finds the resource whose type name ends in _user_token.
func userTokenResource(t *testing.T, p fwprovider.Provider) resource.Resource {
	t.Helper()
	ctx := context.Background()
	var md fwprovider.MetadataResponse
	p.Metadata(ctx, fwprovider.MetadataRequest{}, &md)
	for _, f := range p.Resources(ctx) {
		r := f()
		var rm resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: md.TypeName}, &rm)
		if rm.TypeName == md.TypeName+"_user_token" {
			return r
		}
	}
	t.Fatalf("provider %q has no _user_token resource", md.TypeName)
	return nil
}

// shape describes a schema by what Terraform sees of it: each attribute's
// type and flags, each block's attributes, and the identity attributes.
func shape(t *testing.T, r resource.Resource) []string {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		t.Fatalf("schema: %v", sr.Diagnostics)
	}
	var out []string
	for name, a := range sr.Schema.Attributes {
		out = append(out, fmt.Sprintf("attr %s %s req=%t opt=%t comp=%t sens=%t",
			name, a.GetType(), a.IsRequired(), a.IsOptional(), a.IsComputed(), a.IsSensitive()))
	}
	for name, b := range sr.Schema.Blocks {
		out = append(out, fmt.Sprintf("block %s %s", name, b.Type()))
	}
	if ri, ok := r.(resource.ResourceWithIdentity); ok {
		var ir resource.IdentitySchemaResponse
		ri.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
		for name, a := range ir.IdentitySchema.Attributes {
			out = append(out, fmt.Sprintf("identity %s %s", name, a.GetType()))
		}
	}
	sort.Strings(out)
	return out
}

// The noop resource must keep motherduck_user_token's schema, or the floor
// it measures is not the same work.
func TestSchemaMatchesRealResource(t *testing.T) {
	realShape := shape(t, userTokenResource(t, provider.New("test")()))
	noop := shape(t, userTokenResource(t, New("test")()))
	if fmt.Sprint(realShape) != fmt.Sprint(noop) {
		t.Errorf("schemas differ\nreal: %q\nnoop: %q", realShape, noop)
	}
	// Plan modifiers and defaults decide replacement; compare their presence.
	mods := func(r resource.Resource) map[string]int {
		var sr resource.SchemaResponse
		r.Schema(context.Background(), resource.SchemaRequest{}, &sr)
		m := map[string]int{}
		for name, a := range sr.Schema.Attributes {
			switch a := a.(type) {
			case schema.StringAttribute:
				m[name] = len(a.PlanModifiers)
				if a.Default != nil {
					m[name+"/default"] = 1
				}
			case schema.Int64Attribute:
				m[name] = len(a.PlanModifiers)
			case schema.NumberAttribute:
				m[name] = len(a.PlanModifiers)
			case schema.BoolAttribute:
				m[name] = len(a.PlanModifiers)
			case schema.MapAttribute:
				m[name] = len(a.PlanModifiers)
			}
		}
		return m
	}
	if r, n := mods(userTokenResource(t, provider.New("test")())), mods(userTokenResource(t, New("test")())); fmt.Sprint(r) != fmt.Sprint(n) {
		t.Errorf("plan modifiers differ\nreal: %v\nnoop: %v", r, n)
	}
}
