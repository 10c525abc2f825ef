// Command noop-provider serves the do-nothing benchmark provider
// (registry.terraform.io/duckops/mdnoop, package internal/bench/noopprovider)
// over the plugin protocol (version 6). Build it as terraform-provider-mdnoop
// and serve it with dev_overrides; scripts/bench.sh does both. It is a
// benchmark baseline, never part of the shipped provider.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/duckops/terraform-provider-motherduck/internal/bench/noopprovider"
)

func main() {
	err := providerserver.Serve(context.Background(), noopprovider.New("dev"), providerserver.ServeOpts{Address: noopprovider.Address})
	if err != nil {
		log.Fatal(err.Error())
	}
}
