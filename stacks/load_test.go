package stacks

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuiltinStacksLoad(t *testing.T) {
	require.Equal(t, []string{"bookinfo", "bookinfo-ambient", "boutique", "minimal", "travels"}, BuiltinNames())
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			s, err := Load(name, Options{})
			require.NoError(t, err)
			require.Equal(t, name, s.Metadata.Name)
			require.NotEmpty(t, s.Spec.Mesh.Version)
			require.NotEmpty(t, s.Spec.Cluster.NodeImage)
		})
	}
}

func TestBuiltinDefaults(t *testing.T) {
	s, err := Load("bookinfo-ambient", Options{})
	require.NoError(t, err)
	require.Equal(t, ModeAmbient, s.Spec.Mesh.Mode)
	require.Equal(t, "ambient", s.Spec.Mesh.Profile)
	require.True(t, s.Spec.Mesh.GatewayAPI)
	require.Equal(t, 2, s.Spec.Cluster.Workers)

	tr, err := Load("travels", Options{})
	require.NoError(t, err)
	require.False(t, tr.Spec.Apps[0].Injected(), "travels starts uninjected, as the tutorial expects")
	require.Equal(t, []string{"travel-agency", "travel-portal", "travel-control"}, tr.Spec.Apps[0].Namespaces)

	b, err := Load("bookinfo", Options{Mode: "ambient"})
	require.NoError(t, err)
	require.Equal(t, "ambient", b.Spec.Mesh.Profile, "--mode ambient implies the ambient profile")
	require.Equal(t, "kiali-server", b.Spec.Addons[1].Chart)
	require.Equal(t, "https://kiali.org/helm-charts", b.Spec.Addons[1].Repo)
}

func TestOverrides(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		check func(t *testing.T, s *Stack)
	}{
		{"typed flags", Options{Mode: "ambient", IstioVersion: "1.30.5", Provider: "existing"}, func(t *testing.T, s *Stack) {
			require.Equal(t, "ambient", s.Spec.Mesh.Mode)
			require.Equal(t, "1.30.5", s.Spec.Mesh.Version)
			require.Equal(t, "existing", s.Spec.Cluster.Provider)
		}},
		{"int field", Options{Sets: []string{"cluster.workers=3"}}, func(t *testing.T, s *Stack) {
			require.Equal(t, 3, s.Spec.Cluster.Workers)
		}},
		{"spec prefix and nested port", Options{Sets: []string{"spec.cluster.ports.http=9080"}}, func(t *testing.T, s *Stack) {
			require.Equal(t, 9080, s.Spec.Cluster.Ports.HTTP)
		}},
		{"string that looks like a number", Options{Sets: []string{"mesh.version=1.30.0"}}, func(t *testing.T, s *Stack) {
			require.Equal(t, "1.30.0", s.Spec.Mesh.Version)
		}},
		{"list item by name, free-form values", Options{Sets: []string{"apps[bookinfo].values.replicas=2", "apps[bookinfo].values.image.registry=mirror.local:5000"}}, func(t *testing.T, s *Stack) {
			require.EqualValues(t, 2, s.Spec.Apps[0].Values["replicas"])
			require.Equal(t, "mirror.local:5000", s.Spec.Apps[0].Values["image"].(map[string]any)["registry"])
		}},
		{"list item by index", Options{Sets: []string{"addons[1].version=2.25.0"}}, func(t *testing.T, s *Stack) {
			require.Equal(t, "2.25.0", s.Spec.Addons[1].Version)
		}},
		{"mesh values", Options{Sets: []string{"mesh.values.istiod.pilot.resources.requests.cpu=100m"}}, func(t *testing.T, s *Stack) {
			require.Equal(t, "100m", s.Spec.Mesh.Values["istiod"]["pilot"].(map[string]any)["resources"].(map[string]any)["requests"].(map[string]any)["cpu"])
		}},
		{"traffic off", Options{Sets: []string{"traffic.enabled=false"}}, func(t *testing.T, s *Stack) {
			require.False(t, s.Spec.Traffic.Enabled)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load("bookinfo", tt.opts)
			require.NoError(t, err)
			tt.check(t, s)
		})
	}
}

