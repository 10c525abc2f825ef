// Package wait holds the one context-aware sleep shared by the API client and
// the emulator. It imports nothing from Terraform, the client or the emulator.
package wait

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, whichever comes first. It returns ctx's
// error when ctx ended first (or had already ended), nil otherwise.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
