package kind

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnsureRestrictsKubeconfig: the kubeconfig kind writes the cluster's
// admin credentials into is owner-only afterwards, on create and on reuse,
// though it was readable by everyone before.
func TestEnsureRestrictsKubeconfig(t *testing.T) {
	for _, exists := range []bool{false, true} {
		fb := newFakeBackend()
		if exists {
			fb.addCluster("labctl", 0)
		}
		p, _ := testProvider(t, fb, Options{DefaultNodeImage: testImage})
		req := request(0)
		req.Kubeconfig = filepath.Join(t.TempDir(), "config")
		require.NoError(t, os.WriteFile(req.Kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o644))
		require.NoError(t, os.Chmod(req.Kubeconfig, 0o644))
		_, err := p.Ensure(context.Background(), req)
		require.NoError(t, err)
		fi, err := os.Stat(req.Kubeconfig)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "cluster existed: %v", exists)
	}
}
