package install

import "time"

// Kind of component.
type Kind string

// Component kinds.
const (
	// KindHelm is a Helm release.
	KindHelm Kind = "helm"
	// KindManifest is a bundle of objects applied from a URL (CRDs).
	KindManifest Kind = "manifest"
	// KindControlPlane starts Istio's control plane as a process outside
	// the cluster (cluster.ControlPlaneRunner), once the istiod chart's
	// configuration is in the cluster.
	KindControlPlane Kind = "control-plane"
)

// Groups of components, for display and ordering.
const (
	GroupMesh    = "mesh"
	GroupAddon   = "addon"
	GroupApp     = "app"
	GroupTraffic = "traffic"
)

// Named timeouts for a component to become ready.
const (
	TimeoutCRDs    = 2 * time.Minute
	TimeoutMesh    = 5 * time.Minute
	TimeoutAddon   = 5 * time.Minute
	TimeoutApp     = 10 * time.Minute
	TimeoutTraffic = 3 * time.Minute
	// TimeoutControlPlane bounds istiod's process getting ready.
	TimeoutControlPlane = 2 * time.Minute
)

// ControlPlaneComponent is the name of the KindControlPlane component.
const ControlPlaneComponent = "istiod-process"

// Component is one node of the install graph.
type Component struct {
	// Name is unique in the graph: istio-base, istiod, kiali, bookinfo, ...
	Name  string
	Group string
	Kind  Kind
	// Release and Namespace of a Helm component.
	Release   string
	Namespace string
	Chart     ChartRef
	Values    map[string]any
	// ManifestURL is the source of a manifest component.
	ManifestURL string
	// DependsOn names the components that must be ready first.
	DependsOn []string
	// Namespaces are created (if missing) and labelled before installing.
	Namespaces []Namespace
	Timeout    time.Duration
}

// ChartRef says where a chart comes from.
type ChartRef struct {
	Name    string
	Repo    string
	Version string
	// Embedded charts ship inside labctl (charts/).
	Embedded bool
}

// Namespace is a namespace a component needs, with the labels it must carry.
type Namespace struct {
	Name   string
	Labels map[string]string
}
