package provision

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/labctl/labctl/stacks/install"
)

// MissingSidecars lists pods of the namespaces that have no istio-proxy
// container (neither a sidecar nor a native sidecar init container).
func MissingSidecars(pods []corev1.Pod) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed || p.Labels["sidecar.istio.io/inject"] == "false" {
			continue
		}
		if !hasProxy(p) {
			out = append(out, p)
		}
	}
	return out
}

func hasProxy(p corev1.Pod) bool {
	for _, c := range append(append([]corev1.Container{}, p.Spec.Containers...), p.Spec.InitContainers...) {
		if c.Name == "istio-proxy" {
			return true
		}
	}
	return false
}

// audit checks, after an app is installed in sidecar mode, that its pods in
// injected namespaces got sidecars. Pods that predate labctl's label are
// restarted (their Deployments rolled); anything else is reported with the
// fix. On a simulated cluster without an istiod process nothing is
// injected, and it says so.
func (r *run) audit(ctx context.Context, c install.Component, relabelled []string) {
	if r.env.Mode != "sidecar" {
		return
	}
	for _, ns := range c.Namespaces {
		if ns.Labels["istio-injection"] != "enabled" {
			continue
		}
		if r.env.Simulated && r.controlPlane == nil {
			r.p.log().V(1).Infof("sidecar audit of namespace %s skipped: simulated cluster without istiod (no injection webhook)", ns.Name)
			continue
		}
		pods, err := r.clients.Kube.CoreV1().Pods(ns.Name).List(ctx, metav1.ListOptions{})
		if err != nil {
			r.p.log().Warnf("sidecar audit of namespace %s: %v", ns.Name, err)
			continue
		}
		missing := MissingSidecars(pods.Items)
		if len(missing) == 0 {
			continue
		}
		names := make([]string, len(missing))
		for i, p := range missing {
			names[i] = p.Name
		}
		if contains(relabelled, ns.Name) {
			n, err := restartDeployments(ctx, r, ns.Name)
			if err != nil {
				r.p.log().Warnf("namespace %s was labelled for injection after pods started, and restarting them failed: %v; run `kubectl rollout restart deployment -n %s`", ns.Name, err, ns.Name)
				continue
			}
			r.status.Info(fmt.Sprintf(" • restarted %d deployments in %s so their pods get sidecars", n, ns.Name))
			continue
		}
		r.p.log().Warnf("pods without the istio-proxy sidecar in injected namespace %s: %s; restart them with `kubectl rollout restart deployment -n %s` (check `kubectl get mutatingwebhookconfiguration` if it persists)", ns.Name, strings.Join(names, ", "), ns.Name)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func restartDeployments(ctx context.Context, r *run, ns string) (int, error) {
	deps, err := r.clients.Kube.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{"kubectl.kubernetes.io/restartedAt": time.Now().Format(time.RFC3339)}}}}})
	for _, d := range deps.Items {
		if _, err := r.clients.Kube.AppsV1().Deployments(ns).Patch(ctx, d.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: install.FieldManager}); err != nil {
			return 0, fmt.Errorf("restarting deployment %s/%s: %w", ns, d.Name, err)
		}
	}
	return len(deps.Items), nil
}
