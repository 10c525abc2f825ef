package gctune

import (
	"runtime/debug"
	"testing"
)

// TestApply: without GOGC or GOMEMLIMIT the collector runs at GOGC=400
// under a 512 MiB soft limit; with either set, the process keeps what it asked for.
func TestApply(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	Apply()
	if got := debug.SetGCPercent(100); got != 400 {
		t.Errorf("GOGC %d, want 400", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 512<<20 {
		t.Errorf("memory limit %d, want 512 MiB", got)
	}

	t.Setenv("GOGC", "100")
	debug.SetGCPercent(100)
	Apply()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GOGC became %d", got)
	}
}
