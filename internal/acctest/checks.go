package acctest

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/duckops/terraform-provider-motherduck/internal/emulator"
)

// Checks that many test files share. They ask the test's emulator, so they
// are methods of Env.
//
// ExpectLive is a statecheck. The other checks are TestCheckFuncs, for these
// reasons: StateID captures an id that the step's other checks read, and
// statechecks run after them; CheckDestroy takes a TestCheckFunc; and the
// fault tests tell a broken invariant from a step failure they tolerate by
// the "Check failed" that plugin-testing puts before a failed Check (a failed
// statecheck reads differently), so they use CheckLive.

// StateID reads the id of the resource at addr from state into *dst.
func StateID(addr string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// ExpectLive asserts that the token at addr is a live token of username in
// the emulator and that the secret in state, when state has one, is its
// secret.
func (e *Env) ExpectLive(addr, username string) statecheck.StateCheck {
	return expectLive{env: e, addr: addr, username: username}
}

type expectLive struct {
	env            *Env
	addr, username string
}

func (c expectLive) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("%s: no state", c.addr)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != c.addr {
			continue
		}
		id, _ := r.AttributeValues["id"].(string)
		secret, _ := r.AttributeValues["token"].(string)
		resp.Error = c.env.checkLive(id, secret, c.username)
		return
	}
	resp.Error = fmt.Errorf("%s not in state", c.addr)
}

// CheckLive is ExpectLive as a TestCheckFunc, for the fault tests.
func (e *Env) CheckLive(addr, username string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		return e.checkLive(rs.Primary.ID, rs.Primary.Attributes["token"], username)
	}
}

func (e *Env) checkLive(id, secret, username string) error {
	for _, tok := range e.Server.LiveTokens(username) {
		if tok.ID == id {
			if secret != "" && secret != tok.Secret {
				return fmt.Errorf("the secret in state is not the secret of token %s", tok.ID)
			}
			return nil
		}
	}
	return fmt.Errorf("token %s of %s is not live in the emulator", id, username)
}

// CheckRevoked asserts that the emulator minted the token *id and saw it
// invalidated. id is read when the check runs, so it may be captured by a
// StateID earlier in the same step.
func (e *Env) CheckRevoked(id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		tok, ok := e.Server.Token(*id)
		if !ok {
			return fmt.Errorf("the emulator never minted token %q", *id)
		}
		if !tok.Revoked {
			return fmt.Errorf("token %s was not revoked", tok.ID)
		}
		return nil
	}
}

// CheckNoLiveTokens is a CheckDestroy that asks the emulator: no token
// minted through the API may be left live for these users after destroy.
func (e *Env) CheckNoLiveTokens(usernames ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, u := range usernames {
			for _, tok := range e.Server.LiveTokens(u) {
				if tok.ViaAPI {
					return fmt.Errorf("token %s (%s) of %s is still live after destroy", tok.ID, tok.Name, u)
				}
			}
		}
		return nil
	}
}

// CheckNoTokenWrites asserts that the emulator saw no mint and no
// invalidation since its request log was last reset; what names the change
// under test, for the message.
func (e *Env) CheckNoTokenWrites(what string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := e.Server.CountRequests(emulator.OpMint) + e.Server.CountRequests(emulator.OpRevoke); n != 0 {
			return fmt.Errorf("%s made %d mint/revoke requests", what, n)
		}
		return nil
	}
}
