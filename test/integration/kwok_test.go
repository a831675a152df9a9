//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// TestIntegrationKwokUpStatusDown: `up` of the default stack on a simulated
// cluster installs every component and reports ready; a second `up` changes
// nothing and is quick; `down` leaves no process, data, context or record.
func TestIntegrationKwokUpStatusDown(t *testing.T) {
	l := newLab(t, "itest")
	t.Cleanup(func() { l.run(DownTimeout, "down") })

	up := l.must(UpTimeout, l.upArgs()...)
	t.Logf("first up took %s", up.took.Round(time.Millisecond))
	if !strings.Contains(up.stdout, "simulated") {
		t.Errorf("up does not say the cluster is simulated:\n%s", up)
	}
	s := l.status()
	l.requireReady(s, "kwok", true, defaultComponents...)
	if s.Context != kwok.ClusterName(l.name) {
		t.Errorf("status context %q, want %q", s.Context, kwok.ClusterName(l.name))
	}
	text := l.must(CommandTimeout, "status")
	if !strings.Contains(text.stdout, "simulated") {
		t.Errorf("status text does not say the cluster is simulated:\n%s", text)
	}

	c := connect(t, l.kubeconfig, s.Context)
	ctx := context.Background()
	before, err := c.helmReleases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A second up changes nothing; how fast it is, is hack/bench-up.sh's
	// to measure.
	again := l.must(CommandTimeout, l.upArgs()...)
	t.Logf("second up took %s", again.took.Round(time.Millisecond))
	after, err := c.helmReleases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(before, after); len(d) > 0 {
		t.Errorf("second up changed Helm releases (want a no-op):\n%s", strings.Join(d, "\n"))
	}

	requireDataPlaneSkipped(t, l)

	procs := l.kwokProcesses()
	if len(procs) < 4 {
		t.Fatalf("kwok recorded %d processes (%v), want etcd, apiserver, controller-manager, scheduler, kwok", len(procs), procs)
	}
	l.must(DownTimeout, "down")
	requireGone(t, l, procs)
}

// requireGone checks what `down` must leave behind on a kwok environment:
// no process, no cluster directory, no kube context, no record.
func requireGone(t *testing.T, l *lab, procs map[string]int) {
	t.Helper()
	for name, pid := range procs {
		if running(pid) {
			t.Errorf("%s (pid %d) still runs after down", name, pid)
		}
	}
	dir := kwok.ClusterDir(kwok.Workdir(l.cacheDir), l.name)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s survived down: %v", dir, err)
	}
	if cfg, err := clientcmd.LoadFromFile(l.kubeconfig); err == nil {
		if _, ok := cfg.Contexts[kwok.ClusterName(l.name)]; ok {
			t.Errorf("context %s still in %s after down", kwok.ClusterName(l.name), l.kubeconfig)
		}
	}
	if _, err := os.Stat(filepath.Join(l.stateDir, l.name+".json")); !os.IsNotExist(err) {
		t.Errorf("environment record survived down: %v", err)
	}
	if r := l.run(CommandTimeout, "status", "-o", "json"); r.err == nil {
		t.Errorf("status succeeds after down:\n%s", r)
	}
}

// TestIntegrationKwokInterruptAndLock: while one `up` works, a second `up`
// of the same environment is refused with a clear message; Ctrl-C stops the
// first promptly; `up` again converges; `down` cleans up.
func TestIntegrationKwokInterruptAndLock(t *testing.T) {
	l := newLab(t, "intr")
	t.Cleanup(func() { l.run(DownTimeout, "down") })

	ctx, cancel := context.WithTimeout(context.Background(), UpTimeout)
	defer cancel()
	first, out, errOut := l.command(ctx, l.upArgs()...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Wait() }()

	// Mid-install: the lock is held and the first release is recorded.
	err := wait.PollUntilContextTimeout(ctx, pollEvery, UpTimeout, true, func(context.Context) (bool, error) {
		select {
		case err := <-done:
			done <- err
			return true, nil
		default:
		}
		return l.lockHeld() && l.recordReleases() >= 1, nil
	})
	select {
	case err := <-done:
		t.Fatalf("up ended before it could be interrupted (%v):\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	default:
	}
	if err != nil {
		t.Fatalf("up never got to its first release: %v\nstderr:\n%s", err, errOut)
	}

	second := l.run(CommandTimeout, l.upArgs()...)
	if second.err == nil || !strings.Contains(second.stderr, "already working on environment") {
		t.Errorf("concurrent up: err %v, want a refusal saying \"already working on environment\"\n%s", second.err, second)
	}

	if err := first.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("interrupted up exited 0, want non-zero")
		}
		t.Logf("up exited %s after SIGINT: %v", time.Since(start).Round(time.Millisecond), err)
	case <-time.After(InterruptTimeout):
		t.Fatalf("up still running %s after SIGINT\nstderr:\n%s", InterruptTimeout, errOut)
	}

	l.must(UpTimeout, l.upArgs()...)
	l.requireReady(l.status(), "kwok", true, defaultComponents...)
	procs := l.kwokProcesses()
	l.must(DownTimeout, "down")
	requireGone(t, l, procs)
}

// requireDataPlaneSkipped runs a check set on the simulated environment:
// the API-only check passes, the checks that need traffic report
// "skipped: simulated cluster has no data plane", never a silent pass.
func requireDataPlaneSkipped(t *testing.T, l *lab) {
	t.Helper()
	r := l.must(CommandTimeout, "check", "-f", filepath.Join("testdata", "dataplane-checks.yaml"), "-o", "json")
	var rep struct {
		Passed  bool `json:"passed"`
		Results []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("check -o json: %v\n%s", err, r)
	}
	want := map[string]string{
		"productpage-pods":            "pass",
		"productpage-through-ingress": "skipped",
		"mesh-sees-requests":          "skipped",
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("check ran %d checks, want %d:\n%s", len(rep.Results), len(want), r)
	}
	for _, res := range rep.Results {
		if res.Status != want[res.Name] {
			t.Errorf("check %s: %s, want %s", res.Name, res.Status, want[res.Name])
		}
		if res.Status == "skipped" && res.Reason != "simulated cluster has no data plane" {
			t.Errorf("check %s skipped for %q, want \"simulated cluster has no data plane\"", res.Name, res.Reason)
		}
	}
	if !strings.Contains(l.must(CommandTimeout, "check", "-f", filepath.Join("testdata", "dataplane-checks.yaml")).stdout+r.stderr, "simulated cluster has no data plane") {
		t.Errorf("check's text output does not say why checks were skipped")
	}
}
