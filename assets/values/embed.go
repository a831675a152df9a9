package values

import (
	"embed"
	"fmt"

	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/assets/dashboards"
	"github.com/labctl/labctl/internal/embedfs"
)

//go:embed *.yaml
var FS embed.FS

// Names lists the values files (file names without .yaml), sorted.
func Names() []string { return embedfs.Names(FS, ".", ".yaml") }

// Raw returns the YAML of the values file called name.
func Raw(name string) ([]byte, error) { return embedfs.Read(FS, ".", ".yaml", "values file", name) }

// Load returns the values to give the chart: the file called name, parsed.
// For "grafana" labctl's own dashboards (package dashboards) are added inline
// under the "labctl" dashboard provider, so they need no network.
func Load(name string) (map[string]any, error) {
	b, err := Raw(name)
	if err != nil {
		return nil, err
	}
	vals := map[string]any{}
	if err := yaml.Unmarshal(b, &vals); err != nil {
		return nil, fmt.Errorf("parse values file %s.yaml: %w", name, err)
	}
	if name == "grafana" {
		if err := addDashboards(vals); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// Merge loads the named files and merges them in order, later files winning
// key by key (maps are merged deeply, lists replaced), as `helm -f a -f b` does.
// Merge("istiod", "istiod-zipkin", "istiod-slim") gives a slim Zipkin mesh.
func Merge(names ...string) (map[string]any, error) {
	out := map[string]any{}
	for _, n := range names {
		v, err := Load(n)
		if err != nil {
			return nil, err
		}
		out = chartutil.MergeTables(v, out)
	}
	return out, nil
}

// addDashboards puts every embedded dashboard under dashboards.labctl.
func addDashboards(vals map[string]any) error {
	dash, ok := vals["dashboards"].(map[string]any)
	if !ok {
		dash = map[string]any{}
		vals["dashboards"] = dash
	}
	own := map[string]any{}
	for _, n := range dashboards.Names() {
		b, err := dashboards.Get(n)
		if err != nil {
			return err
		}
		own[n] = map[string]any{"json": string(b)}
	}
	dash["labctl"] = own
	return nil
}
