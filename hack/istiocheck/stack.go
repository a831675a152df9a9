package main

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"istio.io/istio/manifests"
	"istio.io/istio/pkg/config/analysis/analyzers/injection"

	"github.com/labctl/labctl/charts"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// istioCharts maps the Istio chart names labctl installs to their folder in
// istio.io/istio's embedded manifests (the same charts the release ships).
var istioCharts = map[string]string{
	"gateway": "charts/gateway",
	"istiod":  "charts/istio-control/istio-discovery",
}

// stackSourcePrefix starts the Source of every object a stack deploys.
const stackSourcePrefix = "stack "

// Stack is what a stack puts in the cluster that Istio's checks need to see.
type Stack struct {
	Name string
	Mode string
	// Objects are the namespaces (with their mesh labels), the embedded app
	// charts' objects and the ingress gateway's.
	Objects []Object
	// MeshConfig is the mesh config YAML of the istiod release (its "istio"
	// ConfigMap).
	MeshConfig string
	// ProxyImage is the istio-proxy image the injector's config names.
	ProxyImage string
	// Skipped says which components are left out and why.
	Skipped []string
}

// LoadStack renders built-in stack name (mode "" keeps the stack's own) the
// way `labctl up` would install it on a kind cluster, without a cluster:
// the install plan's components, each Helm chart rendered client-side.
// Addons (Prometheus, Kiali, Grafana, Jaeger) come from remote chart
// repositories and hold nothing the analyzers look at; they are left out.
func LoadStack(name, mode string) (*Stack, error) {
	s, err := stacks.Load(name, stacks.Options{Mode: mode})
	if err != nil {
		return nil, err
	}
	v, err := stacks.LoadVersions()
	if err != nil {
		return nil, err
	}
	comps, err := install.Plan(s, v, cluster.Cluster{Ingress: cluster.Ingress{ServiceType: "NodePort", NodePortHTTP: 30080, NodePortHTTPS: 30443}})
	if err != nil {
		return nil, fmt.Errorf("stack %s: install plan: %w", name, err)
	}
	out := &Stack{Name: name, Mode: s.Spec.Mesh.Mode}
	set := NewSet()
	for _, c := range comps {
		for _, ns := range c.Namespaces {
			set.Apply(namespaceObject(fmt.Sprintf(stackSourcePrefix+"%s: namespaces", name), ns.Name, ns.Labels))
		}
		if c.Kind != install.KindHelm {
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s (a manifest bundle: CRDs only)", c.Name))
			continue
		}
		var ch *chart.Chart
		switch {
		case c.Chart.Embedded:
			ch, err = charts.Load(c.Chart.Name)
		case istioCharts[c.Chart.Name] != "":
			ch, err = loadFS(manifests.BuiltinOrDir(""), istioCharts[c.Chart.Name])
		default:
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s (chart %s from %s: nothing Istio analyzes)", c.Name, c.Chart.Name, c.Chart.Repo))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stack %s: component %s: %w", name, c.Name, err)
		}
		rendered, err := charts.Render(ch, c.Release, c.Namespace, c.Values)
		if err != nil {
			return nil, fmt.Errorf("stack %s: component %s: %w", name, c.Name, err)
		}
		source := fmt.Sprintf(stackSourcePrefix+"%s: chart %s", name, c.Chart.Name)
		objs, err := decode(source, []byte(rendered), c.Namespace)
		if err != nil {
			return nil, err
		}
		if c.Chart.Name == "istiod" {
			if out.MeshConfig, err = meshConfig(objs); err != nil {
				return nil, fmt.Errorf("stack %s: %w", name, err)
			}
			if out.ProxyImage, err = proxyImage(objs); err != nil {
				return nil, fmt.Errorf("stack %s: %w", name, err)
			}
		}
		set.Apply(objs...)
	}
	if s.Spec.Mesh.GatewayAPI || s.Spec.Mesh.Mode == stacks.ModeAmbient {
		// istiod creates these classes itself once it runs.
		for class, controller := range map[string]string{"istio": "istio.io/gateway-controller", "istio-waypoint": "istio.io/mesh-controller"} {
			gc := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
				"metadata": map[string]any{"name": class}, "spec": map[string]any{"controllerName": controller},
			}}
			set.Apply(Object{Source: fmt.Sprintf(stackSourcePrefix+"%s: istiod's gateway classes", name), U: gc})
		}
	}
	out.Objects = set.Objects()
	return out, nil
}

func namespaceObject(source, name string, labels map[string]string) Object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}}
	if len(labels) > 0 {
		u.SetLabels(labels)
	}
	return Object{Source: source, U: u}
}

// meshConfig returns the "mesh" entry of the istiod chart's "istio" ConfigMap.
func meshConfig(objs []Object) (string, error) {
	for _, o := range objs {
		if o.U.GetKind() == "ConfigMap" && o.U.GetName() == "istio" {
			m, found, err := unstructured.NestedString(o.U.Object, "data", "mesh")
			if err != nil || !found {
				break
			}
			// Round-trip to catch a chart that renders something other than YAML.
			var probe map[string]any
			if err := yaml.Unmarshal([]byte(m), &probe); err != nil {
				return "", fmt.Errorf("istiod chart: ConfigMap istio: data.mesh: %w", err)
			}
			return m, nil
		}
	}
	return "", fmt.Errorf("istiod chart rendered no ConfigMap istio with data.mesh")
}

// proxyImage returns the istio-proxy image the istiod chart's injector
// config names, read the way Istio's analyzers read it.
func proxyImage(objs []Object) (string, error) {
	for _, o := range objs {
		if o.U.GetKind() != "ConfigMap" || o.U.GetName() != "istio-sidecar-injector" {
			continue
		}
		var cm corev1.ConfigMap
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.U.Object, &cm); err != nil {
			return "", fmt.Errorf("istiod chart: ConfigMap istio-sidecar-injector: %w", err)
		}
		if img := injection.GetIstioProxyImage(&cm); img != "" {
			return img, nil
		}
		return "", fmt.Errorf("istiod chart: ConfigMap istio-sidecar-injector names no proxy image in data.values")
	}
	return "", fmt.Errorf("istiod chart rendered no ConfigMap istio-sidecar-injector")
}

// loadFS loads the chart in directory dir of fsys with Helm's loader.
func loadFS(fsys fs.FS, dir string) (*chart.Chart, error) {
	var files []*archive.BufferedFile
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, &archive.BufferedFile{Name: strings.TrimPrefix(p, dir+"/"), Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path.Clean(dir), err)
	}
	return loader.LoadFiles(files)
}
