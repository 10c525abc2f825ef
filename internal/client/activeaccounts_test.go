package client

import (
	"fmt"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func TestListActiveAccounts_sorted(t *testing.T) {
	e := newEmu(t)
	for _, n := range []string{"svc_c", "svc_a", "svc_b"} {
		e.s.AddServiceAccount(n)
		e.s.SetRunningDucklings(n, []emulator.Duckling{
			{ID: "rs.1", Type: "read_scaling", Status: "cooldown"}, {ID: "rw", Type: "read_write", Status: "active"}, {ID: "rs.0", Type: "read_scaling", Status: "active"},
		})
	}
	got, err := e.c.ListActiveAccounts(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	want := "[{svc_a [{rs.0 read_scaling active} {rs.1 read_scaling cooldown} {rw read_write active}]} " +
		"{svc_b [{rs.0 read_scaling active} {rs.1 read_scaling cooldown} {rw read_write active}]} " +
		"{svc_c [{rs.0 read_scaling active} {rs.1 read_scaling cooldown} {rw read_write active}]}]"
	if s := fmt.Sprint(got); s != want {
		t.Fatalf("got  %s\nwant %s", s, want)
	}
}