func TestBadInput(t *testing.T) {
	const good = `apiVersion: labctl.dev/v1alpha1
kind: Stack
metadata:
  name: mine
spec:
  cluster:
    workers: 1
  mesh:
    mode: sidecar
  apps:
  - name: bookinfo
`
	tests := []struct {
		name string
		src  string
		opts Options
		want []string
	}{
		{"unknown field with suggestion", strings.Replace(good, "    mode: sidecar", "    mdoe: sidecar", 1), Options{}, []string{"mine.yaml:9: spec.mesh: unknown field \"mdoe\" (did you mean \"mode\"?)"}},
		{"unknown top-level field", good + "extra: 1\n", Options{}, []string{"mine.yaml:12: unknown field \"extra\" (known fields: apiVersion, kind, metadata, spec)"}},
		{"wrong scalar type", strings.Replace(good, "workers: 1", "workers: two", 1), Options{}, []string{"mine.yaml:7: spec.cluster.workers: expected a whole number, got \"two\""}},
		{"list expected", strings.Replace(good, "  apps:\n  - name: bookinfo\n", "  apps: bookinfo\n", 1), Options{}, []string{"mine.yaml:10: spec.apps: expected a list"}},
		{"bad mode", strings.Replace(good, "mode: sidecar", "mode: sidecars", 1), Options{}, []string{"mine.yaml:9: spec.mesh.mode: unknown mode \"sidecars\": use sidecar or ambient"}},
		{"bad apiVersion", strings.Replace(good, "v1alpha1", "v2", 1), Options{}, []string{"mine.yaml:1: apiVersion: must be \"labctl.dev/v1alpha1\""}},
		{"unknown chart", strings.Replace(good, "name: bookinfo", "name: nope", 1), Options{}, []string{"mine.yaml:11: spec.apps[0].chart: no chart \"nope\" in labctl"}},
		{"unknown addon", good + "  addons:\n  - name: elk\n", Options{}, []string{"mine.yaml:13: spec.addons[0]: addon \"elk\" is not one labctl knows"}},
		{"two tracers", good + "  addons:\n  - name: jaeger\n  - name: zipkin\n", Options{}, []string{"spec.addons: choose one tracing backend"}},
		{"traffic target", good + "  traffic:\n    enabled: true\n    targets: [travels]\n", Options{}, []string{"mine.yaml:14: spec.traffic.targets[0]: no app \"travels\""}},
		{"several errors at once", strings.Replace(strings.Replace(good, "workers: 1", "workers: 99", 1), "mode: sidecar", "mode: x", 1), Options{}, []string{"spec.cluster.workers: must be between 0 and 10, got 99", "spec.mesh.mode: unknown mode \"x\""}},
		{"bad provider flag", good, Options{Provider: "minikube"}, []string{"spec.cluster.provider: unknown provider \"minikube\": use kind, existing or kwok"}},
		{"bad set path", good, Options{Sets: []string{"cluster.wrokers=2"}}, []string{"--set cluster.wrokers: spec.cluster has no field \"wrokers\"", "did you mean \"workers\"?"}},
		{"bad set value", good, Options{Sets: []string{"cluster.workers=many"}}, []string{"spec.cluster.workers expects a whole number, got \"many\""}},
		{"set without =", good, Options{Sets: []string{"cluster.workers"}}, []string{"expected path=value"}},
		{"set unknown item", good, Options{Sets: []string{"apps[travels].values.x=1"}}, []string{"spec.apps has no item named \"travels\" (items: bookinfo)"}},
		{"empty file", "", Options{}, []string{"mine.yaml: the file is empty"}},
		{"not yaml", "a: [b", Options{}, []string{"mine.yaml:1: not valid YAML"}},
		{"addon chart escapes the cache", good + "  addons:\n  - name: kiali\n    chart: ../../../tmp/evil\n", Options{}, []string{"mine.yaml:14: spec.addons[0].chart: \"../../../tmp/evil\" would be used in a file path"}},
		{"addon version with a slash", good + "  addons:\n  - name: kiali\n    version: 1.0/../../x\n", Options{}, []string{"mine.yaml:14: spec.addons[0].version: \"1.0/../../x\" would be used in a file path"}},
		{"addon version of dots", good + "  addons:\n  - name: kiali\n", Options{Sets: []string{"addons[kiali].version=.."}}, []string{"mine.yaml:13: spec.addons[0].version: \"..\" would be used in a file path"}},
		{"addon repo without a host", good + "  addons:\n  - name: kiali\n    repo: http://../\n", Options{}, []string{"mine.yaml:14: spec.addons[0].repo: \"http://../\" is not a chart repository URL"}},
		{"addon repo not a URL", good + "  addons:\n  - name: kiali\n    repo: /etc\n", Options{}, []string{"spec.addons[0].repo: \"/etc\" is not a chart repository URL"}},
		{"unsupported Istio minor", good, Options{IstioVersion: "1.29"}, []string{"--istio-version: Istio \"1.29\" is not supported by this labctl: use one of 1.32 (1.32.0), 1.31 (1.31.4), 1.30 (1.30.8)"}},
		{"Istio patch newer than the lock", good, Options{IstioVersion: "1.31.9"}, []string{"--istio-version: Istio 1.31.9 is newer than 1.31.4"}},
		{"Istio version in the file", strings.Replace(good, "mode: sidecar", "mode: sidecar\n    version: 2.0.0", 1), Options{}, []string{"mine.yaml:10: spec.mesh.version: Istio \"2.0.0\" is not supported"}},
		{"ports clash", good, Options{Sets: []string{"cluster.ports.http=8443"}}, []string{"spec.cluster.ports.https: must differ from ports.http"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("mine.yaml", []byte(tt.src), tt.opts)
			require.Error(t, err)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}
