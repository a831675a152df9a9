//go:build integration

package kind

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

// TestIntegrationKind drives the real kind library against the local
// container runtime: preflight, create, reuse and delete. It is skipped,
// saying why, only when no container runtime answers; any other preflight
// failure, and a failed create, fail it (after checking that a failed
// create kept its logs and deleted the cluster).
//
//	go test -tags integration -run TestIntegrationKind -v ./stacks/cluster/kind/
//
// LABCTL_IT_NODE_IMAGE overrides the node image (e.g. a local stand-in
// where nothing can be pulled).
func TestIntegrationKind(t *testing.T) {
	log := cli.NewLogger(os.Stderr, 1)
	p := New(Options{Log: log, WorkDir: t.TempDir(), DefaultNodeImage: os.Getenv("LABCTL_IT_NODE_IMAGE")})
	req := cluster.Request{
		Name:       "labctl-it",
		Spec:       stacks.Cluster{Workers: 1, Ports: stacks.Ports{HTTP: 18080, HTTPS: 18443}, Requires: stacks.Resources{MemoryMiB: 4096, CPUs: 2}},
		Kubeconfig: t.TempDir() + "/kubeconfig",
		Status:     cli.NewStatus(os.Stderr, false),
	}
	rep := p.Preflight(context.Background(), req)
	for _, f := range rep {
		t.Logf("preflight %s", f)
	}
	for _, f := range rep.Errors() {
		switch f.Check {
		case preflight.CheckRuntime, preflight.RuntimeDocker, preflight.RuntimePodman, preflight.RuntimeNerdctl:
			t.Skipf("no container runtime answers, so no kind cluster can be made here: %s", f)
		}
	}
	require.NoError(t, rep.Err(), "preflight")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := p.Ensure(ctx, req)
	t.Logf("Ensure took %s", time.Since(start))
	if err != nil {
		t.Logf("create failed as reported to the user:\n%v", err)
		var ce *CreateError
		require.True(t, errors.As(err, &ce), "a create failure is a *CreateError")
		entries, rerr := os.ReadDir(ce.LogsDir)
		require.NoError(t, rerr, "the logs directory exists")
		for _, e := range entries {
			t.Logf("  %s/%s", ce.LogsDir, e.Name())
		}
		b, _ := p.backend()
		names, lerr := b.List()
		require.NoError(t, lerr)
		assert.NotContains(t, names, req.Name, "the failed cluster was deleted")
		assert.False(t, p.leftover(req.Name))
		t.Fatalf("creating the kind cluster failed: %v", err)
	}
	assert.True(t, c.Created)
	assert.Equal(t, "kind-labctl-it", c.Context)

	again, err := p.Ensure(ctx, req)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.True(t, again.Owned)
	assert.Equal(t, c.Ingress, again.Ingress)

	require.NoError(t, p.Delete(ctx, &state.Environment{Name: req.Name, Context: c.Context, Kubeconfig: req.Kubeconfig, ClusterCreated: true}))
}
