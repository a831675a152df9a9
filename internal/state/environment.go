package state

import "time"

// APIVersion is the version stamped on every record.
const APIVersion = "labctl.dev/v1alpha1"

// Phases of an environment record.
const (
	PhaseProvisioning = "provisioning"
	PhaseReady        = "ready"
	PhaseFailed       = "failed"
)

// Environment is what labctl knows about one environment it made.
type Environment struct {
	APIVersion string `json:"apiVersion"`
	Name       string `json:"name"`
	Stack      string `json:"stack"`
	Provider   string `json:"provider"`
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Context    string `json:"context"`
	// Simulated is true for clusters without a data plane (kwok).
	Simulated bool `json:"simulated,omitempty"`
	// ClusterCreated is true when labctl created the cluster itself, so
	// `down` may delete it whole.
	ClusterCreated bool      `json:"clusterCreated,omitempty"`
	Mode           string    `json:"mode,omitempty"`
	IstioVersion   string    `json:"istioVersion,omitempty"`
	IngressURL     string    `json:"ingressURL,omitempty"`
	Phase          string    `json:"phase"`
	Apps           []App     `json:"apps,omitempty"`
	Releases       []Release `json:"releases,omitempty"`
	// Namespaces labctl created (and so deletes on down).
	Namespaces []string `json:"namespaces,omitempty"`
	// Objects are cluster-scoped objects labctl created (CRDs and the like).
	Objects []ObjectRef `json:"objects,omitempty"`
	// Traffic is the background traffic setting chosen with `labctl
	// traffic`; it outlives re-runs of `up`.
	Traffic *Traffic `json:"traffic,omitempty"`
	// Labels labctl added to namespaces it did not create.
	Labels []NamespaceLabel `json:"labels,omitempty"`
	// Lab is the progress of the lab active in this environment (labs/engine).
	Lab *LabProgress `json:"lab,omitempty"`
	// LabResults remember the labs stopped in this environment.
	LabResults []LabResult `json:"labResults,omitempty"`
	CreatedAt  time.Time   `json:"createdAt"`
	UpdatedAt  time.Time   `json:"updatedAt"`
}

// App is a demo application reachable through the environment's ingress.
type App struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Host      string `json:"host,omitempty"`
	Path      string `json:"path,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Traffic is the background traffic generator's setting.
type Traffic struct {
	Enabled bool    `json:"enabled"`
	Rate    float64 `json:"rate"`
}

// Release is a Helm release labctl installed.
type Release struct {
	Component string `json:"component"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Chart     string `json:"chart"`
	Version   string `json:"version"`
	// Digest identifies chart version plus values, to skip unchanged upgrades.
	Digest string `json:"digest,omitempty"`
}

// ObjectRef names a Kubernetes object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace,omitempty"`
}

// NamespaceLabel is a label labctl set on a namespace it did not create.
type NamespaceLabel struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

// HasNamespace reports whether labctl created ns.
func (e *Environment) HasNamespace(ns string) bool {
	for _, n := range e.Namespaces {
		if n == ns {
			return true
		}
	}
	return false
}

// AddNamespace records a namespace labctl created, once.
func (e *Environment) AddNamespace(ns string) {
	if !e.HasNamespace(ns) {
		e.Namespaces = append(e.Namespaces, ns)
	}
}

// AddObject records a cluster-scoped object labctl created, once.
func (e *Environment) AddObject(ref ObjectRef) {
	for _, o := range e.Objects {
		if o == ref {
			return
		}
	}
	e.Objects = append(e.Objects, ref)
}

// SetRelease adds or replaces the release with the same name and namespace.
func (e *Environment) SetRelease(r Release) {
	for i, o := range e.Releases {
		if o.Name == r.Name && o.Namespace == r.Namespace {
			e.Releases[i] = r
			return
		}
	}
	e.Releases = append(e.Releases, r)
}

// RemoveRelease forgets a release.
func (e *Environment) RemoveRelease(name, namespace string) {
	out := e.Releases[:0]
	for _, o := range e.Releases {
		if o.Name != name || o.Namespace != namespace {
			out = append(out, o)
		}
	}
	e.Releases = out
}

// App returns the named app, if the environment has it.
func (e *Environment) App(name string) (App, bool) {
	for _, a := range e.Apps {
		if a.Name == name {
			return a, true
		}
	}
	return App{}, false
}
