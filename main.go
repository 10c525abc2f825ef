// Command terraform-provider-motherduck serves the MotherDuck Terraform provider
// over the plugin protocol (version 6).
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/duckops/terraform-provider-motherduck/internal/provider"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	// What providerserver.Serve does for protocol 6, plus one option: when
	// nobody asked for logs, go-plugin's own logger is silenced as well as
	// terraform-plugin-log's (logging.go). Under a debugger the provider's
	// stderr is what one reads, so it keeps every log there.
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		quiet, err := quietLogsUnlessAsked()
		if err != nil {
			log.Fatal(err.Error())
		}
		if quiet {
			opts = append(opts, tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
		}
	}
	err := tf6server.Serve("registry.terraform.io/duckops/motherduck", providerserver.NewProtocol6(provider.New(version)()), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}
