package version

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/labctl/labctl/stacks"
)

// Lock is the version lock as `labctl version` shows it.
type Lock struct {
	// Default is the Istio release `labctl up` installs without --istio-version.
	Default   string    `json:"default"`
	NodeImage string    `json:"kindNodeImage"`
	Releases  []Release `json:"releases"`
}

// Release is one Istio release of the lock with everything installed with it.
type Release struct {
	Istio       string            `json:"istio"`
	Default     bool              `json:"default,omitempty"`
	GatewayAPI  string            `json:"gatewayAPI"`
	Kubernetes  []string          `json:"kubernetes"`
	Charts      map[string]string `json:"charts"`
	Unconfirmed string            `json:"unconfirmed,omitempty"`
}

// chartColumns are the addon charts, in the order the table shows them.
var chartColumns = []struct{ chart, title string }{
	{"kiali-server", "KIALI"}, {"prometheus", "PROMETHEUS"}, {"grafana", "GRAFANA"}, {"jaeger", "JAEGER"}, {"zipkin", "ZIPKIN"},
}

// LockOf resolves every release of the lock v (newest first).
func LockOf(v *stacks.Versions) (Lock, error) {
	out := Lock{Default: v.Istio.Version, NodeImage: v.Kind.NodeImage}
	for _, r := range v.Releases() {
		rv, err := v.ForIstio(r.Version)
		if err != nil {
			return Lock{}, err
		}
		rel := Release{Istio: r.Version, Default: r.Version == v.Istio.Version, GatewayAPI: rv.Istio.GatewayAPI,
			Kubernetes: slices.Clone(rv.Istio.Kubernetes), Charts: map[string]string{}, Unconfirmed: r.Unconfirmed}
		for name, pin := range rv.Charts {
			rel.Charts[name] = pin.Version
		}
		out.Releases = append(out.Releases, rel)
	}
	return out, nil
}

// WriteLock prints the lock as a table, one Istio release a row.
func WriteLock(w io.Writer, l Lock) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"ISTIO", "GATEWAY API", "KUBERNETES"}
	for _, c := range chartColumns {
		head = append(head, c.title)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	var notes []string
	for _, r := range l.Releases {
		name := r.Istio
		if r.Default {
			name += " (default)"
		}
		if r.Unconfirmed != "" {
			name += " *"
			notes = append(notes, fmt.Sprintf("* %s: unconfirmed: %s", r.Istio, r.Unconfirmed))
		}
		k8s := ""
		if len(r.Kubernetes) > 0 {
			k8s = r.Kubernetes[0] + "-" + r.Kubernetes[len(r.Kubernetes)-1]
		}
		row := []string{name, r.GatewayAPI, k8s}
		for _, c := range chartColumns {
			row = append(row, r.Charts[c.chart])
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nkind node image %s\n", l.NodeImage)
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, "Pick a release with `labctl up --istio-version MINOR` (or an exact patch).")
	return nil
}
