package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// workloadKinds are the kinds whose pod template becomes a synthetic Pod.
var workloadKinds = map[string]bool{
	"apps/Deployment": true, "apps/StatefulSet": true, "apps/DaemonSet": true, "apps/ReplicaSet": true, "batch/Job": true,
}

// withPods returns the objects plus one Pod per workload with replicas > 0,
// as the cluster would run them: the pod template's labels, annotations and
// spec, in the workload's namespace, and an istio-proxy container of
// proxyImage (the injector's) with the
// labels the injector adds, when the namespace or the pod asks for a sidecar.
// Istio's analyzers look at Pods, not workloads, for selectors, gateways and
// injection.
func withPods(objs []Object, proxyImage string) ([]Object, error) {
	nsLabels := map[string]map[string]string{}
	for _, o := range objs {
		if o.U.GetKind() == "Namespace" && o.U.GroupVersionKind().Group == "" {
			nsLabels[o.U.GetName()] = o.U.GetLabels()
		}
	}
	out := append([]Object(nil), objs...)
	for _, o := range objs {
		gvk := o.U.GroupVersionKind()
		if !workloadKinds[gvk.Group+"/"+gvk.Kind] {
			continue
		}
		if r, found, _ := unstructured.NestedInt64(o.U.Object, "spec", "replicas"); found && r == 0 {
			continue
		}
		tmpl, found, err := unstructured.NestedMap(o.U.Object, "spec", "template")
		if err != nil || !found {
			return nil, fmt.Errorf("%s: %s has no spec.template", o.Source, describe(o.U))
		}
		pod := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod"}}
		if md, ok := tmpl["metadata"].(map[string]any); ok {
			pod.Object["metadata"] = md
		}
		if spec, ok := tmpl["spec"].(map[string]any); ok {
			pod.Object["spec"] = spec
		}
		pod.SetName(o.U.GetName() + "-istiocheck")
		pod.SetNamespace(o.U.GetNamespace())
		labels := pod.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		if injected(nsLabels[o.U.GetNamespace()], labels, pod.GetAnnotations()) {
			if err := addProxy(pod, labels, proxyImage); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", o.Source, describe(o.U), err)
			}
		}
		pod.SetLabels(labels)
		out = append(out, Object{Source: o.Source, U: pod})
	}
	return out, nil
}

// injected reports whether Istio's injector gives a pod a sidecar, following
// its precedence: the pod's sidecar.istio.io/inject label (or annotation)
// first, then the namespace's istio-injection label or istio.io/rev.
func injected(ns, podLabels, podAnnotations map[string]string) bool {
	for _, m := range []map[string]string{podLabels, podAnnotations} {
		switch m["sidecar.istio.io/inject"] {
		case "true":
			return true
		case "false":
			return false
		}
	}
	if v, ok := ns["istio-injection"]; ok {
		return v == "enabled"
	}
	_, rev := ns["istio.io/rev"]
	return rev
}

// addProxy adds the istio-proxy container unless the template has one
// (gateway charts bring their own with image "auto"), and the labels the
// injector sets.
func addProxy(pod *unstructured.Unstructured, labels map[string]string, proxyImage string) error {
	containers, _, err := unstructured.NestedSlice(pod.Object, "spec", "containers")
	if err != nil {
		return err
	}
	has := false
	for i, c := range containers {
		cm, ok := c.(map[string]any)
		if ok && cm["name"] == "istio-proxy" {
			has = true
			cm["image"] = proxyImage
			containers[i] = cm
		}
	}
	if !has {
		containers = append(containers, map[string]any{"name": "istio-proxy", "image": proxyImage})
	}
	if err := unstructured.SetNestedSlice(pod.Object, containers, "spec", "containers"); err != nil {
		return err
	}
	labels["security.istio.io/tlsMode"] = "istio"
	if _, ok := labels["service.istio.io/canonical-name"]; !ok && labels["app"] != "" {
		labels["service.istio.io/canonical-name"] = labels["app"]
	}
	if _, ok := labels["service.istio.io/canonical-revision"]; !ok && labels["version"] != "" {
		labels["service.istio.io/canonical-revision"] = labels["version"]
	}
	return nil
}
