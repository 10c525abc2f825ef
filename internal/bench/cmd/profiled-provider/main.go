// Command profiled-provider serves the real MotherDuck provider as main does
// (loggers off unless asked for, package quietlogs), or, when its file name
// contains "mdnoop", the benchmark's do-nothing provider as it is (logs as a
// plain framework provider), with a CPU profile written for each process, to
// find where a benchmark's time goes. It is a benchmark tool, never shipped.
//
// Build it as terraform-provider-motherduck (or terraform-provider-mdnoop),
// serve it with dev_overrides and set BENCH_CPUPROFILE_DIR; every provider
// process Terraform starts writes <dir>/<name>-<pid>.pprof when Terraform
// stops it. Read them with `go tool pprof -top <binary> <dir>/*.pprof`.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/duckops/terraform-provider-motherduck/internal/bench/noopprovider"
	"github.com/duckops/terraform-provider-motherduck/internal/gctune"
	mdprovider "github.com/duckops/terraform-provider-motherduck/internal/provider"
	"github.com/duckops/terraform-provider-motherduck/internal/quietlogs"
)

func main() {
	name := filepath.Base(os.Args[0])
	addr, factory := "registry.terraform.io/duckops/motherduck", mdprovider.New("profiled")
	var opts []tf6server.ServeOpt
	if strings.Contains(name, "mdnoop") {
		addr, factory = noopprovider.Address, noopprovider.New("profiled")
	} else {
		gctune.Apply()
		var err error
		if opts, err = quietlogs.ServeOpts(); err != nil {
			log.Fatal(err.Error())
		}
	}
	if dir := os.Getenv("BENCH_CPUPROFILE_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", name, os.Getpid())))
		if err != nil {
			log.Fatal(err.Error())
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err.Error())
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	if err := tf6server.Serve(addr, providerserver.NewProtocol6(factory()), opts...); err != nil {
		log.Print(err.Error())
	}
}
