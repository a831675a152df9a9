package preflight

import (
	"fmt"
	"strconv"
	"strings"
)

// Inotify limits Istio on kind needs: every node's kubelet, containerd and
// the istio-cni/ztunnel pods share the host user's inotify budget; below
// these, pods fail with "too many open files".
const (
	MinInotifyWatches   = 524288
	MinInotifyInstances = 512
)

// Files Inotify reads.
const (
	inotifyWatchesFile   = "/proc/sys/fs/inotify/max_user_watches"
	inotifyInstancesFile = "/proc/sys/fs/inotify/max_user_instances"
)

// Inotify reads the host's inotify limits through readFile (os.ReadFile in
// production) and warns with the exact sysctl lines when they are below
// MinInotifyWatches / MinInotifyInstances. Call it only when the container
// runtime runs on this Linux host (not Docker Desktop's VM, not a remote
// DOCKER_HOST). Unreadable files are not a finding.
func Inotify(readFile func(string) ([]byte, error)) Report {
	type limit struct {
		key  string
		file string
		min  int
	}
	var low []string
	var set, persist []string
	for _, l := range []limit{
		{"fs.inotify.max_user_watches", inotifyWatchesFile, MinInotifyWatches},
		{"fs.inotify.max_user_instances", inotifyInstancesFile, MinInotifyInstances},
	} {
		b, err := readFile(l.file)
		if err != nil {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || v >= l.min {
			continue
		}
		low = append(low, fmt.Sprintf("%s is %d (need %d)", l.key, v, l.min))
		set = append(set, fmt.Sprintf("sudo sysctl %s=%d", l.key, l.min))
		persist = append(persist, fmt.Sprintf(`%s = %d\n`, l.key, l.min))
	}
	if len(low) == 0 {
		return nil
	}
	fix := append([]string{"raise them now:"}, set...)
	fix = append(fix,
		"and keep them after a reboot:",
		fmt.Sprintf("printf '%s' | sudo tee /etc/sysctl.d/99-labctl-inotify.conf", strings.Join(persist, "")),
	)
	return Report{{
		Check:    CheckInotify,
		Severity: Warning,
		Problem:  "inotify limits are low for Istio on kind: " + strings.Join(low, ", ") + `; pods may fail with "too many open files"`,
		Fix:      strings.Join(fix, "\n"),
	}}
}
