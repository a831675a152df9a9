package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

var kindIngress = cluster.Cluster{Ingress: cluster.Ingress{ServiceType: "NodePort", Host: "127.0.0.1", HTTPPort: 8080, HTTPSPort: 8443,
	NodePortHTTP: 30080, NodePortHTTPS: 30443, NodeSelector: map[string]string{"ingress-ready": "true"}}}

// kwokIstiod is a simulated cluster whose istiod runs as a process.
var kwokIstiod = cluster.Cluster{Simulated: true, Ingress: kindIngress.Ingress, ControlPlane: &cluster.ControlPlane{
	InjectionURL: "https://localhost:41017/inject", ValidationURL: "https://localhost:41017/validate"}}

// renderPlan prints the install order by level, then each component's
// release, chart, dependencies, namespaces and values.
func renderPlan(t *testing.T, comps []Component) []byte {
	t.Helper()
	levels, err := Levels(comps)
	require.NoError(t, err)
	var b bytes.Buffer
	for i, lv := range levels {
		fmt.Fprintf(&b, "level %d: %s\n", i, strings.Join(lv, ", "))
	}
	for _, c := range comps {
		fmt.Fprintf(&b, "\n# %s (%s, %s)\n", c.Name, c.Group, c.Kind)
		switch c.Kind {
		case KindManifest:
			fmt.Fprintf(&b, "manifest: %s\n", c.ManifestURL)
		case KindControlPlane:
			fmt.Fprintf(&b, "process: istiod for namespace %s\n", c.Namespace)
		default:
			src := c.Chart.Repo
			if c.Chart.Embedded {
				src = "embedded"
			}
			fmt.Fprintf(&b, "release: %s/%s chart: %s %s from %s\n", c.Namespace, c.Release, c.Chart.Name, c.Chart.Version, src)
		}
		deps := append([]string{}, c.DependsOn...)
		sort.Strings(deps)
		fmt.Fprintf(&b, "after: %s\ntimeout: %s\n", strings.Join(deps, ", "), c.Timeout)
		for _, ns := range c.Namespaces {
			fmt.Fprintf(&b, "namespace: %s %v\n", ns.Name, ns.Labels)
		}
		if len(c.Values) > 0 {
			y, err := yaml.Marshal(c.Values)
			require.NoError(t, err)
			fmt.Fprintf(&b, "values:\n%s", indent(string(y)))
		}
	}
	return b.Bytes()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

func TestPlanGolden(t *testing.T) {
	v, err := stacks.LoadVersions()
	require.NoError(t, err)
	tests := []struct {
		golden string
		stack  string
		opts   stacks.Options
		cl     cluster.Cluster
	}{
		{"plan-bookinfo-sidecar.golden", "bookinfo", stacks.Options{}, kindIngress},
		{"plan-bookinfo-ambient.golden", "bookinfo-ambient", stacks.Options{}, kindIngress},
		{"plan-bookinfo-gatewayapi.golden", "bookinfo", stacks.Options{Sets: []string{"mesh.ingress.mode=gatewayapi"}}, kindIngress},
		{"plan-travels-sidecar.golden", "travels", stacks.Options{}, kindIngress},
		{"plan-boutique-existing.golden", "boutique", stacks.Options{Provider: "existing"}, cluster.Cluster{Ingress: cluster.Ingress{ServiceType: "LoadBalancer"}}},
		{"plan-minimal-kwok.golden", "minimal", stacks.Options{Provider: "kwok"}, cluster.Cluster{Simulated: true, Ingress: kindIngress.Ingress}},
		{"plan-minimal-kwok-istiod.golden", "minimal", stacks.Options{Provider: "kwok"}, kwokIstiod},
		{"plan-bookinfo-ambient-kwok-istiod.golden", "bookinfo-ambient", stacks.Options{Provider: "kwok"}, kwokIstiod},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			s, err := stacks.Load(tt.stack, tt.opts)
			require.NoError(t, err)
			comps, err := Plan(s, v, tt.cl)
			require.NoError(t, err)
			golden.Assert(t, tt.golden, renderPlan(t, comps))
		})
	}
}

