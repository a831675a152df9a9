package testenv

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// ChartRepo is a Helm chart repository served from a directory.
type ChartRepo struct {
	// URL is the repository URL (index.yaml is URL + "/index.yaml"); use
	// it as LABCTL_CHART_MIRROR.
	URL    string
	Dir    string
	server *httptest.Server
}

// Close stops serving.
func (r *ChartRepo) Close() { r.server.Close() }

// NewChartRepo serves dir, which must hold an index.yaml, on a free port of
// 127.0.0.1 until Close.
func NewChartRepo(dir string) (*ChartRepo, error) {
	if _, err := os.Stat(filepath.Join(dir, "index.yaml")); err != nil {
		return nil, fmt.Errorf("chart repository %s has no index.yaml: %w; run `make testenv` to generate it", dir, err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	return &ChartRepo{URL: srv.URL, Dir: dir, server: srv}, nil
}

// ServeCharts serves the chart repository `make testenv` generated for the
// duration of the test, failing it when the repository is missing.
func ServeCharts(t testing.TB) *ChartRepo {
	t.Helper()
	dir, err := ChartsDir()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewChartRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}
