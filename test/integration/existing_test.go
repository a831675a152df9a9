//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/labctl/labctl/internal/testenv"
)

// TestIntegrationExistingRestoresCluster: `up --provider existing` against
// a cluster labctl did not make (a simulated one started by the test)
// installs the default stack, and `down` puts the cluster back exactly as it
// was found: same namespaces and labels, CRDs, cluster RBAC, webhooks, and
// no Helm release.
func TestIntegrationExistingRestoresCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), UpTimeout+CommandTimeout+DownTimeout)
	defer cancel()
	cl := testenv.StartCluster(ctx, t, "theirs", 1)
	c := connect(t, cl.Kubeconfig, cl.Context)
	before := c.settledSnapshot(ctx, t)
	if r, err := c.helmReleases(ctx); err != nil || len(r) != 0 {
		t.Fatalf("fresh cluster has Helm releases %v (%v)", r, err)
	}

	l := newLab(t, "adopt")
	t.Cleanup(func() { l.run(DownTimeout, "down") })
	l.must(UpTimeout, "up", "--provider", "existing", "--kubeconfig", cl.Kubeconfig, "--context", cl.Context)
	s := l.status()
	l.requireReady(s, "existing", s.Simulated, defaultComponents...)
	if s.Context != cl.Context {
		t.Errorf("status context %q, want %q", s.Context, cl.Context)
	}
	during, err := c.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff(before, during)) == 0 {
		t.Fatalf("up changed no namespace, CRD, RBAC or webhook: the comparison below would prove nothing")
	}

	l.must(DownTimeout, "down")
	after, err := c.snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(before, after); len(d) > 0 {
		t.Errorf("down did not restore the cluster (- missing, + left behind):\n%s", strings.Join(d, "\n"))
	}
	if r, err := c.helmReleases(ctx); err != nil || len(r) != 0 {
		t.Errorf("Helm releases left after down: %v (%v)", r, err)
	}
	if r := l.run(CommandTimeout, "status", "-o", "json"); r.err == nil {
		t.Errorf("status succeeds after down:\n%s", r)
	}
}
