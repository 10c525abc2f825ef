package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/duckops/terraform-provider-motherduck/internal/client"
)

// OpenTokens is the set of ephemeral tokens a provider process has opened and
// not yet closed, each with the client that minted it.
//
// Terraform does not always call Close: when a resource or data source that
// depends on an ephemeral token fails, the run ends without closing it. The
// provider process is then stopped (go-plugin's Shutdown call), and main
// revokes what is left here with RevokeAll.
type OpenTokens struct {
	mu   sync.Mutex
	open map[openKey]*client.Client
}

type openKey struct{ username, id string }

// NewOpenTokens returns an empty set.
func NewOpenTokens() *OpenTokens {
	return &OpenTokens{open: map[openKey]*client.Client{}}
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

// Len is how many tokens are open.
func (o *OpenTokens) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.open)
}

// RevokeAll invalidates every open token, all at once, and returns when each
// is done or ctx ends (the caller bounds it: go-plugin kills the process two
// seconds after asking it to stop). A token that is already invalid counts as
// revoked. It returns one error per token still valid, naming its id (never
// its secret); those tokens stay in the set.
func (o *OpenTokens) RevokeAll(ctx context.Context) []error {
	o.mu.Lock()
	pending := make(map[openKey]*client.Client, len(o.open))
	for k, c := range o.open {
		pending[k] = c
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
	wg.Wait()
	return errs
}
