package stacks

// APIVersion and Kind identify a Stack document.
const (
	APIVersion = "labctl.dev/v1alpha1"
	Kind       = "Stack"
)

// Mesh modes.
const (
	ModeSidecar = "sidecar"
	ModeAmbient = "ambient"
)

// Cluster providers.
const (
	ProviderKind     = "kind"
	ProviderExisting = "existing"
	ProviderKwok     = "kwok"
)

// Ingress modes: Istio Gateway + VirtualService, or Gateway API.
const (
	IngressIstio      = "istio"
	IngressGatewayAPI = "gatewayapi"
)

// Stack is one lab environment's desired state.
type Stack struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata names the stack.
type Metadata struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Spec is the body of a Stack.
type Spec struct {
	Cluster Cluster  `json:"cluster"`
	Mesh    Mesh     `json:"mesh"`
	Addons  []Addon  `json:"addons,omitempty"`
	Apps    []App    `json:"apps,omitempty"`
	Traffic *Traffic `json:"traffic,omitempty"`
}

// Cluster says where the environment runs.
type Cluster struct {
	// Provider is kind (default), existing or kwok.
	Provider string `json:"provider,omitempty"`
	// Workers is the number of worker nodes besides the one control plane.
	Workers int `json:"workers,omitempty"`
	// NodeImage pins the kind node image (default from versions.yaml).
	NodeImage string `json:"nodeImage,omitempty"`
	// Ports are the host ports the ingress gateway is published on.
	Ports Ports `json:"ports,omitempty"`
	// RegistryMirror is a registry mirror endpoint for docker.io and the
	// other registries the stack pulls from, e.g. http://host.docker.internal:5000.
	RegistryMirror string `json:"registryMirror,omitempty"`
	// Requires is what the container runtime must offer this stack.
	Requires Resources `json:"requires,omitempty"`
}

// Ports are host ports on 127.0.0.1 mapped to the ingress gateway NodePorts.
type Ports struct {
	HTTP  int `json:"http,omitempty"`
	HTTPS int `json:"https,omitempty"`
}

// Resources the stack needs from the machine.
type Resources struct {
	// MemoryMiB is the memory the container runtime should have.
	MemoryMiB int `json:"memoryMiB,omitempty"`
	CPUs      int `json:"cpus,omitempty"`
}

// Mesh is the Istio installation.
type Mesh struct {
	// Version is the Istio chart version (default from versions.yaml).
	Version string `json:"version,omitempty"`
	// Mode is sidecar (default) or ambient.
	Mode string `json:"mode,omitempty"`
	// Profile is the istiod chart profile (default, demo, ambient, ...).
	Profile string `json:"profile,omitempty"`
	// GatewayAPI installs the Gateway API CRDs (always on in ambient).
	GatewayAPI bool `json:"gatewayAPI,omitempty"`
	// Ingress configures the ingress gateway.
	Ingress Ingress `json:"ingress,omitempty"`
	// Values are extra Helm values per Istio chart: base, istiod, cni,
	// ztunnel, gateway.
	Values map[string]map[string]any `json:"values,omitempty"`
}

// Ingress configures the ingress gateway release.
type Ingress struct {
	// Disabled turns the ingress gateway off.
	Disabled bool `json:"disabled,omitempty"`
	// Mode is istio (Gateway + VirtualService) or gatewayapi.
	Mode string `json:"mode,omitempty"`
}

// Addon is an observability addon installed from its official chart.
type Addon struct {
	// Name is kiali, prometheus, grafana, jaeger or zipkin.
	Name string `json:"name"`
	// Chart, Repo and Version default to the version lock.
	Chart     string         `json:"chart,omitempty"`
	Repo      string         `json:"repo,omitempty"`
	Version   string         `json:"version,omitempty"`
	Namespace string         `json:"namespace,omitempty"`
	Values    map[string]any `json:"values,omitempty"`
}

// App is a demo application from one of our own charts.
type App struct {
	Name string `json:"name"`
	// Chart is one of labctl's embedded charts (default: Name).
	Chart string `json:"chart,omitempty"`
	// Namespace is the release namespace (default: Name).
	Namespace string `json:"namespace,omitempty"`
	// Namespaces are all namespaces the app lives in, when it spans several
	// (Travels); default: [Namespace].
	Namespaces []string `json:"namespaces,omitempty"`
	// Inject labels the app namespaces for the mesh (sidecar injection or
	// ambient) before deploying. Default true; Travels starts uninjected.
	Inject *bool          `json:"inject,omitempty"`
	Values map[string]any `json:"values,omitempty"`
	// Ingress is how the app is reached through the gateway.
	Ingress *AppIngress `json:"ingress,omitempty"`
}

// AppIngress says which host and path reach the app through the gateway.
type AppIngress struct {
	Host string `json:"host,omitempty"`
	Path string `json:"path,omitempty"`
}

// Traffic is the in-cluster background traffic generator.
type Traffic struct {
	Enabled bool `json:"enabled"`
	// Rate is requests per second per target.
	Rate float64 `json:"rate,omitempty"`
	// Targets are app names whose ingress paths get traffic.
	Targets []string `json:"targets,omitempty"`
}

// Injected reports whether the app's namespaces are labelled for the mesh.
func (a App) Injected() bool { return a.Inject == nil || *a.Inject }
