package client

import (
	"context"
	"net/http"
)

// ListTokens returns the user's unexpired tokens (expire_at after the API's
// clock, Client.Now),
// sharing work within this Client: concurrent calls for one user wait on a
// single request, and its answer serves later calls until a mint or revoke
// of that user. A call that starts after such a write never joins or reuses a
// request that started before it. Errors are not cached; the returned slice
// is the caller's to modify.
func (c *Client) ListTokens(ctx context.Context, username string) ([]Token, error) {
	if err := validUsername(OpListTokens, username); err != nil {
		return nil, err
	}
	u := c.users.get(username)
	cached, f, hit := u.joinList(func(f *listFlight) {
		// The request runs detached from any one caller; it is cancelled
		// when every waiter has gone.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f.cancel = cancel
		go c.runListFlight(fctx, username, u, f)
	})
	if hit {
		return u.visible(cached, c.Now()), nil
	}
	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
		return u.visible(f.toks, c.Now()), nil
	case <-ctx.Done():
		u.leaveList(f)
		return nil, c.canceledError(&call{op: OpListTokens, method: http.MethodGet, path: tokensPath(username)}, 0, ctx.Err(), nil)
	}
}

func (c *Client) runListFlight(ctx context.Context, username string, u *user, f *listFlight) {
	defer f.cancel()
	toks, err := c.fetchTokens(ctx, username, u)
	u.finishList(f, toks, err)
}

// fetchTokens lists the user's tokens from the server. When no mint of the
// user ran during the request (and none is of unknown outcome), the answer
// feeds the user's baseline.
func (c *Client) fetchTokens(ctx context.Context, username string, u *user) ([]Token, error) {
	ticket := u.listStarting()
	toks, err := c.getTokens(ctx, username)
	if err != nil {
		return nil, err
	}
	u.recordBaseline(ticket, toks)
	return toks, nil
}
