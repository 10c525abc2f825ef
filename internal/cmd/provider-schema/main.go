// Command provider-schema prints the provider's schemas in the format of
// `terraform providers schema -json`, straight from the provider server, so
// that tfplugindocs can generate docs/ without depending on which Terraform
// CLI is installed (identity and list resource schemas need 1.12 and 1.14).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

func main() {
	out, err := providerSchemaJSON(context.Background(), "motherduck")
	if err != nil {
		fmt.Fprintln(os.Stderr, "provider-schema:", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintln(os.Stderr, "provider-schema:", err)
		os.Exit(1)
	}
}

type object = map[string]any

func providerSchemaJSON(ctx context.Context, key string) ([]byte, error) {
	server := providerserver.NewProtocol6(provider.New("docs")())()
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(resp.Diagnostics); err != nil {
		return nil, err
	}
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(ids.Diagnostics); err != nil {
		return nil, err
	}
	identities := object{}
	for name, s := range ids.IdentitySchemas {
		attrs := object{}
		for _, a := range s.IdentityAttributes {
			attrs[a.Name] = object{"type": a.Type, "description": a.Description,
				"required_for_import": a.RequiredForImport, "optional_for_import": a.OptionalForImport}
		}
		identities[name] = object{"version": s.Version, "attributes": attrs}
	}
	ps := object{
		"provider":                   schemaJSON(resp.Provider),
		"resource_schemas":           schemasJSON(resp.ResourceSchemas),
		"data_source_schemas":        schemasJSON(resp.DataSourceSchemas),
		"ephemeral_resource_schemas": schemasJSON(resp.EphemeralResourceSchemas),
		"list_resource_schemas":      schemasJSON(resp.ListResourceSchemas),
		"resource_identity_schemas":  identities,
	}
	return json.MarshalIndent(object{"format_version": "1.0", "provider_schemas": object{key: ps}}, "", "  ")
}

func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s", strings.Join(msgs, "; "))
	}
	return nil
}

func schemasJSON(in map[string]*tfprotov6.Schema) object {
	out := object{}
	for name, s := range in {
		out[name] = schemaJSON(s)
	}
	return out
}

func schemaJSON(s *tfprotov6.Schema) object {
	if s == nil {
		return nil
	}
	return object{"version": s.Version, "block": blockJSON(s.Block)}
}

func kind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

func blockJSON(b *tfprotov6.SchemaBlock) object {
	out := object{"description_kind": kind(b.DescriptionKind)}
	if b.Description != "" {
		out["description"] = b.Description
	}
	if b.Deprecated {
		out["deprecated"] = true
	}
	if len(b.Attributes) > 0 {
		out["attributes"] = attributesJSON(b.Attributes)
	}
	if len(b.BlockTypes) > 0 {
		blocks := object{}
		for _, nb := range b.BlockTypes {
			blocks[nb.TypeName] = object{"nesting_mode": blockNesting(nb.Nesting), "block": blockJSON(nb.Block)}
		}
		out["block_types"] = blocks
	}
	return out
}

func attributesJSON(attrs []*tfprotov6.SchemaAttribute) object {
	out := object{}
	for _, a := range attrs {
		o := object{"description_kind": kind(a.DescriptionKind)}
		if a.NestedType != nil {
			o["nested_type"] = object{"attributes": attributesJSON(a.NestedType.Attributes), "nesting_mode": objectNesting(a.NestedType.Nesting)}
		} else {
			o["type"] = a.Type
		}
		if a.Description != "" {
			o["description"] = a.Description
		}
		for flag, on := range map[string]bool{"required": a.Required, "optional": a.Optional, "computed": a.Computed,
			"sensitive": a.Sensitive, "deprecated": a.Deprecated, "write_only": a.WriteOnly} {
			if on {
				o[flag] = true
			}
		}
		out[a.Name] = o
	}
	return out
}

// nestingNames are the names of the nesting modes of blocks and of nested
// attributes; a mode missing here is a block's "group" or an attribute's
// "single".
var (
	blockNestingNames = map[tfprotov6.SchemaNestedBlockNestingMode]string{
		tfprotov6.SchemaNestedBlockNestingModeSingle: "single",
		tfprotov6.SchemaNestedBlockNestingModeList:   "list",
		tfprotov6.SchemaNestedBlockNestingModeSet:    "set",
		tfprotov6.SchemaNestedBlockNestingModeMap:    "map",
	}
	objectNestingNames = map[tfprotov6.SchemaObjectNestingMode]string{
		tfprotov6.SchemaObjectNestingModeList: "list",
		tfprotov6.SchemaObjectNestingModeSet:  "set",
		tfprotov6.SchemaObjectNestingModeMap:  "map",
	}
)

func blockNesting(n tfprotov6.SchemaNestedBlockNestingMode) string {
	if name, ok := blockNestingNames[n]; ok {
		return name
	}
	return "group"
}

func objectNesting(n tfprotov6.SchemaObjectNestingMode) string {
	if name, ok := objectNestingNames[n]; ok {
		return name
	}
	return "single"
}
