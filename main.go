// Command terraform-provider-motherduck serves the MotherDuck Terraform provider
// over the plugin protocol (version 6).
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/duckops/terraform-provider-motherduck/internal/gctune"
	"github.com/duckops/terraform-provider-motherduck/internal/provider"
	"github.com/duckops/terraform-provider-motherduck/internal/quietlogs"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "dev"

const (
	providerAddress = "registry.terraform.io/duckops/motherduck"
	// providerLoggerName is the name terraform-plugin-go gives the provider's
	// logger for providerAddress (TF_LOG_PROVIDER_MOTHERDUCK).
	providerLoggerName = "motherduck"
)

func main() {
	gctune.Apply()
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	// The ephemeral tokens opened and not closed when the process ends are
	// revoked first (shutdown.go).
	open := provider.NewOpenTokens()
	revokeOnTermination(open)

	// What providerserver.Serve does for protocol 6, except that when
	// nobody asked for logs every logger of the process is off (package
	// quietlogs). Under a debugger the provider's stderr is what one reads,
	// so it keeps every log there.
	opts := []tf6server.ServeOpt{tf6server.WithManagedDebug()}
	if !debug {
		var err error
		if opts, err = quietlogs.ServeOpts(); err != nil {
			log.Fatal(err.Error())
		}
		// Started by Terraform, which may die without stopping it.
		revokeWhenOrphaned(open)
	}
	p := provider.NewWithOptions(version, provider.Options{OpenTokens: open})()
	err := tf6server.Serve(providerAddress, providerserver.NewProtocol6(p), opts...)
	// Serve returns on go-plugin's Shutdown: an open in flight still gets
	// to record what it minted before the rest is revoked.
	open.Drain(shutdownGrace / 2)
	revokeOpenTokens(open, shutdownGrace)
	if err != nil {
		log.Fatal(err.Error())
	}
}
