package provision

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// Report is what `labctl status` prints.
type Report struct {
	Name       string            `json:"name"`
	Stack      string            `json:"stack"`
	Provider   string            `json:"provider"`
	Context    string            `json:"context"`
	Simulated  bool              `json:"simulated"`
	Mode       string            `json:"mode,omitempty"`
	Phase      string            `json:"phase"`
	IngressURL string            `json:"ingressURL,omitempty"`
	Apps       []state.App       `json:"apps,omitempty"`
	Components []ComponentStatus `json:"components"`
	// ClusterProblems are parts of the cluster itself that are down: a
	// control-plane process that exited (with its log), a NotReady node.
	ClusterProblems []cluster.Problem `json:"clusterProblems,omitempty"`
	// Reachable is false when the cluster did not answer.
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
}

// ComponentStatus is one release's state in the cluster.
type ComponentStatus struct {
	Name      string `json:"name"`
	Release   string `json:"release"`
	Namespace string `json:"namespace"`
	Chart     string `json:"chart"`
	Version   string `json:"version"`
	// Status is Helm's release status (deployed, failed, pending-install, ...)
	// or "missing" when the release is gone.
	Status string `json:"status"`
	Ready  bool   `json:"ready"`
	// Message says what is not ready.
	Message string `json:"message,omitempty"`
}

// Status reads the environment record and checks every release it lists
// against the cluster.
func (p *Provisioner) Status(ctx context.Context, name string) (*Report, error) {
	env, err := p.Store.Load(name)
	if err != nil {
		return nil, err
	}
	r := &Report{Name: env.Name, Stack: env.Stack, Provider: env.Provider, Context: env.Context, Simulated: env.Simulated,
		Mode: env.Mode, Phase: env.Phase, IngressURL: env.IngressURL, Apps: env.Apps, Components: []ComponentStatus{}}
	c, err := p.Clients(env.Kubeconfig, env.Context)
	if err == nil {
		_, err = c.Kube.Discovery().ServerVersion()
	}
	if err != nil {
		r.ClusterProblems = p.clusterProblems(ctx, env, nil)
		r.Error = fmt.Sprintf("cluster not reachable through context %s: %v", env.Context, err)
		for _, rel := range env.Releases {
			r.Components = append(r.Components, ComponentStatus{Name: rel.Component, Release: rel.Name, Namespace: rel.Namespace, Chart: rel.Chart, Version: rel.Version, Status: "unknown"})
		}
		return r, nil
	}
	r.Reachable = true
	r.ClusterProblems = p.clusterProblems(ctx, env, c)
	helm := p.helm(c)
	for _, rel := range env.Releases {
		cs := ComponentStatus{Name: rel.Component, Release: rel.Name, Namespace: rel.Namespace, Chart: rel.Chart, Version: rel.Version}
		last, err := helm.Status(rel.Namespace, rel.Name)
		switch {
		case err != nil:
			cs.Status, cs.Message = "unknown", err.Error()
		case last == nil:
			cs.Status, cs.Message = "missing", "the release is gone: run `labctl up` to reinstall it"
		default:
			cs.Status = string(last.Info.Status)
			cs.Version = last.Chart.Metadata.Version
			cs.Ready, cs.Message = workloadsReady(ctx, c, last.Manifest, rel.Namespace)
			if cs.Status != "deployed" {
				cs.Ready = false
			}
		}
		r.Components = append(r.Components, cs)
	}
	return r, nil
}

// workloadsReady checks the Deployments, StatefulSets and DaemonSets of a
// manifest: every replica updated and available.
func workloadsReady(ctx context.Context, c *kube.Clients, manifest, releaseNS string) (bool, string) {
	objs, err := install.Decode([]byte(manifest))
	if err != nil {
		return false, err.Error()
	}
	apps := c.Kube.AppsV1()
	for _, o := range objs {
		ns, name := o.GetNamespace(), o.GetName()
		if ns == "" {
			ns = releaseNS // Helm puts unqualified objects in the release namespace
		}
		var want, ready int32
		switch o.GetKind() {
		case "Deployment":
			d, err := apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, fmt.Sprintf("Deployment %s/%s: %v", ns, name, err)
			}
			want, ready = 1, d.Status.AvailableReplicas
			if d.Spec.Replicas != nil {
				want = *d.Spec.Replicas
			}
		case "StatefulSet":
			s, err := apps.StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, fmt.Sprintf("StatefulSet %s/%s: %v", ns, name, err)
			}
			want, ready = 1, s.Status.ReadyReplicas
			if s.Spec.Replicas != nil {
				want = *s.Spec.Replicas
			}
		case "DaemonSet":
			d, err := apps.DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, fmt.Sprintf("DaemonSet %s/%s: %v", ns, name, err)
			}
			want, ready = d.Status.DesiredNumberScheduled, d.Status.NumberAvailable
		default:
			continue
		}
		if ready < want {
			return false, fmt.Sprintf("%s %s/%s: %d of %d ready", o.GetKind(), ns, name, ready, want)
		}
	}
	return true, ""
}
