// Package gctune sets how often the provider process collects garbage.
package gctune

import (
	"os"
	"runtime/debug"
)

// Apply makes the garbage collector run a quarter as often as Go's default
// (GOGC=100), unless GOGC or GOMEMLIMIT is set: a provider process lives for
// one Terraform command, and most of its CPU went to collecting the
// framework's short-lived per-call garbage (BENCHMARKS.md: provider CPU of a
// plan of 500 tokens 1.35 s -> 0.96 s, peak memory 97 -> 189 MiB). The soft
// limit makes it collect as often as needed to stay under 512 MiB.
func Apply() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(512 << 20)
}
