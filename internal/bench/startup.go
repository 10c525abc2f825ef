package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Startup is what starting one provider process costs, up to the moment it
// is ready for Terraform's first call: the go-plugin handshake line on its
// stdout. Terraform starts several provider processes per command (3 to 5),
// so this is paid that many times whatever N is.
type Startup struct {
	Variant Variant
	Samples int
	Wall    time.Duration // median time from exec to the handshake line
	CPU     time.Duration // median user + system time of the process until then
}

// Handshake settings of terraform-plugin-go's protocol 6 servers, as
// Terraform sends them.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
)

// measureStartups starts each variant's binary samples times, interleaved,
// with no log setting, and times it to its handshake line.
func (r *runner) measureStartups(ctx context.Context, samples int) ([]Startup, error) {
	exes := map[Variant]string{Real: r.realExe, Noop: r.noopExe, Peer: r.peerExe}
	var vs []Variant
	for _, v := range []Variant{Real, Noop, Peer} {
		if exes[v] != "" {
			vs = append(vs, v)
		}
	}
	walls, cpus := map[Variant][]time.Duration{}, map[Variant][]time.Duration{}
	for i := range samples {
		for _, v := range Rotate(vs, i) {
			wall, cpu, err := startOnce(ctx, exes[v])
			if err != nil {
				return nil, err
			}
			walls[v], cpus[v] = append(walls[v], wall), append(cpus[v], cpu)
		}
	}
	var out []Startup
	for _, v := range vs {
		out = append(out, Startup{Variant: v, Samples: samples, Wall: Median(walls[v]), CPU: Median(cpus[v])})
	}
	return out, nil
}

// startOnce starts exe as Terraform would, with no log setting, waits for
// its handshake line and stops it.
func startOnce(ctx context.Context, exe string) (wall, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(startupEnv(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=6")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	wall = time.Since(start)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: no protocol 6 handshake line (got %q): %w", exe, line, err)
	}
	if !strings.Contains(line, "|6|") {
		return 0, 0, fmt.Errorf("%s: no protocol 6 handshake line (got %q)", exe, line)
	}
	if ps := cmd.ProcessState; ps != nil {
		cpu = ps.UserTime() + ps.SystemTime()
	}
	return wall, cpu, nil
}

// startupEnv is the environment of a provider process started by Terraform
// with no log setting.
func startupEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "TF_") {
			out = append(out, kv)
		}
	}
	return out
}
