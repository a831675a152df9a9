//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labctl/labctl/internal/testenv"
	"github.com/labctl/labctl/stacks/cluster/kwok"
	"github.com/labctl/labctl/stacks/provision"
)

// Timeouts of the user-level steps on a 2-core machine.
const (
	// UpTimeout bounds `labctl up` of the default stack on kwok.
	UpTimeout = 8 * time.Minute
	// CommandTimeout bounds quick commands (status, a no-op up).
	CommandTimeout = 2 * time.Minute
	// DownTimeout bounds `labctl down`: longer than down's own bounded
	// waits, so a slow CRD deletion (the API server can take a minute or
	// more to finalize a CRD that other clients watch) fails with down's
	// message, not a killed process.
	DownTimeout = provision.TimeoutUninstall + provision.TimeoutNamespaceDelete + time.Minute
	// InterruptTimeout bounds the wait for `up` to exit after SIGINT. It is
	// a hang guard, not a speed goal (up exits in well under a second): the
	// test asserts that up exits non-zero, and without a bound a hung up
	// would hold the suite until go test's own timeout and lose its stderr.
	InterruptTimeout = 30 * time.Second
	pollEvery        = 200 * time.Millisecond
)

// lab is one user's machine: its own state and cache directories and
// kubeconfig, and the environment variables that point labctl at the local
// chart repository and the simulated-cluster binaries.
type lab struct {
	t          *testing.T
	name       string
	stateDir   string
	cacheDir   string
	kubeconfig string
	env        []string
}

func newLab(t *testing.T, name string) *lab {
	t.Helper()
	l := &lab{t: t, name: name, stateDir: t.TempDir(), cacheDir: t.TempDir()}
	l.kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LABCTL_") || strings.HasPrefix(k, "KWOK_") || k == "KUBECONFIG" {
			continue
		}
		l.env = append(l.env, kv)
	}
	l.env = append(l.env,
		"LABCTL_STATE_DIR="+l.stateDir,
		"LABCTL_CACHE_DIR="+l.cacheDir,
		"LABCTL_CHART_MIRROR="+charts.URL,
		// Nothing may touch the user's own kubeconfig.
		"KUBECONFIG="+l.kubeconfig,
	)
	l.env = append(l.env, testenv.Env(binaries)...)
	// Registered first, so it runs last, after the test's own `down`: a
	// cluster that `down` failed to delete still has its logs then.
	t.Cleanup(func() { testenv.ReportLogs(t, kwok.Workdir(l.cacheDir)) })
	return l
}

// result of one labctl run.
type result struct {
	stdout, stderr string
	err            error
	took           time.Duration
}

func (r result) String() string {
	return "stdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// command builds a labctl command for this lab's environment.
func (l *lab) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	args = append(args, "--name", l.name)
	cmd := exec.CommandContext(ctx, labctlBin, args...)
	cmd.Env = l.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// A hung labctl is stopped like a user would: Ctrl-C first.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = InterruptTimeout
	return cmd, &out, &errOut
}

// run runs labctl to the end within timeout.
func (l *lab) run(timeout time.Duration, args ...string) result {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd, out, errOut := l.command(ctx, args...)
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), err: err, took: time.Since(start)}
	if ctx.Err() != nil {
		r.err = errors.Join(r.err, ctx.Err())
	}
	l.t.Logf("labctl %s: %v in %s", strings.Join(args, " "), r.err, r.took.Round(time.Millisecond))
	return r
}

// must runs labctl and fails the test unless it succeeds.
func (l *lab) must(timeout time.Duration, args ...string) result {
	l.t.Helper()
	r := l.run(timeout, args...)
	if r.err != nil {
		l.t.Fatalf("labctl %s failed: %v\n%s", strings.Join(args, " "), r.err, r)
	}
	return r
}

// upArgs is `labctl up` of the default stack on a simulated cluster.
func (l *lab) upArgs() []string {
	return []string{"up", "--provider", "kwok", "--kubeconfig", l.kubeconfig}
}

// statusReport is the `labctl status -o json` contract.
type statusReport struct {
	Name       string `json:"name"`
	Provider   string `json:"provider"`
	Context    string `json:"context"`
	Simulated  bool   `json:"simulated"`
	Phase      string `json:"phase"`
	IngressURL string `json:"ingressURL"`
	Components []struct {
		Name      string `json:"name"`
		Release   string `json:"release"`
		Namespace string `json:"namespace"`
		Chart     string `json:"chart"`
		Version   string `json:"version"`
		Status    string `json:"status"`
		Ready     bool   `json:"ready"`
		Message   string `json:"message"`
	} `json:"components"`
}

func (l *lab) status() statusReport {
	l.t.Helper()
	r := l.must(CommandTimeout, "status", "-o", "json")
	var s statusReport
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		l.t.Fatalf("status -o json is not the JSON contract: %v\n%s", err, r)
	}
	return s
}

// requireReady fails unless status lists every expected component, all
// deployed and ready, on a simulated kwok cluster.
func (l *lab) requireReady(s statusReport, provider string, simulated bool, want ...string) {
	l.t.Helper()
	if s.Name != l.name || s.Provider != provider || s.Simulated != simulated || s.Phase != "ready" {
		l.t.Errorf("status: name %q provider %q simulated %v phase %q; want %q %q %v ready",
			s.Name, s.Provider, s.Simulated, s.Phase, l.name, provider, simulated)
	}
	seen := map[string]bool{}
	for _, c := range s.Components {
		seen[c.Name] = true
		if c.Status != "deployed" || !c.Ready || c.Release == "" || c.Namespace == "" || c.Chart == "" || c.Version == "" {
			l.t.Errorf("component %+v is not a deployed, ready release", c)
		}
	}
	for _, w := range want {
		if !seen[w] {
			l.t.Errorf("status does not list component %s (has %v)", w, seen)
		}
	}
}

// defaultComponents are the components of the default stack (bookinfo:
// sidecar Istio with ingress, four addons, the app).
var defaultComponents = []string{"istio-base", "istiod", "istio-ingress", "prometheus", "kiali", "grafana", "jaeger", "bookinfo"}

// recordReleases reads how many releases the environment record lists; -1
// when there is no record yet.
func (l *lab) recordReleases() int {
	b, err := os.ReadFile(filepath.Join(l.stateDir, l.name+".json"))
	if err != nil {
		return -1
	}
	var rec struct {
		Releases []json.RawMessage `json:"releases"`
	}
	if json.Unmarshal(b, &rec) != nil {
		return -1
	}
	return len(rec.Releases)
}

// lockHeld reports whether a labctl process holds the environment's lock:
// labctl writes its pid into the lock file once it holds the flock and
// empties it on release. Probing with flock ourselves could make the real
// labctl see a busy lock.
func (l *lab) lockHeld() bool {
	b, err := os.ReadFile(filepath.Join(l.stateDir, l.name+".lock"))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return err == nil && syscall.Kill(pid, 0) == nil
}