func TestPlanOrder(t *testing.T) {
	v, err := stacks.LoadVersions()
	require.NoError(t, err)
	tests := []struct {
		stack string
		want  [][]string
	}{
		{"bookinfo", [][]string{
			{"istio-base"},
			{"istiod"},
			{"bookinfo", "grafana", "istio-ingress", "jaeger", "kiali", "prometheus"},
			{"traffic"},
		}},
		{"bookinfo-ambient", [][]string{
			{"gateway-api-crds", "istio-base"},
			{"istiod"},
			{"grafana", "istio-cni", "jaeger", "kiali", "prometheus"},
			{"ztunnel"},
			{"bookinfo", "istio-ingress"},
			{"traffic"},
		}},
	}
	withIstiod := []struct {
		stack string
		want  [][]string
	}{
		// Apps and the injected ingress gateway wait for the istiod
		// process, which waits for the istiod chart's configuration.
		{"bookinfo", [][]string{
			{"istio-base"},
			{"istiod"},
			{"grafana", "istiod-process", "jaeger", "kiali", "prometheus"},
			{"bookinfo", "istio-ingress"},
			{"traffic"},
		}},
		{"bookinfo-ambient", [][]string{
			{"gateway-api-crds", "istio-base"},
			{"istiod"},
			{"grafana", "istio-cni", "istiod-process", "jaeger", "kiali", "prometheus"},
			{"ztunnel"},
			{"bookinfo", "istio-ingress"},
			{"traffic"},
		}},
	}
	for _, tt := range withIstiod {
		t.Run(tt.stack+"-istiod-process", func(t *testing.T) {
			s, err := stacks.Load(tt.stack, stacks.Options{Provider: "kwok"})
			require.NoError(t, err)
			comps, err := Plan(s, v, kwokIstiod)
			require.NoError(t, err)
			levels, err := Levels(comps)
			require.NoError(t, err)
			require.Equal(t, tt.want, levels)
		})
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			s, err := stacks.Load(tt.stack, stacks.Options{})
			require.NoError(t, err)
			comps, err := Plan(s, v, kindIngress)
			require.NoError(t, err)
			levels, err := Levels(comps)
			require.NoError(t, err)
			require.Equal(t, tt.want, levels)
		})
	}
}

func TestLevelsErrors(t *testing.T) {
	_, err := Levels([]Component{{Name: "a", DependsOn: []string{"b"}}, {Name: "b", DependsOn: []string{"a"}}})
	require.ErrorContains(t, err, "dependency cycle a -> b -> a")
	_, err = Levels([]Component{{Name: "a", DependsOn: []string{"nope"}}})
	require.ErrorContains(t, err, `a depends on unknown component "nope"`)
	_, err = Levels([]Component{{Name: "a"}, {Name: "a"}})
	require.ErrorContains(t, err, `component "a" appears twice`)
}

func TestAmbientLabelsAndInjection(t *testing.T) {
	v, err := stacks.LoadVersions()
	require.NoError(t, err)
	for _, tt := range []struct {
		stack string
		opts  stacks.Options
		want  map[string]string
	}{
		{"bookinfo", stacks.Options{}, map[string]string{"istio-injection": "enabled"}},
		{"bookinfo", stacks.Options{Mode: "ambient"}, map[string]string{"istio.io/dataplane-mode": "ambient"}},
		{"travels", stacks.Options{}, nil},
	} {
		s, err := stacks.Load(tt.stack, tt.opts)
		require.NoError(t, err)
		comps, err := Plan(s, v, kindIngress)
		require.NoError(t, err)
		for _, c := range comps {
			if c.Group == GroupApp {
				for _, ns := range c.Namespaces {
					require.Equal(t, tt.want, ns.Labels, "%s %s namespace %s", tt.stack, tt.opts.Mode, ns.Name)
				}
			}
		}
	}
}

func TestRunParallelOrderAndFailure(t *testing.T) {
	comps := []Component{
		{Name: "base"},
		{Name: "istiod", DependsOn: []string{"base"}},
		{Name: "kiali", DependsOn: []string{"istiod"}},
		{Name: "slow", DependsOn: []string{"istiod"}},
		{Name: "app", DependsOn: []string{"kiali", "slow"}},
	}
	var (
		mu      sync.Mutex
		order   []string
		running int
		peak    int
	)
	slowStarted := make(chan struct{})
	apply := func(ctx context.Context, c Component) error {
		mu.Lock()
		order = append(order, c.Name)
		running++
		peak = max(peak, running)
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		switch c.Name {
		case "kiali":
			<-slowStarted // fail while slow is still installing
			return errors.New("kiali broke")
		case "slow":
			close(slowStarted)
			<-ctx.Done() // a long install, stopped by kiali's failure
			return fmt.Errorf("waiting: %w", ctx.Err())
		}
		return nil
	}
	var skipped []string
	err := Run(context.Background(), comps, 4, apply, func(c Component, why string) {
		skipped = append(skipped, c.Name+": "+why)
	})
	require.EqualError(t, err, "kiali broke", "only the real failure is reported, not the components it interrupted")
	require.Equal(t, []string{"base", "istiod"}, order[:2], "dependencies first")
	require.ElementsMatch(t, []string{"kiali", "slow"}, order[2:])
	require.Equal(t, 2, peak, "kiali and slow ran at the same time")
	require.ElementsMatch(t, []string{"slow: interrupted: another component failed", "app: not started: a dependency failed"}, skipped)
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	comps := []Component{{Name: "a"}, {Name: "b", DependsOn: []string{"a"}}}
	err := Run(ctx, comps, 2, func(context.Context, Component) error { cancel(); return nil }, nil)
	require.ErrorIs(t, err, context.Canceled)
}
