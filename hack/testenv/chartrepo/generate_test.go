package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"
)

// repoRoot is labctl's repository root, from hack/testenv/chartrepo.
const repoRoot = "../../.."

func TestGenerateFollowsTheVersionLock(t *testing.T) {
	l, err := readLock(filepath.Join(repoRoot, "stacks", "versions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "stale-0.1.0.tgz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := generate(l, out); err != nil {
		t.Fatal(err)
	}
	idx, err := repo.LoadIndexFile(filepath.Join(out, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for name := range istioCharts {
		want[name] = l.istioVersions()
	}
	for name, versions := range l.chartVersions() {
		want[name] = versions
	}
	if len(l.istioVersions()) < 2 || len(want["kiali-server"]) < 2 {
		t.Errorf("the lock's releases should bring several Istio and Kiali versions, got %v", want)
	}
	if len(idx.Entries) != len(want) {
		t.Errorf("index has %d charts, want %d (%v)", len(idx.Entries), len(want), want)
	}
	for name, versions := range want {
		if len(idx.Entries[name]) != len(versions) {
			t.Errorf("index: %s has %d versions, want %v", name, len(idx.Entries[name]), versions)
		}
		for _, version := range versions {
			cv, err := idx.Get(name, version)
			if err != nil {
				t.Errorf("index: %s %s: %v", name, version, err)
				continue
			}
			if len(cv.URLs) != 1 || strings.Contains(cv.URLs[0], "/") {
				t.Errorf("%s: URLs %v, want one relative file name", name, cv.URLs)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "stale-0.1.0.tgz")); !os.IsNotExist(err) {
		t.Errorf("stale archive left in the repository: %v", err)
	}

	for _, version := range l.istioVersions() {
		istiod, err := loader.Load(filepath.Join(out, "istiod-"+version+".tgz"))
		if err != nil {
			t.Fatal(err)
		}
		vals := string(valuesFile(t, istiod))
		if strings.Contains(vals, "hub: registry.istio.io/testing") || strings.Contains(vals, "tag: latest") || !strings.Contains(vals, "hub: "+l.Istio.Hub) || !strings.Contains(vals, "tag: "+version) {
			t.Errorf("istiod %s values.yaml keeps development hub/tag, want hub %s and tag %s", version, l.Istio.Hub, version)
		}
	}
}

func TestLockSetsFromEveryRelease(t *testing.T) {
	src := []byte(`istio:
  releases:
  - {version: 1.31.4, gatewayAPI: v1.6.0, charts: {kiali-server: 2.27.0, jaeger: 4.7.0}}
  - {version: 1.30.8, gatewayAPI: v1.5.1, charts: {kiali-server: 2.26.0, jaeger: 4.7.0}}
  - {version: 1.32.0, gatewayAPI: v1.6.0, charts: {kiali-server: 2.27.0}}
gatewayAPI: {url: "https://example.com/{version}/standard-install.yaml"}
charts:
  kiali-server: {repo: https://kiali.org/helm-charts}
  zipkin: {repo: https://zipkin.io/zipkin-helm, version: 0.4.0}
`)
	p := filepath.Join(t.TempDir(), "versions.yaml")
	if err := os.WriteFile(p, src, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := readLock(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(l.istioVersions(), " "), "1.30.8 1.31.4 1.32.0"; got != want {
		t.Errorf("istio versions %q, want %q", got, want)
	}
	if got, want := strings.Join(l.gatewayAPIVersions(), " "), "v1.5.1 v1.6.0"; got != want {
		t.Errorf("gateway API versions %q, want %q", got, want)
	}
	cv := l.chartVersions()
	for name, want := range map[string]string{"kiali-server": "2.26.0 2.27.0", "jaeger": "4.7.0", "zipkin": "0.4.0"} {
		if got := strings.Join(cv[name], " "); got != want {
			t.Errorf("%s versions %q, want %q", name, got, want)
		}
	}
	if l.Istio.Hub != "docker.io/istio" {
		t.Errorf("default hub %q", l.Istio.Hub)
	}
	if err := os.WriteFile(p, []byte("istio: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readLock(p); err == nil || !strings.Contains(err.Error(), "no istio.releases") {
		t.Errorf("a lock without releases: %v", err)
	}
}

func valuesFile(t *testing.T, c *chart.Chart) []byte {
	t.Helper()
	for _, f := range c.Raw {
		if f.Name == "values.yaml" {
			return f.Data
		}
	}
	t.Fatal("chart has no values.yaml")
	return nil
}

// The fixtures must create the Services labctl's dashboards and checks use,
// with labctl's own addon values (assets/values) applied.
func TestFixturesCreateTheOfficialServices(t *testing.T) {
	tests := []struct {
		chart, values string
		service       string
		port          int
	}{
		{"kiali-server", "kiali-server.yaml", "kiali", 20001},
		{"prometheus", "prometheus.yaml", "prometheus", 9090},
		{"grafana", "grafana.yaml", "grafana", 3000},
		{"jaeger", "jaeger.yaml", "jaeger", 16686},
		{"zipkin", "zipkin.yaml", "zipkin", 9411},
		{"prometheus", "", "prometheus-server", 80},
		{"grafana", "", "grafana", 80},
		{"jaeger", "", "jaeger-jaeger", 16686},
	}
	for _, tt := range tests {
		t.Run(tt.chart+"/"+tt.values, func(t *testing.T) {
			c, err := loadFS(fixtures, "fixtures/"+tt.chart, nil)
			if err != nil {
				t.Fatal(err)
			}
			vals := map[string]any{}
			if tt.values != "" {
				b, err := os.ReadFile(filepath.Join(repoRoot, "assets", "values", tt.values))
				if err != nil {
					t.Fatal(err)
				}
				if err := yaml.Unmarshal(b, &vals); err != nil {
					t.Fatal(err)
				}
			}
			name := strings.TrimSuffix(tt.chart, "-server")
			rv, err := util.ToRenderValues(c, vals, common.ReleaseOptions{Name: name, Namespace: "istio-system"}, common.DefaultCapabilities)
			if err != nil {
				t.Fatal(err)
			}
			out, err := engine.Render(c, rv)
			if err != nil {
				t.Fatal(err)
			}
			var svc struct {
				Kind     string
				Metadata struct{ Name string }
				Spec     struct {
					Ports []struct{ Port int }
				}
			}
			if err := yaml.Unmarshal([]byte(out[tt.chart+"/templates/service.yaml"]), &svc); err != nil {
				t.Fatal(err)
			}
			if svc.Metadata.Name != tt.service || len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].Port != tt.port {
				t.Errorf("Service %s port %v, want %s port %d", svc.Metadata.Name, svc.Spec.Ports, tt.service, tt.port)
			}
			if !strings.Contains(out[tt.chart+"/templates/deployment.yaml"], "kind: Deployment") {
				t.Errorf("no Deployment rendered:\n%s", out[tt.chart+"/templates/deployment.yaml"])
			}
		})
	}
}
