package portforward

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// AddonNamespace is where labctl installs the dashboards.
const AddonNamespace = "istio-system"

// Ingress gateway labctl installs (istio/gateway chart, release istio-ingress);
// the "app" dashboard falls back to it when the environment has no ingress URL.
const (
	IngressNamespace = "istio-ingress"
	IngressService   = "istio-ingress"
)

// Dashboard is a web UI reachable through a Service.
type Dashboard struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Service   string `json:"service"`
	Port      int32  `json:"port"`
	Path      string `json:"path,omitempty"`
	// LocalPort is the conventional local port (what the docs and Kiali's links
	// use); tunnels use it when it is free and pick another one otherwise.
	LocalPort   int    `json:"localPort"`
	Description string `json:"description"`
}

// Options returns the port-forward options for the dashboard, with localPort
// (0 = the conventional port if free, else any free port).
func (d Dashboard) Options(localPort int) Options {
	if localPort == 0 {
		localPort = FreeOrZero(d.LocalPort)
	}
	return Options{Namespace: d.Namespace, Service: d.Service, Port: d.Port, LocalPort: localPort, Path: d.Path}
}

// Dashboards lists the addon dashboards, as installed with assets/values.
func Dashboards() []Dashboard {
	return []Dashboard{
		{Name: "kiali", Namespace: AddonNamespace, Service: "kiali", Port: 20001, Path: "/kiali", LocalPort: 20001, Description: "mesh graph, health, Istio config validation"},
		{Name: "grafana", Namespace: AddonNamespace, Service: "grafana", Port: 3000, LocalPort: 3000, Description: "Istio and labctl dashboards"},
		{Name: "prometheus", Namespace: AddonNamespace, Service: "prometheus", Port: 9090, LocalPort: 9090, Description: "metrics and PromQL"},
		{Name: "jaeger", Namespace: AddonNamespace, Service: "jaeger", Port: 16686, LocalPort: 16686, Description: "traces (Jaeger v2 UI)"},
		{Name: "zipkin", Namespace: AddonNamespace, Service: "zipkin", Port: 9411, LocalPort: 9411, Description: "traces (Zipkin UI)"},
	}
}

// AppDashboard is the environment's app reached through the ingress gateway
// Service, used when the environment record has no ingress URL of its own.
func AppDashboard(path string) Dashboard {
	return Dashboard{Name: "app", Namespace: IngressNamespace, Service: IngressService, Port: 80, Path: path, LocalPort: 8080, Description: "the lab's app through the ingress gateway"}
}

// ErrUnknownDashboard is returned by Lookup for a name it does not know.
var ErrUnknownDashboard = errors.New("unknown dashboard")

// Lookup returns the addon dashboard called name.
func Lookup(name string) (Dashboard, error) {
	var names []string
	for _, d := range Dashboards() {
		if d.Name == name {
			return d, nil
		}
		names = append(names, d.Name)
	}
	return Dashboard{}, fmt.Errorf("%w %q: use one of %s, app", ErrUnknownDashboard, name, strings.Join(names, ", "))
}

// FreeOrZero returns port if nothing listens on 127.0.0.1:port right now, else 0
// (let the tunnel pick a free port).
func FreeOrZero(port int) int {
	if port <= 0 {
		return 0
	}
	l, err := net.Listen("tcp", net.JoinHostPort(BindAddress, strconv.Itoa(port)))
	if err != nil {
		return 0
	}
	_ = l.Close()
	return port
}
