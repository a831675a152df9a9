package values

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Top-level keys each file may set, checked by hand against the charts'
// values.yaml (kiali-server 2.2x, prometheus 28/29.x, grafana 9.2 and 11/12.x
// from grafana-community, jaeger 4.4-4.11, zipkin 0.4 from openzipkin,
// istiod 1.30-1.31).
// A key outside this list is most likely a typo the chart would ignore.
var allowedTopLevel = map[string][]string{
	"kiali-server":        {"auth", "deployment", "external_services", "server"},
	"kiali-server-zipkin": {"external_services"},
	"prometheus":          {"alertmanager", "prometheus-pushgateway", "kube-state-metrics", "prometheus-node-exporter", "server", "scrapeConfigs"},
	"grafana":             {"rbac", "testFramework", "podLabels", "admin", "env", "service", "resources", "datasources", "dashboardProviders", "dashboards"},
	"jaeger":              {"fullnameOverride", "jaeger", "userconfig"},
	"zipkin":              {"fullnameOverride", "podAnnotations", "service", "resources"},
	"istiod":              {"traceSampling", "meshConfig"},
	"istiod-zipkin":       {"meshConfig"},
	"istiod-slim":         {"autoscaleEnabled", "replicaCount", "resources", "global"},
}

func TestEveryFileParsesWithKnownKeys(t *testing.T) {
	names := Names()
	want := make([]string, 0, len(allowedTopLevel))
	for n := range allowedTopLevel {
		want = append(want, n)
	}
	sort.Strings(want)
	require.Equal(t, want, names, "a values file was added or removed: update allowedTopLevel")
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			v, err := Load(n)
			require.NoError(t, err)
			require.NotEmpty(t, v)
			for k := range v {
				assert.Contains(t, allowedTopLevel[n], k, "%s.yaml: unexpected top-level key", n)
			}
		})
	}
	_, err := Load("nope")
	assert.ErrorContains(t, err, "kiali-server")
}

func get(t *testing.T, m map[string]any, path ...string) any {
	t.Helper()
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		require.True(t, ok, "%v: %q is not under a map", path, p)
		cur, ok = mm[p]
		require.True(t, ok, "%v: missing %q", path, p)
	}
	return cur
}

// TestLabSettings pins the settings the labs rely on.
func TestLabSettings(t *testing.T) {
	cases := []struct {
		file string
		path []string
		want any
	}{
		{"kiali-server", []string{"auth", "strategy"}, "anonymous"},
		{"kiali-server", []string{"deployment", "view_only_mode"}, false},
		{"kiali-server", []string{"external_services", "prometheus", "url"}, "http://prometheus.istio-system:9090"},
		{"kiali-server", []string{"external_services", "grafana", "internal_url"}, "http://grafana.istio-system:3000"},
		{"kiali-server", []string{"external_services", "tracing", "enabled"}, true},
		{"kiali-server", []string{"external_services", "tracing", "internal_url"}, "http://jaeger.istio-system:16685"},
		{"kiali-server", []string{"server", "web_root"}, "/kiali"},
		{"kiali-server-zipkin", []string{"external_services", "tracing", "enabled"}, false},
		{"prometheus", []string{"server", "fullnameOverride"}, "prometheus"},
		{"prometheus", []string{"server", "service", "servicePort"}, float64(9090)},
		{"prometheus", []string{"alertmanager", "enabled"}, false},
		{"prometheus", []string{"kube-state-metrics", "enabled"}, false},
		{"prometheus", []string{"prometheus-node-exporter", "enabled"}, false},
		{"prometheus", []string{"prometheus-pushgateway", "enabled"}, false},
		{"grafana", []string{"service", "port"}, float64(3000)},
		{"jaeger", []string{"fullnameOverride"}, "jaeger"},
		{"zipkin", []string{"service", "port"}, float64(9411)},
		{"istiod", []string{"meshConfig", "accessLogFile"}, "/dev/stdout"},
		{"istiod", []string{"meshConfig", "enableTracing"}, true},
		{"istiod", []string{"meshConfig", "defaultConfig", "tracing", "sampling"}, float64(100)},
		{"istiod", []string{"traceSampling"}, float64(100)},
	}
	for _, tc := range cases {
		v, err := Load(tc.file)
		require.NoError(t, err)
		assert.Equal(t, tc.want, get(t, v, tc.path...), "%s: %v", tc.file, tc.path)
	}
}

func TestMergeOverlays(t *testing.T) {
	v, err := Merge("istiod", "istiod-zipkin", "istiod-slim")
	require.NoError(t, err)
	assert.Equal(t, []any{"zipkin"}, get(t, v, "meshConfig", "defaultProviders", "tracing"))
	assert.Equal(t, "/dev/stdout", get(t, v, "meshConfig", "accessLogFile"), "base keys survive overlays")
	assert.Equal(t, false, get(t, v, "autoscaleEnabled"))
	providers := get(t, v, "meshConfig", "extensionProviders").([]any)
	assert.Len(t, providers, 2)

	k, err := Merge("kiali-server", "kiali-server-zipkin")
	require.NoError(t, err)
	assert.Equal(t, false, get(t, k, "external_services", "tracing", "enabled"))
	assert.Equal(t, "http://prometheus.istio-system:9090", get(t, k, "external_services", "prometheus", "url"))

	_, err = Merge("istiod", "missing")
	assert.Error(t, err)
}

func TestGrafanaAddsOwnDashboards(t *testing.T) {
	v, err := Merge("grafana")
	require.NoError(t, err)
	own := get(t, v, "dashboards", "labctl").(map[string]any)
	require.Len(t, own, 2)
	for name, d := range own {
		raw := d.(map[string]any)["json"].(string)
		var parsed map[string]any
		require.NoError(t, json.Unmarshal([]byte(raw), &parsed), name)
		assert.Equal(t, name, parsed["uid"])
	}
	// The provider the dashboards go to must exist.
	providers := get(t, v, "dashboardProviders", "dashboardproviders.yaml", "providers").([]any)
	var names []string
	for _, p := range providers {
		names = append(names, p.(map[string]any)["name"].(string))
	}
	assert.Contains(t, names, "labctl")
	assert.NotEmpty(t, get(t, v, "dashboards", "istio"), "Istio dashboards stay referenced")
}
