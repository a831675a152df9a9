package stacks

// Default host ports for the ingress gateway on kind (127.0.0.1 only).
// Unprivileged and rarely taken, so `up` needs no root; change with
// --set cluster.ports.http=N.
const (
	DefaultHTTPPort  = 8080
	DefaultHTTPSPort = 8443
)

// DefaultNamespace is where Istio's control plane and the addons live.
const DefaultNamespace = "istio-system"

// addonCharts maps addon names to their official chart names.
var addonCharts = map[string]string{
	"kiali":      "kiali-server",
	"prometheus": "prometheus",
	"grafana":    "grafana",
	"jaeger":     "jaeger",
	"zipkin":     "zipkin",
}

// AddonNames lists the addons labctl knows by name.
func AddonNames() []string {
	return []string{"grafana", "jaeger", "kiali", "prometheus", "zipkin"}
}

// Default fills every unset field from the version lock and the built-in
// conventions. It is idempotent.
func (s *Stack) Default(v *Versions) {
	c := &s.Spec.Cluster
	if c.Provider == "" {
		c.Provider = ProviderKind
	}
	if c.NodeImage == "" {
		c.NodeImage = v.Kind.NodeImage
	}
	if c.Ports.HTTP == 0 {
		c.Ports.HTTP = DefaultHTTPPort
	}
	if c.Ports.HTTPS == 0 {
		c.Ports.HTTPS = DefaultHTTPSPort
	}
	m := &s.Spec.Mesh
	if m.Version == "" {
		m.Version = v.Istio.Version
	}
	if m.Mode == "" {
		m.Mode = ModeSidecar
	}
	if m.Profile == "" && m.Mode == ModeAmbient {
		m.Profile = "ambient"
	}
	if m.Ingress.Mode == "" {
		m.Ingress.Mode = IngressIstio
	}
	if m.Mode == ModeAmbient || m.Ingress.Mode == IngressGatewayAPI {
		m.GatewayAPI = true
	}
	for i := range s.Spec.Addons {
		a := &s.Spec.Addons[i]
		if a.Chart == "" {
			a.Chart = addonCharts[a.Name]
		}
		if pin, ok := v.Charts[a.Chart]; ok {
			if a.Repo == "" {
				a.Repo = pin.Repo
			}
			if a.Version == "" {
				a.Version = pin.Version
			}
		}
		if a.Namespace == "" {
			a.Namespace = DefaultNamespace
		}
	}
	for i := range s.Spec.Apps {
		a := &s.Spec.Apps[i]
		if a.Chart == "" {
			a.Chart = a.Name
		}
		if a.Namespace == "" {
			a.Namespace = a.Name
		}
		if len(a.Namespaces) == 0 {
			a.Namespaces = []string{a.Namespace}
		}
	}
	if t := s.Spec.Traffic; t != nil && t.Enabled {
		if t.Rate == 0 {
			t.Rate = 1
		}
		if len(t.Targets) == 0 {
			for _, a := range s.Spec.Apps {
				if a.Ingress != nil {
					t.Targets = append(t.Targets, a.Name)
				}
			}
		}
	}
}
