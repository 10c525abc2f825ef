package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPUs      int
	CPUModel  string
	MemTotal  string // e.g. "23.4 GiB"
	GoVersion string
	Terraform string
	Kernel    string
}

// ReadMachine reads the machine's description from /proc and the Terraform
// CLI's version.
func ReadMachine(ctx context.Context, terraform string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), CPUModel: "unknown", MemTotal: "unknown", Terraform: "unknown", Kernel: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if v := procField(string(b), "model name"); v != "" {
			m.CPUModel = v
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v := procField(string(b), "MemTotal"); v != "" {
			num, _, _ := strings.Cut(v, " ")
			if kib, err := strconv.ParseFloat(num, 64); err == nil {
				m.MemTotal = strconv.FormatFloat(kib/1024/1024, 'f', 1, 64) + " GiB"
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, terraform, "version", "-json").Output(); err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil && v.Version != "" {
			m.Terraform = v.Version
		}
	}
	return m
}

// procField returns the value of the first "key : value" line of a /proc
// file such as cpuinfo or meminfo.
func procField(text, key string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
