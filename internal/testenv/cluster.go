package testenv

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// ClusterStopTimeout bounds the cleanup of a test cluster.
const ClusterStopTimeout = 2 * time.Minute

// Cluster is a simulated cluster started for a test.
type Cluster struct {
	*cluster.Cluster
	// Name is the environment name the cluster was made for.
	Name string
	// CacheDir holds kwokctl's workdir for this cluster only.
	CacheDir string
	Provider *kwok.Provider
}

// Stop deletes the cluster and checks no process is left.
func (c *Cluster) Stop(ctx context.Context) error {
	return c.Provider.Delete(ctx, &state.Environment{Name: c.Name, Kubeconfig: c.Kubeconfig})
}

// StartCluster starts a simulated cluster with 1+workers fake nodes in a
// temporary cache directory, writes its context to a temporary kubeconfig,
// and deletes it when the test ends. It fails the test when the binaries
// are missing (run `make testenv`).
func StartCluster(ctx context.Context, t testing.TB, name string, workers int) *Cluster {
	t.Helper()
	bins, err := Binaries()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	p := kwok.New(kwok.Options{CacheDir: cache, Binaries: bins})
	req := cluster.Request{Name: name, Spec: stacks.Cluster{Workers: workers}, Kubeconfig: filepath.Join(t.TempDir(), "kubeconfig")}
	if err := p.Preflight(ctx, req).Err(); err != nil {
		t.Fatal(err)
	}
	cl, err := p.Ensure(ctx, req)
	c := &Cluster{Name: name, CacheDir: cache, Provider: p}
	if cl != nil {
		c.Cluster = cl
	} else {
		c.Cluster = &cluster.Cluster{Kubeconfig: req.Kubeconfig}
	}
	// Registered before checking err: a half-started cluster is cleaned too.
	t.Cleanup(func() {
		ReportLogs(t, kwok.Workdir(cache))
		sctx, cancel := context.WithTimeout(context.Background(), ClusterStopTimeout)
		defer cancel()
		if err := c.Stop(sctx); err != nil {
			t.Errorf("stopping simulated cluster %s: %v", name, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
