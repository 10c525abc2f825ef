package bench

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/duckops/terraform-provider-motherduck/internal/bench/noopprovider"
	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
	mdprovider "github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// What a new provider process does once before its first resource, in
// process (go test -run '^$' -bench Startup ./internal/bench): the schema
// (GetProviderSchema on a new server, as every process builds it again) and
// then ConfigureProvider with the token and URL of an emulator. The
// process start itself is timed by bench -startups.

func startupProviders() map[string]func() provider.Provider {
	return map[string]func() provider.Provider{"motherduck": mdprovider.New("bench"), "noop": noopprovider.New("bench")}
}

func BenchmarkStartupSchema(b *testing.B) {
	ctx := context.Background()
	for name, p := range startupProviders() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				srv := providerserver.NewProtocol6(p())()
				resp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
				if err != nil || len(resp.Diagnostics) > 0 {
					b.Fatalf("GetProviderSchema: %v %v", err, resp.Diagnostics)
				}
			}
		})
	}
}

func BenchmarkStartupSchemaAndConfigure(b *testing.B) {
	ctx := context.Background()
	em := emulator.New()
	url := em.Start()
	defer em.Close()
	for name, p := range startupProviders() {
		b.Run(name, func(b *testing.B) {
			schema, err := providerserver.NewProtocol6(p())().GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				b.Fatal(err)
			}
			typ := schema.Provider.ValueType().(tftypes.Object)
			vals := map[string]tftypes.Value{}
			for attr, at := range typ.AttributeTypes {
				vals[attr] = tftypes.NewValue(at, nil)
			}
			vals["token"] = tftypes.NewValue(tftypes.String, em.AdminToken())
			vals["api_url"] = tftypes.NewValue(tftypes.String, url)
			cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				srv := providerserver.NewProtocol6(p())()
				if _, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
					b.Fatal(err)
				}
				resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: &cfg})
				if err != nil || len(resp.Diagnostics) > 0 {
					b.Fatalf("ConfigureProvider: %v %v", err, resp.Diagnostics)
				}
			}
		})
	}
}
