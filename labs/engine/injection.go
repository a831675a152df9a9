package engine

import (
	"context"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/labs/scope"
	"github.com/labctl/labctl/verify"
)

// sidecarContainer is the container Istio's injector adds to a pod.
const sidecarContainer = "istio-proxy"

// convergeInjection restarts the Deployments of the namespaces whose pods
// do not have the sidecars the desired state says they were made with.
// relabelled are the namespaces whose injection labels the reset changed:
// their workloads restart, as before. A namespace whose Deployments a
// rollout restart action restarted (d.podInjection) also restarts when its
// pods' sidecars disagree with the labels of that restart, and restarts
// under those labels, set for the restart only: at the start of a step
// that follows "label the namespace" but precedes "restart the workloads",
// the namespace is labelled and its pods still have no sidecar.
func (s *session) convergeInjection(ctx context.Context, snapIdx map[scope.Key]scope.Object, d *desired, relabelled []string, out *Reset) error {
	nss := map[string]bool{}
	for _, ns := range relabelled {
		nss[ns] = true
	}
	for ns := range d.podInjection {
		nss[ns] = true
	}
	for _, ns := range sortedKeys(nss) {
		at, recorded := d.podInjection[ns]
		if !recorded {
			if err := s.restartAll(ctx, ns, out); err != nil {
				return err
			}
			continue
		}
		cur, err := s.namespaceLabels(ctx, ns)
		if err != nil {
			return err
		}
		if cur == nil {
			continue // the desired state does not have the namespace
		}
		under := podLabels(foundLabels(snapIdx, ns), at)
		if !slices.Contains(relabelled, ns) {
			ok, err := s.sidecarsMatch(ctx, ns, injects(under))
			if err != nil {
				return err
			}
			if ok {
				continue
			}
		}
		// Set the injection labels the pods were made under, restart, and
		// put the namespace's labels back.
		tmp, back := map[string]*string{}, map[string]*string{}
		for _, k := range injectionKeys {
			c, has := cur[k]
			u, want := under[k]
			if has == want && c == u {
				continue
			}
			back[k] = nil
			if has {
				back[k] = &c
			}
			tmp[k] = nil
			if want {
				tmp[k] = &u
			}
		}
		if err := s.patchNamespaceLabels(ctx, ns, tmp); err != nil {
			return err
		}
		restartErr := s.restartAll(ctx, ns, out)
		if err := s.patchNamespaceLabels(ctx, ns, back); err != nil {
			return fmt.Errorf("%w (after restarting the workloads of %s under their earlier injection labels)", err, ns)
		}
		if restartErr != nil {
			return restartErr
		}
	}
	return nil
}

func (s *session) restartAll(ctx context.Context, ns string, out *Reset) error {
	names, err := s.workloads(ctx, "Deployment", ns, "")
	if err != nil {
		return err
	}
	if err := s.restart(ctx, "Deployment", ns, names, DefaultWaitTimeout); err != nil {
		return err
	}
	for _, n := range names {
		out.Restarted = append(out.Restarted, "Deployment "+ns+"/"+n)
	}
	return nil
}

// sidecarsMatch reports whether every running pod of a ReplicaSet in ns
// has Istio's sidecar when want says so, and none has it otherwise.
func (s *session) sidecarsMatch(ctx context.Context, ns string, want bool) (bool, error) {
	pods, err := s.c.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, fmt.Errorf("listing the pods of %s: %w", ns, err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp != nil || !ownedByReplicaSet(p.OwnerReferences) {
			continue
		}
		if slices.Contains(verify.ContainerNames(p), sidecarContainer) != want {
			return false, nil
		}
	}
	return true, nil
}

func ownedByReplicaSet(refs []metav1.OwnerReference) bool {
	return slices.ContainsFunc(refs, func(r metav1.OwnerReference) bool { return r.Kind == "ReplicaSet" })
}

// foundLabels are the injection labels of ns when the lab started.
func foundLabels(snapIdx map[scope.Key]scope.Object, ns string) map[string]string {
	out := map[string]string{}
	if o, ok := snapIdx[scope.Key{Kind: "Namespace", Name: ns}]; ok {
		for k, v := range o.Unstructured().GetLabels() {
			if slices.Contains(injectionKeys, k) {
				out[k] = v
			}
		}
	}
	return out
}

// podLabels overlays the labels recorded at a restart on those found.
func podLabels(found map[string]string, at map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range found {
		out[k] = v
	}
	for k, v := range at {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return out
}

// injects reports whether Istio's injector gives pods of a namespace with
// these labels a sidecar: istio-injection=enabled, or a revision label
// without istio-injection=disabled.
func injects(labels map[string]string) bool {
	if v, ok := labels[injectionLabel]; ok {
		return v == "enabled"
	}
	return labels[revisionLabel] != ""
}
