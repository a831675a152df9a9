package install

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/labctl/labctl/charts"
)

// chartRepo serves a real Helm repository (index.yaml + packaged chart) on
// 127.0.0.1 and counts the requests it gets.
func chartRepo(t *testing.T, tamper bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	dir := t.TempDir()
	c, err := charts.Load("httpbin")
	require.NoError(t, err)
	_, err = chartutil.Save(c, dir)
	require.NoError(t, err)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	idx, err := repo.IndexDirectory(dir, srv.URL)
	require.NoError(t, err)
	if tamper {
		for _, v := range idx.Entries["httpbin"] {
			v.Digest = "0000000000000000000000000000000000000000000000000000000000000000"
		}
	}
	require.NoError(t, idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644))
	return srv, &hits
}

func TestChartSourceDownloadsOnceThenUsesCache(t *testing.T) {
	srv, hits := chartRepo(t, false)
	c, err := charts.Load("httpbin")
	require.NoError(t, err)
	src := &ChartSource{CacheDir: t.TempDir()}
	ref := ChartRef{Name: "httpbin", Repo: srv.URL, Version: c.Metadata.Version}

	got, err := src.Load(context.Background(), ref)
	require.NoError(t, err)
	require.Equal(t, "httpbin", got.Metadata.Name)
	require.EqualValues(t, 2, hits.Load(), "index.yaml and the archive")
	require.FileExists(t, src.CachePath(ref))

	_, err = src.Load(context.Background(), ref)
	require.NoError(t, err)
	require.EqualValues(t, 2, hits.Load(), "a second load must not touch the network")
}

func TestChartSourceMirror(t *testing.T) {
	srv, hits := chartRepo(t, false)
	c, err := charts.Load("httpbin")
	require.NoError(t, err)
	src := &ChartSource{CacheDir: t.TempDir(), Mirror: srv.URL}
	_, err = src.Load(context.Background(), ChartRef{Name: "httpbin", Repo: "https://charts.example.invalid", Version: c.Metadata.Version})
	require.NoError(t, err)
	require.EqualValues(t, 2, hits.Load())
}

func TestChartSourceErrors(t *testing.T) {
	srv, _ := chartRepo(t, false)
	tampered, _ := chartRepo(t, true)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c, err := charts.Load("httpbin")
	require.NoError(t, err)
	v := c.Metadata.Version
	tests := []struct {
		name string
		ref  ChartRef
		want string
	}{
		{"unknown version", ChartRef{Name: "httpbin", Repo: srv.URL, Version: "9.9.9"}, "chart httpbin version 9.9.9 is not in repository"},
		{"unknown chart", ChartRef{Name: "nope", Repo: srv.URL, Version: v}, "chart nope version " + v + " is not in repository"},
		{"digest mismatch", ChartRef{Name: "httpbin", Repo: tampered.URL, Version: v}, "the download is corrupt or tampered with"},
		{"unreachable", ChartRef{Name: "httpbin", Repo: dead.URL, Version: v}, "cannot be read"},
		{"no version", ChartRef{Name: "httpbin", Repo: srv.URL}, "has no pinned version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &ChartSource{CacheDir: t.TempDir()}
			_, err := src.Load(context.Background(), tt.ref)
			require.ErrorContains(t, err, tt.want)
			if tt.ref.Version != "" {
				_, statErr := os.Stat(src.CachePath(tt.ref))
				require.True(t, os.IsNotExist(statErr), "nothing is cached after a failure")
			}
		})
	}
}

// TestCachePathStaysInCache: no repository URL (a --chart-mirror is not
// validated like a stack field) puts an archive outside the cache.
func TestCachePathStaysInCache(t *testing.T) {
	dir := t.TempDir()
	for _, repo := range []string{"http://..", "http://../", "https://.", "http://h/../..", "not a url", "http://h/a/../../../x"} {
		src := &ChartSource{CacheDir: dir, Mirror: repo}
		p := src.CachePath(ChartRef{Name: "kiali-server", Version: "2.26.0"})
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		require.False(t, strings.HasPrefix(rel, ".."), "%s: %s is outside %s", repo, p, dir)
		require.Equal(t, 1, strings.Count(rel, string(filepath.Separator)), "%s: %s", repo, rel)
	}
}
