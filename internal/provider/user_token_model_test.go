package provider

import (
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

func TestTTLFromToken(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := base.Add(d); return &v }
	cases := []struct {
		name    string
		created time.Time
		expire  *time.Time
		want    int64 // 0 = null
	}{
		{"never expires", base, nil, 0},
		{"exact hour", base, at(time.Hour), 3600},
		{"sub-second created_ts", base.Add(400 * time.Millisecond), at(time.Hour), 3600},
		{"sub-second expire_at", base, at(time.Hour + 300*time.Millisecond), 3600},
		{"minimum", base, at(300 * time.Second), 300},
		{"below minimum", base, at(299 * time.Second), 0},
		{"maximum", base, at(31536000 * time.Second), 31536000},
		{"above maximum", base, at(31536001 * time.Second), 0},
	}
	for _, c := range cases {
		got := ttlFromToken(client.Token{CreatedTS: c.created, ExpireAt: c.expire})
		switch {
		case c.want == 0 && !got.IsNull():
			t.Errorf("%s: want null, got %s", c.name, got)
		case c.want != 0 && (got.IsNull() || !got.ValueBigFloat().IsInt()):
			t.Errorf("%s: want %d, got %s", c.name, c.want, got)
		case c.want != 0:
			if n, _ := got.ValueBigFloat().Int64(); n != c.want {
				t.Errorf("%s: want %d, got %s", c.name, c.want, got)
			}
		}
	}
}

// TestSameModel: a change of any one attribute is seen, so a Read that
// skips writing an unchanged state never drops a change.
func TestSameModel(t *testing.T) {
	base := userTokenModel{
		ID: types.StringValue("id"), Username: types.StringValue("svc"), Name: types.StringValue("n"),
		TTL: types.NumberValue(big.NewFloat(600)), TokenType: types.StringValue("read_write"),
		Description: types.StringValue("d"), Keepers: types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")}),
		RotateBefore: goDuration{timetypes.NewGoDurationValueFromStringMust("1m")}, Token: types.StringValue("secret"),
		CreatedTS: rfc3339(time.Unix(0, 0)), ExpireAt: rfc3339(time.Unix(600, 0)), ReadOnly: types.BoolValue(false),
		Timeouts:     timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})},
		KeepPrevious: types.BoolValue(true), PreviousID: types.StringValue("p"), PreviousToken: types.StringValue("ps"),
		PreviousExpireAt: rfc3339(time.Unix(300, 0)), PendingRevokeIDs: idList([]string{"x"}),
	}
	changes := []func(*userTokenModel){
		func(m *userTokenModel) { m.ID = types.StringValue("other") },
		func(m *userTokenModel) { m.Username = types.StringValue("other") },
		func(m *userTokenModel) { m.Name = types.StringValue("other") },
		func(m *userTokenModel) { m.TTL = types.NumberNull() },
		func(m *userTokenModel) { m.TokenType = types.StringValue("read_scaling") },
		func(m *userTokenModel) { m.Description = types.StringNull() },
		func(m *userTokenModel) { m.Keepers = types.MapNull(types.StringType) },
		func(m *userTokenModel) { m.RotateBefore = goDuration{timetypes.NewGoDurationValueFromStringMust("2m")} },
		func(m *userTokenModel) { m.Token = types.StringNull() },
		func(m *userTokenModel) { m.CreatedTS = rfc3339(time.Unix(1, 0)) },
		func(m *userTokenModel) { m.ExpireAt = timetypes.NewRFC3339Null() },
		func(m *userTokenModel) { m.ReadOnly = types.BoolValue(true) },
		func(m *userTokenModel) {
			m.Timeouts = timeouts.Value{Object: types.ObjectValueMust(map[string]attr.Type{"read": types.StringType},
				map[string]attr.Value{"read": types.StringValue("1m")})}
		},
		func(m *userTokenModel) { m.KeepPrevious = types.BoolValue(false) },
		func(m *userTokenModel) { m.PreviousID = types.StringNull() },
		func(m *userTokenModel) { m.PreviousToken = types.StringNull() },
		func(m *userTokenModel) { m.PreviousExpireAt = timetypes.NewRFC3339Null() },
		func(m *userTokenModel) { m.PendingRevokeIDs = idList(nil) },
	}
	if n := reflect.TypeFor[userTokenModel]().NumField(); len(changes) != n {
		t.Fatalf("%d changes for %d attributes: add one for each new attribute", len(changes), n)
	}
	if !sameModel(base, base) {
		t.Fatal("a model differs from itself")
	}
	for i, change := range changes {
		m := base
		change(&m)
		if sameModel(base, m) {
			t.Errorf("change %d (attribute %s) not seen", i, reflect.TypeFor[userTokenModel]().Field(i).Name)
		}
	}
}
