package kwok

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRestrictSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "pki"), 0o755))
	require.NoError(t, prepareClusterDir(dir))
	files := map[string]os.FileMode{ // name: mode after
		"pki/ca.key":      0o600,
		"pki/admin.key":   0o600,
		"pki/ca.crt":      0o644,
		"kubeconfig.yaml": 0o600,
		"kubeconfig":      0o600,
		"kwok.yaml":       0o644,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
		require.NoError(t, os.Chmod(p, 0o644))
	}
	require.NoError(t, restrictSecrets(dir))
	for name, want := range files {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, want, fi.Mode().Perm(), name)
	}
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, clusterDirMode, fi.Mode().Perm())
}

// TestWriteContextRestrictsKubeconfig: an existing kubeconfig others can
// read is made owner-only before the admin key goes in.
func TestWriteContextRestrictsKubeconfig(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	require.NoError(t, os.WriteFile(src, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {client-key-data: a2V5}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), 0o600))
	dst := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(dst, []byte("apiVersion: v1\nkind: Config\n"), 0o644))
	require.NoError(t, os.Chmod(dst, 0o644))
	require.NoError(t, writeContext(src, dst, "kwok-lab"))
	fi, err := os.Stat(dst)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
