package cluster

import (
	"context"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/preflight"
)

// Provider makes (or adopts) the cluster an environment runs on.
type Provider interface {
	// Name is the provider name used in --provider and state records.
	Name() string
	// Preflight checks the host and cluster before anything is changed.
	// It must return within a few seconds.
	Preflight(ctx context.Context, req Request) preflight.Report
	// Ensure creates the cluster, or reuses it when it already exists, and
	// returns how to reach it. It is idempotent.
	Ensure(ctx context.Context, req Request) (*Cluster, error)
	// Delete removes the cluster when the provider created it. Providers
	// that adopt clusters (existing) do nothing here: the caller uninstalls
	// what labctl put there. Deleting a missing cluster is not an error.
	Delete(ctx context.Context, env *state.Environment) error
}

// Request is what a provider needs to know.
type Request struct {
	// Name is the environment name; kind and kwok name the cluster after it.
	Name string
	// Spec is the stack's cluster section with overrides applied.
	Spec stacks.Cluster
	// Kubeconfig is the kubeconfig file to write or read ("" = default rules).
	Kubeconfig string
	// Context is the kube context to use (existing provider).
	Context string
	// Mode is the mesh mode (sidecar or ambient): some clusters cannot run
	// ambient (Docker Desktop's Kubernetes), and ambient wants 2+ nodes.
	Mode string
	// Status reports the provider's tasks (nil: nothing is reported). The
	// provider's logger comes with its options.
	Status progress.Status
}

// Progress returns r.Status, or a Status that reports nothing.
func (r Request) Progress() progress.Status { return progress.OrNoStatus(r.Status) }

// Cluster says how to reach a cluster a provider made ready.
type Cluster struct {
	Kubeconfig string
	Context    string
	// Created is true when this Ensure call created the cluster.
	Created bool
	// Owned is true when labctl owns the cluster and may delete it whole.
	Owned bool
	// Simulated is true when the cluster has no data plane (kwok): pods are
	// reported Running but nothing serves traffic.
	Simulated bool
	// Ingress is how the host reaches the ingress gateway.
	Ingress Ingress
	// ControlPlane is set when Istio's control plane runs outside the
	// cluster (a ControlPlaneRunner's process): the mesh charts then point
	// their webhooks at it by URL instead of at an istiod Service.
	ControlPlane *ControlPlane
}

// ControlPlane is Istio's control plane running outside the cluster, the
// way Istio's charts wire a remote istiod.
type ControlPlane struct {
	// InjectionURL and ValidationURL are the webhooks' clientConfig.url
	// (the istiod chart's istiodRemote.injectionURL, base.validationURL).
	InjectionURL  string
	ValidationURL string
}

// ControlPlaneRunner is implemented by providers whose clusters cannot run
// Istio's control plane in a pod (kwok: no pod runs) but can run it as a
// process next to the cluster. Up reserves its endpoints before the mesh
// charts are installed, and starts it once the istiod chart's
// configuration is in the cluster; Delete stops it.
type ControlPlaneRunner interface {
	// ReserveControlPlane returns the endpoints of environment env's
	// control plane, keeping those of one already recorded. It returns nil
	// and why when none can run here (e.g. its binary is missing); the
	// cluster then goes without webhooks.
	ReserveControlPlane(ctx context.Context, env, mode string) (*ControlPlane, string, error)
	// StartControlPlane starts the reserved control plane unless it runs,
	// and waits until it serves; it says what it did.
	StartControlPlane(ctx context.Context, env string) (string, error)
}

// Ingress describes how the host reaches the ingress gateway.
type Ingress struct {
	// ServiceType is NodePort (kind: host ports map to node ports) or
	// LoadBalancer (cloud clusters).
	ServiceType string
	// Host is the address the user's browser uses, e.g. 127.0.0.1.
	Host string
	// HTTPPort and HTTPSPort are host ports; on kind they equal the
	// gateway's nodePorts inside the node (containerPort = nodePort).
	HTTPPort  int
	HTTPSPort int
	// NodePortHTTP and NodePortHTTPS are the gateway Service nodePorts.
	NodePortHTTP  int
	NodePortHTTPS int
	// NodeSelector pins the gateway to the node that carries the port
	// mappings (kind: ingress-ready=true).
	NodeSelector map[string]string
}
