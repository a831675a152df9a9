package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/stacks"
)

// fileFetcher serves upstream URLs from testdata.
type fileFetcher map[string]string

func (f fileFetcher) get(_ context.Context, url string) ([]byte, error) {
	p, ok := f[url]
	if !ok {
		return nil, fmt.Errorf("GET %s: 404 Not Found", url)
	}
	return os.ReadFile(filepath.Join("testdata", p))
}

func upstream() fileFetcher {
	f := fileFetcher{
		"https://istio.example/charts/index.yaml":      "idx/istio.yaml",
		"https://kiali.example/charts/index.yaml":      "idx/kiali.yaml",
		"https://prometheus.example/charts/index.yaml": "idx/prometheus.yaml",
		"https://grafana.example/charts/index.yaml":    "idx/grafana.yaml",
		"https://jaeger.example/charts/index.yaml":     "idx/jaeger.yaml",
		"https://zipkin.example/charts/index.yaml":     "idx/zipkin.yaml",
		supportStatusURL: "supportStatus.yml",
	}
	for _, v := range []string{"1.31.5", "1.33.0"} {
		f[rawIstio+v+"/manifests/addons/gen.sh"] = "istio-" + v + "/gen.sh"
		f[rawIstio+v+"/samples/addons/jaeger.yaml"] = "istio-" + v + "/jaeger.yaml"
		f[rawIstio+v+"/go.mod"] = "istio-" + v + "/go.mod"
	}
	return f
}

func TestRefresh(t *testing.T) {
	tests := []struct {
		name     string
		add      bool
		changes  []string
		problems []string
		check    func(t *testing.T, v *stacks.Versions)
	}{
		{
			name: "patches and pins",
			changes: []string{
				"istio 1.31: version 1.31.4 -> 1.31.5",
				"istio 1.31: gatewayAPI v1.6.0 -> v1.6.1",
				"istio 1.31: kubernetes 1.32,1.33,1.34,1.35,1.36 -> 1.32,1.33,1.34,1.35,1.36,1.37",
				"istio 1.31: charts.grafana 9.2.2 -> 9.3.0",
				"istio 1.31: charts.jaeger 4.7.0 -> 4.9.0",
				"istio 1.31: charts.kiali-server 2.27.0 -> 2.28.0",
				"istio 1.31: charts.prometheus 28.13.0 -> 28.14.0",
			},
			problems: []string{"istio 1.32: addon pins: GET " + rawIstio + "1.32.0/manifests/addons/gen.sh: 404 Not Found"},
			check: func(t *testing.T, v *stacks.Versions) {
				require.Equal(t, "1.31.5", v.Istio.Version)
				require.Equal(t, "4.9.0", v.Charts["jaeger"].Version)
				r, err := v.Release("1.32")
				require.NoError(t, err)
				require.Equal(t, "not checked yet", r.Unconfirmed, "a release with facts missing keeps its note")
			},
		},
		{
			name: "a newer minor joins, the oldest leaves",
			add:  true,
			changes: []string{
				"istio 1.33: added (1.33.0)",
				"istio 1.33: gatewayAPI (none) -> v1.7.0",
				"istio 1.33: kubernetes (none) -> 1.34,1.35,1.36,1.37,1.38",
				"istio 1.33: charts.grafana (none) -> 9.3.0",
				"istio 1.33: charts.jaeger (none) -> 4.11.1",
				"istio 1.33: charts.kiali-server (none) -> 2.29.0",
				"istio 1.33: charts.prometheus (none) -> 28.14.0",
				"istio 1.31: removed (1.31.4 is the oldest minor)",
				"istio.default 1.31 -> 1.33",
			},
			check: func(t *testing.T, v *stacks.Versions) {
				require.Equal(t, "1.33.0", v.Istio.Version)
				require.Len(t, v.Istio.Releases, 2)
				_, err := v.Release("1.31")
				require.ErrorContains(t, err, "not supported")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := os.ReadFile("testdata/lock.yaml")
			require.NoError(t, err)
			doc, err := parseLock(src)
			require.NoError(t, err)
			res, err := refresh(t.Context(), upstream(), doc, tt.add)
			require.NoError(t, err)
			require.Equal(t, tt.changes, res.changes)
			for _, p := range tt.problems {
				require.Contains(t, res.problems, p)
			}
			out, err := doc.bytes()
			require.NoError(t, err)
			comments := []string{"# A small lock", "# the default minor"}
			if !tt.add {
				comments = append(comments, "# what gen.sh pins", "# the announcement's range")
			}
			for _, c := range comments {
				require.Contains(t, string(out), c, "comments survive the rewrite")
			}
			v, err := stacks.ParseVersions(out)
			require.NoError(t, err, "the rewritten lock parses:\n%s", out)
			tt.check(t, v)
		})
	}
}

