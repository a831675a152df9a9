package charts

import (
	"fmt"
	"sort"
	"strings"

	chartcommon "helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/engine"
)

// Render renders chart c client-side (no cluster) as a release called
// releaseName in namespace, with vals merged over the chart's defaults. It
// returns the manifests in template-file order, each preceded by a
// "# Source:" comment, separated by "---". NOTES.txt and empty documents are
// left out. It is what the golden tests compare and what `labctl` can show
// in a dry run.
func Render(c *chart.Chart, releaseName, namespace string, vals map[string]any) (string, error) {
	opts := chartcommon.ReleaseOptions{Name: releaseName, Namespace: namespace, IsInstall: true, Revision: 1}
	top, err := chartutil.ToRenderValues(c, vals, opts, nil)
	if err != nil {
		return "", fmt.Errorf("compute values for chart %q: %w", c.Name(), err)
	}
	out, err := engine.Render(c, top)
	if err != nil {
		return "", fmt.Errorf("render chart %q: %w", c.Name(), err)
	}
	names := make([]string, 0, len(out))
	for name := range out {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		for _, doc := range strings.Split(out[name], "\n---") {
			doc = strings.TrimSpace(strings.TrimPrefix(doc, "---"))
			if isEmptyDoc(doc) {
				continue
			}
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", name, doc)
		}
	}
	return b.String(), nil
}

// isEmptyDoc reports whether a YAML document holds only comments or space.
func isEmptyDoc(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return false
		}
	}
	return true
}
