package provider

import (
	"testing"
	"time"

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
