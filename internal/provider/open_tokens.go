package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// OpenTokens is what a provider process must settle before it ends: the
// ephemeral tokens it opened and Terraform has not closed, what their mints
// left owed (tokens that could not be invalidated, mints of unknown
// outcome), and the mints still in flight in any resource.
//
// Terraform does not always call Close: when a resource or data source that
// depends on an ephemeral token fails, the run ends without closing it. The
// provider process is then stopped (go-plugin's Shutdown call, or a signal),
// and main waits for the mints in flight (Drain), then settles the rest
// (RevokeAll).
type OpenTokens struct {
	mu       sync.Mutex
	open     map[openKey]*client.Client
	owed     map[owedKey]client.Debt
	inflight int           // writes in flight, under mu
	idle     chan struct{} // closed when inflight drops to 0; nil while none is waited for
}

type openKey struct{ username, id string }

type owedKey struct {
	c        *client.Client
	username string
}

// NewOpenTokens returns an empty set.
func NewOpenTokens() *OpenTokens {
	return &OpenTokens{open: map[openKey]*client.Client{}, owed: map[owedKey]client.Debt{}}
}

func (o *OpenTokens) add(c *client.Client, username, id string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.open[openKey{username, id}] = c
}

func (o *OpenTokens) remove(username, id string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.open, openKey{username, id})
}

// owe records what an ephemeral token's mint left owed, for RevokeAll.
func (o *OpenTokens) owe(c *client.Client, username string, d client.Debt) {
	if o == nil || d.Empty() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	k := owedKey{c, username}
	all := o.owed[k]
	all.Add(d)
	o.owed[k] = all
}

// begin counts a write that creates something as in flight until end is
// called: shutdown waits for it (Drain), so that its outcome reaches
// Terraform's state or this set instead of being cut off.
func (o *OpenTokens) begin() (end func()) {
	if o == nil {
		return func() {}
	}
	o.mu.Lock()
	o.inflight++
	o.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.inflight--; o.inflight == 0 && o.idle != nil {
				close(o.idle)
				o.idle = nil
			}
		})
	}
}

// Drain waits until no write is in flight, or until grace has passed; it
// reports whether they all ended.
func (o *OpenTokens) Drain(grace time.Duration) bool {
	o.mu.Lock()
	if o.inflight == 0 {
		o.mu.Unlock()
		return true
	}
	if o.idle == nil {
		o.idle = make(chan struct{})
	}
	idle := o.idle
	o.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-time.After(grace):
		return false
	}
}

// Len is how many tokens are open or owed.
func (o *OpenTokens) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.open) + len(o.owed)
}

// RevokeAll invalidates every open token and settles what is owed, all at
// once, and returns when each is done or ctx ends (the caller bounds it:
// go-plugin kills the process two seconds after asking it to stop). A token
// that is already invalid counts as revoked. It returns one error per token
// still valid or mint still unsettled, naming ids (never a secret); those
// stay in the set.
func (o *OpenTokens) RevokeAll(ctx context.Context) []error {
	o.mu.Lock()
	pending := make(map[openKey]*client.Client, len(o.open))
	for k, c := range o.open {
		pending[k] = c
	}
	owed := make(map[owedKey]client.Debt, len(o.owed))
	for k, d := range o.owed {
		owed[k] = d
	}
	o.mu.Unlock()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for k, c := range pending {
		wg.Go(func() {
			err := c.DeleteToken(ctx, k.username, k.id)
			if err != nil && !client.IsNotFound(err) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("ephemeral token %s of user %q is still valid: %w", k.id, k.username, err))
				mu.Unlock()
				return
			}
			o.remove(k.username, k.id)
			tflog.Info(ctx, "invalidated ephemeral MotherDuck token Terraform left open", map[string]any{"username": k.username, "token_id": k.id})
		})
	}
	for k, d := range owed {
		wg.Go(func() {
			// SettleDebt outlasts a cancelled caller on purpose; here the
			// process is ending, so it is bounded by ctx all the same.
			type result struct {
				left client.Debt
				err  error
			}
			ch := make(chan result, 1)
			go func() {
				left, err := k.c.SettleDebt(ctx, k.username, d, true)
				ch <- result{left, err}
			}()
			var left client.Debt
			var err error
			select {
			case r := <-ch:
				left, err = r.left, r.err
			case <-ctx.Done():
				left, err = d, ctx.Err()
			}
			o.mu.Lock()
			if left.Empty() {
				delete(o.owed, k)
			} else {
				o.owed[k] = left
			}
			o.mu.Unlock()
			if !left.Empty() {
				mu.Lock()
				e := fmt.Errorf("what ephemeral token mints of user %q left is not settled (tokens %v, %d mint(s) of unknown outcome)",
					k.username, left.Revoke, len(left.Intents))
				if err != nil {
					e = fmt.Errorf("%w: %w", e, err)
				}
				errs = append(errs, e)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}
