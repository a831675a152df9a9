package main

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestInjected(t *testing.T) {
	cases := []struct {
		name                 string
		ns, labels, annotate map[string]string
		want                 bool
	}{
		{"namespace label", map[string]string{"istio-injection": "enabled"}, nil, nil, true},
		{"namespace disabled", map[string]string{"istio-injection": "disabled"}, nil, nil, false},
		{"revision label", map[string]string{"istio.io/rev": "canary"}, nil, nil, true},
		{"unlabelled", nil, nil, nil, false},
		{"ambient namespace", map[string]string{"istio.io/dataplane-mode": "ambient"}, nil, nil, false},
		{"pod opts out", map[string]string{"istio-injection": "enabled"}, map[string]string{"sidecar.istio.io/inject": "false"}, nil, false},
		{"pod opts in (gateway)", nil, map[string]string{"sidecar.istio.io/inject": "true"}, nil, true},
		{"annotation opts out", map[string]string{"istio-injection": "enabled"}, nil, map[string]string{"sidecar.istio.io/inject": "false"}, false},
	}
	for _, tc := range cases {
		if got := injected(tc.ns, tc.labels, tc.annotate); got != tc.want {
			t.Errorf("%s: injected = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWithPodsAddsProxyWhereInjected(t *testing.T) {
	objs, err := decode("test", []byte(`
apiVersion: v1
kind: Namespace
metadata: {name: mesh, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: mesh}
spec:
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: idle, namespace: mesh}
spec:
  replicas: 0
  template:
    metadata: {labels: {app: idle}}
    spec: {containers: [{name: idle, image: idle}]}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	all, err := withPods(objs, "hub/proxyv2:1")
	if err != nil {
		t.Fatal(err)
	}
	var pods []Object
	for _, o := range all {
		if o.U.GetKind() == "Pod" {
			pods = append(pods, o)
		}
	}
	if len(pods) != 1 {
		t.Fatalf("got %d pods, want 1 (none for replicas: 0)", len(pods))
	}
	p := pods[0].U
	if p.GetNamespace() != "mesh" || p.GetLabels()["app"] != "web" || p.GetLabels()["security.istio.io/tlsMode"] != "istio" {
		t.Errorf("pod metadata = %v %v", p.GetNamespace(), p.GetLabels())
	}
	cs, _, _ := unstructuredSlice(p.Object, "spec", "containers")
	if len(cs) != 2 || cs[1].(map[string]any)["name"] != "istio-proxy" || cs[1].(map[string]any)["image"] != "hub/proxyv2:1" {
		t.Errorf("containers = %v, want web + istio-proxy of the injector's image", cs)
	}
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	return unstructured.NestedSlice(obj, fields...)
}
