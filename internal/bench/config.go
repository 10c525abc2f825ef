package bench

import (
	"fmt"
	"strings"
)

// Variant is one of the things measured with the same shape.
type Variant string

// The variants: the real provider, the two baselines, and an external
// provider binary to compare with (bench -peer; never part of the project).
const (
	Real   Variant = "motherduck"
	Noop   Variant = "noop"
	TFData Variant = "terraform_data"
	Peer   Variant = "peer"
)

// Variants in the order of the first repetition; later ones rotate it. Peer
// joins them where it is measured.
var Variants = []Variant{Real, TFData, Noop}

// Phase is one Terraform command of a run.
type Phase string

// The phases of a run, in order.
const (
	Apply   Phase = "apply"
	Plan    Phase = "plan"
	Destroy Phase = "destroy"
)

// Phases in the order a run performs them.
var Phases = []Phase{Apply, Plan, Destroy}

// Provider addresses served with dev_overrides.
const (
	realAddress = "registry.terraform.io/duckops/motherduck"
	noopAddress = "registry.terraform.io/duckops/mdnoop"
	peerAddress = "registry.terraform.io/bench-peer/motherduck"
)

// Usernames returns the service accounts the tokens are spread over.
func Usernames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("svc_bench_%d", i)
	}
	return out
}

// ConfigFor returns the Terraform configuration of n resources of variant v,
// spread round-robin over users. Every variant carries the same inputs
// (username and name) so Terraform handles the same amount of data.
func ConfigFor(v Variant, n int, users []string) string {
	var b strings.Builder
	quoted := make([]string, len(users))
	for i, u := range users {
		quoted[i] = fmt.Sprintf("%q", u)
	}
	fmt.Fprintf(&b, "locals {\n  users = [%s]\n}\n\n", strings.Join(quoted, ", "))
	switch v {
	case TFData:
		fmt.Fprintf(&b, `resource "terraform_data" "t" {
  count = %d
  input = {
    username = local.users[count.index %% length(local.users)]
    name     = "bench-${count.index}"
  }
}
`, n)
	default:
		typ, source, resource := "motherduck", "duckops/motherduck", "user_token"
		switch v {
		case Noop:
			typ, source = "mdnoop", "duckops/mdnoop"
		case Peer:
			// The community provider's token resource, configured from
			// the environment like the real one.
			source, resource = "bench-peer/motherduck", "token"
		}
		fmt.Fprintf(&b, `terraform {
  required_providers {
    %[1]s = {
      source = %[2]q
    }
  }
}

provider %[1]q {}

resource "%[1]s_%[4]s" "t" {
  count    = %[3]d
  username = local.users[count.index %% length(local.users)]
  name     = "bench-${count.index}"
}
`, typ, source, n, resource)
	}
	return b.String()
}

// CLIConfig returns a Terraform CLI configuration that serves the real
// provider from realDir, the noop provider from noopDir and, when peerDir is
// not empty, the peer from peerDir.
func CLIConfig(realDir, noopDir, peerDir string) string {
	peer := ""
	if peerDir != "" {
		peer = fmt.Sprintf("    %q = %q\n", peerAddress, peerDir)
	}
	return fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
    %q = %q
%s  }
  direct {}
}
`, realAddress, realDir, noopAddress, noopDir, peer)
}
