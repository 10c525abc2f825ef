package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"

	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// Ephemeral tokens Terraform leaves open
//
// Terraform does not call Close on an ephemeral resource when something that
// depends on it fails. It then stops the provider process the way go-plugin
// does: a Shutdown call, after which the gRPC server stops and Serve returns,
// then two seconds of grace before it kills the process. main uses those
// seconds to revoke what is still open, all tokens at once, bounded by
// shutdownGrace.
//
// The process can also be asked to end otherwise, and then, after waiting
// (drainGrace) for the mints in flight to end and answer, revokes them first:
//   - SIGTERM or SIGHUP (a CI runner or service manager stopping the job, a
//     closed terminal), which would end it at once;
//   - Terraform itself killed outright (SIGKILL): go-plugin leaves its
//     plugins running, orphaned. The process notices that its parent changed
//     and ends.
//
// SIGINT needs nothing: go-plugin ignores it in the plugin, and Terraform's
// Ctrl-C, once or twice, ends in the same Shutdown call. Nothing can revoke them when the
// provider process itself is killed outright (SIGKILL, the out-of-memory
// killer, the machine lost): the token's ttl bounds those.

const (
	// shutdownGrace bounds the revocation after Serve returns, inside
	// go-plugin's two seconds.
	shutdownGrace = 1500 * time.Millisecond
	// terminationGrace bounds it on a signal or when orphaned, where nobody
	// is known to kill the process two seconds later.
	terminationGrace = 5 * time.Second
	// drainGrace bounds the wait, on a signal, for mints in flight (their
	// clean-up included) to end.
	drainGrace = 20 * time.Second
	// answerGrace is left, once they ended, for their answers to reach
	// Terraform.
	answerGrace = 500 * time.Millisecond
	// orphanCheckEvery is how often the process looks at its parent.
	orphanCheckEvery = time.Second
)

// revokeOpenTokens invalidates every ephemeral token still open, within
// grace, and logs through the provider's logger (off unless asked for, as
// for every other line).
func revokeOpenTokens(open *provider.OpenTokens, grace time.Duration) {
	if open.Len() == 0 {
		return
	}
	ctx := tfsdklog.NewRootProviderLogger(context.Background(),
		tfsdklog.WithStderrFromInit(), tfsdklog.WithLogName(providerLoggerName),
		tflog.WithLevelFromEnv("TF_LOG_PROVIDER", providerLoggerName))
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	for _, err := range open.RevokeAll(ctx) {
		tflog.Error(ctx, "could not invalidate an ephemeral token Terraform left open; it stays valid until its ttl ends",
			map[string]any{"error": err.Error()})
	}
}

// revokeOnTermination revokes the open ephemeral tokens when the process is
// asked to end (SIGTERM, SIGHUP), then ends it with the status a shell
// reports for a process ended by that signal.
func revokeOnTermination(open *provider.OpenTokens) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-ch
		// A mint in flight would be cut off with its clean-up: wait for it
		// (bounded), so that its outcome reaches Terraform's state, and
		// what it owes the set below. Terraform, signalled too, is waiting
		// for that answer before it writes its state.
		if !open.Drain(drainGrace) {
			tflog.Error(context.Background(), "mints still in flight when the process had to end; a token they create is settled by the next run")
		} else {
			time.Sleep(answerGrace)
		}
		revokeOpenTokens(open, terminationGrace)
		code := 1
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		os.Exit(code)
	}()
}

// revokeWhenOrphaned revokes the open ephemeral tokens and ends the process
// once the process that started it (Terraform) is gone. Where the parent id
// never changes (Windows), it never fires.
func revokeWhenOrphaned(open *provider.OpenTokens) {
	parent := os.Getppid()
	if parent <= 1 {
		return
	}
	go func() {
		for range time.Tick(orphanCheckEvery) {
			if os.Getppid() != parent {
				revokeOpenTokens(open, terminationGrace)
				os.Exit(1)
			}
		}
	}()
}
