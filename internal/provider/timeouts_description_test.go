package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestTimeoutsDescribeDefaultAndWhatTheyBound: every timeout of the token
// and service account resources states its default and what it bounds,
// rather than the framework's generic text.
func TestTimeoutsDescribeDefaultAndWhatTheyBound(t *testing.T) {
	for name, r := range map[string]resource.Resource{"motherduck_user_token": newUserTokenResource(), "motherduck_service_account": newServiceAccountResource()} {
		var resp resource.SchemaResponse
		r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
		block, ok := resp.Schema.Blocks["timeouts"].(schema.SingleNestedBlock)
		if !ok {
			t.Fatalf("%s: no timeouts block (%T)", name, resp.Schema.Blocks["timeouts"])
		}
		if len(block.Attributes) < 3 {
			t.Fatalf("%s: timeouts has %d attributes", name, len(block.Attributes))
		}
		for op, a := range block.Attributes {
			desc := a.GetDescription()
			if !strings.Contains(desc, "(default `5m`)") || !strings.HasPrefix(desc, "How long ") || strings.Contains(desc, "A string that can be") {
				t.Errorf("%s timeouts.%s: %q", name, op, desc)
			}
		}
	}
}
