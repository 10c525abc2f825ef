package bench

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStatus is what the benchmark reads from /proc/<pid>/status.
type procStatus struct {
	PPid   int
	HWMKiB int64 // VmHWM: peak resident set size
}

// parseProcStatus reads the PPid and VmHWM fields of a /proc/<pid>/status
// text. ok is false when PPid is missing.
func parseProcStatus(text string) (st procStatus, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		key, val, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "PPid":
			n, err := strconv.Atoi(val)
			if err != nil {
				return procStatus{}, false
			}
			st.PPid, ok = n, true
		case "VmHWM":
			num, _, _ := strings.Cut(val, " ")
			if n, err := strconv.ParseInt(num, 10, 64); err == nil {
				st.HWMKiB = n
			}
		}
	}
	return st, ok
}

// clockTick is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100
// on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// parseProcStatCPU returns utime + stime from a /proc/<pid>/stat text. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ")".
func parseProcStatCPU(text string) (time.Duration, bool) {
	i := strings.LastIndexByte(text, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(text[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * clockTick, true
}

// PeakWatcher polls /proc for the children of one process (Terraform) that
// run a given executable (a provider plugin) and keeps the largest VmHWM
// seen. A provider often lives for less than a whole command, and Terraform
// may start several; the peak is the largest of any of them.
type PeakWatcher struct {
	parent int
	exe    string
	stop   chan struct{}
	done   chan struct{}

	mu    sync.Mutex
	peak  int64
	procs map[int]time.Duration // children seen running exe: their CPU time
}

// WatchPeak starts polling every interval for children of parent whose
// /proc/<pid>/exe is exe. Call Stop to end it.
func WatchPeak(parent int, exe string, interval time.Duration) *PeakWatcher {
	w := &PeakWatcher{parent: parent, exe: exe, stop: make(chan struct{}), done: make(chan struct{}), procs: map[int]time.Duration{}}
	go w.loop(interval)
	return w
}

// Stop ends polling and returns the peak in KiB (0 when no matching process
// was seen), how many matching processes were seen and their CPU time (user
// + system) as last seen, which misses at most one interval of each.
func (w *PeakWatcher) Stop() (peakKiB int64, processes int, cpu time.Duration) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.procs {
		cpu += c
	}
	return w.peak, len(w.procs), cpu
}

func (w *PeakWatcher) loop(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	// others holds pids known not to be children of parent: a process's
	// parent only changes when it is orphaned, so they need no second look.
	others := map[int]bool{}
	for {
		w.poll(others)
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

func (w *PeakWatcher) poll(others map[int]bool) {
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || others[pid] {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", name, "status"))
		if err != nil {
			continue
		}
		st, ok := parseProcStatus(string(b))
		if !ok {
			continue
		}
		if st.PPid != w.parent {
			others[pid] = true
			continue
		}
		// A child shows Terraform's own exe until it has exec'd the plugin.
		if exe, err := os.Readlink(filepath.Join("/proc", name, "exe")); err != nil || exe != w.exe {
			continue
		}
		cpu, cpuOK := time.Duration(0), false
		if b, err := os.ReadFile(filepath.Join("/proc", name, "stat")); err == nil {
			cpu, cpuOK = parseProcStatCPU(string(b))
		}
		w.mu.Lock()
		if cpuOK || w.procs[pid] == 0 {
			w.procs[pid] = max(w.procs[pid], cpu)
		}
		w.peak = max(w.peak, st.HWMKiB)
		w.mu.Unlock()
	}
}
