package testenv

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/stacks/cluster/kwok"
)

func TestDirs(t *testing.T) {
	tests := []struct {
		name               string
		env                map[string]string
		wantBin, wantChart string
	}{
		{"cache dir", map[string]string{"LABCTL_CACHE_DIR": "/c"}, "/c/testenv/bin", "/c/testenv/charts"},
		{"bin override moves charts along", map[string]string{BinEnv: "/b/bin"}, "/b/bin", "/b/charts"},
		{"both overridden", map[string]string{BinEnv: "/b/bin", ChartsEnv: "/charts"}, "/b/bin", "/charts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(BinEnv, "")
			t.Setenv(ChartsEnv, "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			bin, err := BinDir()
			require.NoError(t, err)
			charts, err := ChartsDir()
			require.NoError(t, err)
			assert.Equal(t, tt.wantBin, bin)
			assert.Equal(t, tt.wantChart, charts)
		})
	}
}

func TestBinaries(t *testing.T) {
	bin := t.TempDir()
	t.Setenv(BinEnv, bin)
	for _, c := range kwok.Components() {
		t.Setenv(c.Env, "")
	}
	_, err := Binaries()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make testenv")
	assert.Contains(t, err.Error(), filepath.Join(bin, "kube-apiserver"))

	for _, c := range kwok.Components() {
		require.NoError(t, os.WriteFile(filepath.Join(bin, c.Name), nil, 0o755))
	}
	other := filepath.Join(t.TempDir(), "my-etcd")
	require.NoError(t, os.WriteFile(other, nil, 0o755))
	t.Setenv("KWOK_ETCD_BINARY", other)
	got, err := Binaries()
	require.NoError(t, err)
	assert.Len(t, got, len(kwok.Components()))
	assert.Equal(t, other, got[kwok.Etcd], "kwokctl's variable wins")
	assert.Equal(t, filepath.Join(bin, "kwokctl"), got[kwok.Kwokctl])
	env := Env(got)
	assert.Contains(t, env, "KWOK_ETCD_BINARY="+other)
	assert.Contains(t, env, kwok.KwokctlEnv+"="+filepath.Join(bin, "kwokctl"))
}

func TestChartRepo(t *testing.T) {
	_, err := NewChartRepo(t.TempDir())
	require.ErrorContains(t, err, "no index.yaml")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.yaml"), []byte("apiVersion: v1\nentries: {}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x-1.0.0.tgz"), []byte("chart"), 0o644))
	r, err := NewChartRepo(dir)
	require.NoError(t, err)
	defer r.Close()
	assert.True(t, strings.HasPrefix(r.URL, "http://127.0.0.1:"), r.URL)
	for path, want := range map[string]string{"/index.yaml": "apiVersion: v1", "/x-1.0.0.tgz": "chart"} {
		resp, err := http.Get(r.URL + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(b), want, path)
	}
}