func TestRunWritesAndReports(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/lock.yaml")
	require.NoError(t, err)
	p := filepath.Join(dir, "versions.yaml")
	require.NoError(t, os.WriteFile(p, src, 0o644))

	var out bytes.Buffer
	require.NoError(t, run(t.Context(), upstream(), p, true, false, &out))
	require.Contains(t, out.String(), "changed: istio 1.31: version 1.31.4 -> 1.31.5")
	require.Contains(t, out.String(), "could not confirm: istio 1.32: addon pins")
	require.Contains(t, out.String(), "dry run")
	after, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, string(src), string(after), "a dry run writes nothing")

	out.Reset()
	require.NoError(t, run(t.Context(), upstream(), p, false, false, &out))
	require.Contains(t, out.String(), "wrote "+p)
	out.Reset()
	require.NoError(t, run(t.Context(), upstream(), p, false, false, &out))
	require.Contains(t, out.String(), "is current", "a second refresh changes nothing")

	require.ErrorContains(t, run(t.Context(), fileFetcher{}, p, false, false, &out), "Istio's chart index")
}

func TestParsers(t *testing.T) {
	gen, err := os.ReadFile("testdata/istio-1.31.5/gen.sh")
	require.NoError(t, err)
	p, err := parseGenSh(gen)
	require.NoError(t, err)
	require.Equal(t, addonPins{Kiali: "2.28.0", Prometheus: "28.14.0", Grafana: "9.3.0"}, p)
	_, err = parseGenSh([]byte("helm template prometheus prometheus --version 1.0.0\n"))
	require.ErrorContains(t, err, "pins no version of grafana, kiali-server")

	tag, err := parseJaegerImage([]byte(`image: docker.io/jaegertracing/all-in-one:1.60`))
	require.NoError(t, err)
	require.Equal(t, "1.60", tag)
	_, err = parseJaegerImage([]byte("image: nginx"))
	require.Error(t, err)

	gw, err := parseGatewayAPI([]byte("require (\n\tsigs.k8s.io/gateway-api v1.5.1\n)\n"))
	require.NoError(t, err)
	require.Equal(t, "v1.5.1", gw)

	b, err := os.ReadFile("testdata/idx/jaeger.yaml")
	require.NoError(t, err)
	idx, err := parseIndex(b)
	require.NoError(t, err)
	for app, want := range map[string]string{"2.18.0": "4.9.0", "2.18.3": "4.10.0", "v2.17.0": "4.7.0"} {
		got, ok := idx.chartForApp("jaeger", app)
		require.True(t, ok, app)
		require.Equal(t, want, got, app)
	}
	_, ok := idx.chartForApp("jaeger", "3.0.0")
	require.False(t, ok)
	require.Equal(t, "4.11.1", idx.latest("jaeger"))

	b, err = os.ReadFile("testdata/idx/istio.yaml")
	require.NoError(t, err)
	idx, err = parseIndex(b)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"1.30": "1.30.8", "1.31": "1.31.5", "1.32": "1.32.0", "1.33": "1.33.0"}, idx.latestPatches("istiod"))

	b, err = os.ReadFile("testdata/supportStatus.yml")
	require.NoError(t, err)
	k, err := parseSupportStatus(b)
	require.NoError(t, err)
	require.Equal(t, []string{"1.33", "1.34", "1.35", "1.36", "1.37"}, k["1.32"], "sorted")
	require.NotContains(t, k, "master")
	_, err = parseIndex([]byte("entries: {}"))
	require.Error(t, err)
	require.True(t, strings.HasPrefix(supportStatusURL, "https://"))
}
