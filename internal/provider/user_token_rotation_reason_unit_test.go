package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestRotationReasons: each cause of a rotation is named; the clock's causes
// (the window, a gone token) only when ModifyPlan decided the rotation.
func TestRotationReasons(t *testing.T) {
	expire := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	state := userTokenModel{
		Username: types.StringValue("svc_ci"), Name: types.StringValue("ci"), TokenType: types.StringValue("read_write"),
		Keepers: types.MapNull(types.StringType), ExpireAt: timetypes.NewRFC3339TimeValue(expire),
		RotateBefore: goDuration{timetypes.NewGoDurationValue(time.Hour)},
	}
	plan := state
	inWindow := expire.Add(-30 * time.Minute)
	for _, tc := range []struct {
		name                           string
		plan                           userTokenModel
		decided, usernameChanged, gone bool
		now                            time.Time
		want                           string
	}{
		{"window", plan, true, false, false, inWindow,
			"the rotate_before window opened at 2026-01-01T23:00:00Z (1h0m0s before the token expires at 2026-01-02T00:00:00Z)"},
		{"window not decided", plan, false, false, false, inWindow, ""},
		{"gone", plan, true, false, true, expire.Add(-2 * time.Hour), "the current token is no longer valid (invalidated or expired outside Terraform)"},
		{"username", func() userTokenModel { p := plan; p.Username = types.StringValue("svc_x"); return p }(), false, true, false, inWindow.Add(-time.Hour),
			"username changed"},
		{"ttl and description", func() userTokenModel {
			p := plan
			p.TTL, p.Description = types.NumberUnknown(), types.StringValue("d")
			return p
		}(), false, false, false, inWindow.Add(-time.Hour), "ttl, description changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(rotationReasons(tc.plan, state, tc.decided, tc.usernameChanged, tc.gone, tc.now), "; ")
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
