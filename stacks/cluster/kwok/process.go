package kwok

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Process is a control-plane process kwokctl started, from its pid file.
type Process struct {
	// Name is the pid file's name without .pid (etcd, kube-apiserver, ...).
	Name string
	PID  int
}

func (p Process) String() string { return fmt.Sprintf("%s (pid %d)", p.Name, p.PID) }

// Timeouts for processes to go away.
const (
	// ProcessExitTimeout bounds the wait for processes to exit after
	// kwokctl stopped them (it sends SIGKILL).
	ProcessExitTimeout = 15 * time.Second
	processPollEvery   = 100 * time.Millisecond
)

// readPIDs lists the processes recorded in <clusterDir>/pids. A missing
// directory means none.
func readPIDs(clusterDir string) ([]Process, error) {
	dir := filepath.Join(clusterDir, "pids")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading kwok pid files in %s: %w", dir, err)
	}
	var out []Process
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".pid")
		if e.IsDir() || !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading kwok pid file: %w", err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("kwok pid file %s holds %q, not a process id", filepath.Join(dir, e.Name()), b)
		}
		out = append(out, Process{Name: name, PID: pid})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// alive reports whether pid is a running process. A zombie (exited, not yet
// reaped by its new parent, often the container's pid 1) counts as gone.
func alive(pid int) bool {
	if pid <= 0 {
		return false // kill(2) would signal a process group
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		// No procfs (not Linux): trust kill(2).
		return !errors.Is(err, os.ErrNotExist) || !procfs()
	}
	// Fields after the command, which is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return true
	}
	return stat[i+2] != 'Z' && stat[i+2] != 'X'
}

func procfs() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// running returns the processes that are still alive.
func running(procs []Process) []Process {
	var out []Process
	for _, p := range procs {
		if alive(p.PID) {
			out = append(out, p)
		}
	}
	return out
}

// waitGone waits until none of procs is alive. On timeout it names the
// survivors so the user can stop them.
func waitGone(ctx context.Context, procs []Process, timeout time.Duration) error {
	var left []Process
	err := wait.PollUntilContextTimeout(ctx, processPollEvery, timeout, true, func(context.Context) (bool, error) {
		left = running(procs)
		return len(left) == 0, nil
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("waiting for simulated cluster processes %s to exit: %w", pidList(left), context.Cause(ctx))
	}
	names := make([]string, len(left))
	for i, p := range left {
		names[i] = p.String()
	}
	return fmt.Errorf("simulated cluster processes still running after %s: %s (stop them with `kill %s`)",
		timeout, strings.Join(names, ", "), pidList(left))
}

func pidList(procs []Process) string {
	s := make([]string, len(procs))
	for i, p := range procs {
		s[i] = strconv.Itoa(p.PID)
	}
	return strings.Join(s, " ")
}
