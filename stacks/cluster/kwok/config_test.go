package kwok

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteConfig(t *testing.T) {
	path := ConfigPath(t.TempDir(), "lab")
	require.NoError(t, writeConfig(path, Ports{EtcdPort: 40001, KubeApiserverPort: 40002}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  bindAddress: 127.0.0.1
  etcdPort: 40001
  kubeApiserverPort: 40002
`, string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		name, saved, err string
	}{
		{"loopback", "options:\n  bindAddress: 127.0.0.1\n", ""},
		{"every interface", "options:\n  bindAddress: 0.0.0.0\n", "listens on every interface (bindAddress \"0.0.0.0\""},
		{"kwokctl default", "options: {}\n", "run `labctl down --name lab`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			doc := "kind: KwokConfiguration\napiVersion: config.kwok.x-k8s.io/v1alpha1\n---\nkind: KwokctlConfiguration\napiVersion: config.kwok.x-k8s.io/v1alpha1\n" + tt.saved
			require.NoError(t, os.WriteFile(filepath.Join(dir, "kwok.yaml"), []byte(doc), 0o600))
			err := checkLoopback(dir, "lab")
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	assert.Error(t, checkLoopback(t.TempDir(), "lab"), "no kwok.yaml")
}
