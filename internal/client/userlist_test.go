package client

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

func usernames(users []User) []string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, u.Username)
	}
	return out
}

func TestListUsers_filtersAndOrder(t *testing.T) {
	e := newEmu(t)
	e.s.SetUserListPageSize(2)
	e.s.AddHumanUser("zoe", false)
	e.s.AddServiceAccount("svc_b")
	e.s.AddServiceAccount("svc_a")
	e.s.AddServiceAccount("svc_gone")
	e.s.SetUserProfile("svc_gone", emulator.UserProfile{Deprovisioned: true})
	ctx := ctxT(t)
	yes, no := true, false

	all, err := e.c.ListUsers(ctx, UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := usernames(all), []string{"admin", "svc_a", "svc_b", "svc_gone", "zoe"}; !slices.Equal(got, want) {
		t.Fatalf("all users: %v, want %v (sorted by username)", got, want)
	}
	sas, err := e.c.ListUsers(ctx, UserFilter{IsServiceAccount: &yes, IsDeprovisioned: &no})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := usernames(sas), []string{"svc_a", "svc_b"}; !slices.Equal(got, want) {
		t.Fatalf("active service accounts: %v, want %v", got, want)
	}
	if !sas[0].IsServiceAccount || sas[0].IsDeprovisioned || sas[0].ID == "" || sas[0].Email != nil || sas[0].Roles == nil {
		t.Fatalf("svc_a: %+v", sas[0])
	}
}

// With two-user pages, a user added in the middle of a walk pushes another
// one onto the next page as well: the list still holds every user once,
// and the new one too (the walk is read again).
func TestListUsers_userAddedDuringWalk(t *testing.T) {
	e := newEmu(t)
	e.s.SetUserListPageSize(2)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("svc_%d", i)
		e.s.AddServiceAccount(name)
		want = append(want, name)
	}
	var once sync.Once
	e.s.OnRequest(func(r emulator.Request) {
		if r.Op == emulator.OpListUsers && r.PageToken == "" {
			once.Do(func() { e.s.AddServiceAccount("svc_new") }) // after the first page is answered
		}
	})
	users, err := e.c.ListUsers(ctxT(t), UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, "admin", "svc_new")
	slices.Sort(want)
	if got := usernames(users); !slices.Equal(got, want) {
		t.Fatalf("listed %v, want each of %v once", got, want)
	}
	if n := e.s.CountRequests(emulator.OpListUsers); n <= 5 {
		t.Fatalf("%d page requests: the walk that met a repeat was not read again", n)
	}
}

func TestListUsers_laterPageFails(t *testing.T) {
	e := newEmu(t)
	e.s.SetUserListPageSize(1)
	e.s.AddServiceAccount("svc_a")
	e.s.InjectFault(emulator.Fault{Op: emulator.OpListUsers, LaterPages: true, Kind: emulator.FaultStatus, Status: 404})
	if _, err := e.c.ListUsers(ctxT(t), UserFilter{}); err == nil {
		t.Fatal("a failing second page did not fail the list")
	}
}

// TestReadStable_fetcherCases: the one pager, on the user list's items.
func TestReadStable_fetcherCases(t *testing.T) {
	ctx := ctxT(t)
	l := list{op: OpListUsers, path: "/v1/users", items: "users"}
	id := func(u *User) string { return u.ID }
	u := func(id, name string) User { return User{ID: id, Username: name} }
	// a cursor that comes back: the list cannot be read to its end
	loop := func(context.Context, string) ([]User, string, string, error) {
		return []User{u("1", "a")}, "same", "", nil
	}
	if _, err := readStable(ctx, l, loop, id); err == nil || !strings.Contains(err.Error(), "repeats an earlier one") {
		t.Fatalf("cursor loop: %v", err)
	}
	// pages that always overlap alike: the reads agree, each user once
	overlap := func(_ context.Context, tok string) ([]User, string, string, error) {
		if tok == "" {
			return []User{u("2", "b"), u("1", "a")}, "p2", "", nil
		}
		return []User{u("1", "a"), u("3", "c")}, "", "", nil
	}
	got, err := readStable(ctx, l, overlap, id)
	if err != nil || len(got) != 3 {
		t.Fatalf("overlapping pages: %v %v", usernames(got), err)
	}
	// a list that differs on every read: refused after maxListReads reads
	n := 0
	shifting := func(_ context.Context, tok string) ([]User, string, string, error) {
		if tok == "" {
			n++
			return []User{u("x", "x"), u(fmt.Sprint(n), "n")}, "p2", "", nil
		}
		return []User{u("x", "x")}, "", "", nil
	}
	if _, err := readStable(ctx, l, shifting, id); err == nil || !strings.Contains(err.Error(), "different users") || n != maxListReads {
		t.Fatalf("shifting list: %v after %d reads", err, n)
	}
}
