package verify

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
)

// The pods and resource tests create their objects through the clients
// (Create, UpdateStatus), not by seeding a fake, so the same cases can run
// against the simulated cluster's real API server once it lands: only
// fakeCluster has to be swapped for clients of that server.

var (
	vsGVR = schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "virtualservices"}
	gcGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
)

func fakeCluster(t *testing.T) Env {
	t.Helper()
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Group: vsGVR.Group, Version: "v1", Kind: "VirtualService"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: gcGVR.Group, Version: "v1", Kind: "GatewayClass"}, meta.RESTScopeRoot)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		vsGVR: "VirtualServiceList", gcGVR: "GatewayClassList",
	})
	return Env{Kube: fake.NewClientset(), Dynamic: dyn, Mapper: mapper}
}

type podOpt func(*corev1.Pod)

func notReady(p *corev1.Pod) { p.Status.Conditions[0].Status = corev1.ConditionFalse }
func terminating(p *corev1.Pod) {
	now := metav1.Now()
	p.DeletionTimestamp = &now
	p.Finalizers = []string{"test/keep"}
}
func nativeSidecar(p *corev1.Pod) {
	always := corev1.ContainerRestartPolicyAlways
	p.Spec.InitContainers = []corev1.Container{{Name: "istio-proxy", RestartPolicy: &always}}
	p.Spec.Containers = p.Spec.Containers[:1]
}

func createPod(t *testing.T, kube kubernetes.Interface, ns, name string, containers []string, opts ...podOpt) {
	t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "reviews"}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c, Image: "registry.example/" + c})
	}
	for _, o := range opts {
		o(p)
	}
	ctx := context.Background()
	created, err := kube.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
	require.NoError(t, err)
	created.Status = p.Status
	_, err = kube.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)
}

// quick makes failing cases end fast.
func quick(s Spec) Spec {
	s.Timeout, s.Interval = Duration{300 * time.Millisecond}, Duration{50 * time.Millisecond}
	return s
}

func TestPodsCheck(t *testing.T) {
	three, two := 3, 2
	f := false
	sidecar := []string{"reviews", "istio-proxy"}
	tests := []struct {
		name  string
		pods  func(t *testing.T, k kubernetes.Interface)
		spec  PodsSpec
		want  Status
		inMsg string
	}{
		{"three ready with sidecars", func(t *testing.T, k kubernetes.Interface) {
			for _, n := range []string{"r1", "r2", "r3"} {
				createPod(t, k, "bookinfo", n, sidecar)
			}
		}, PodsSpec{Count: &three, Containers: []string{"istio-proxy"}}, StatusPass, ""},
		{"native sidecar counts", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", sidecar, nativeSidecar)
		}, PodsSpec{Containers: []string{"istio-proxy"}}, StatusPass, ""},
		{"missing sidecar", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", []string{"reviews"})
		}, PodsSpec{Containers: []string{"istio-proxy"}}, StatusFail, "pod r1 has no container istio-proxy (has reviews)"},
		{"ambient has no sidecar", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", []string{"reviews"})
		}, PodsSpec{AbsentContainers: []string{"istio-proxy"}}, StatusPass, ""},
		{"sidecar where none is wanted", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", sidecar)
		}, PodsSpec{AbsentContainers: []string{"istio-proxy"}}, StatusFail, "pod r1 runs container istio-proxy"},
		{"not ready", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", sidecar)
			createPod(t, k, "bookinfo", "r2", sidecar, notReady)
		}, PodsSpec{Count: &two}, StatusFail, "pod r2 is not Ready"},
		{"readiness not required", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", sidecar, notReady)
		}, PodsSpec{Ready: &f}, StatusPass, ""},
		{"terminating pods do not count", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", sidecar)
			createPod(t, k, "bookinfo", "r0", sidecar, terminating, notReady)
		}, PodsSpec{Count: new(int)}, StatusFail, "found 1 pod(s), want 0"},
		{"wrong count", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "bookinfo", "r1", sidecar)
		}, PodsSpec{Count: &three}, StatusFail, "found 1 pod(s), want 3"},
		{"no pods", func(*testing.T, kubernetes.Interface) {}, PodsSpec{}, StatusFail, "no pods match"},
		{"other namespace", func(t *testing.T, k kubernetes.Interface) {
			createPod(t, k, "default", "r1", sidecar)
		}, PodsSpec{}, StatusFail, "no pods match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeCluster(t)
			tt.pods(t, env.Kube)
			spec := tt.spec
			spec.Namespace, spec.Selector = "bookinfo", "app=reviews"
			res := Runner{Env: env}.RunOne(t.Context(), quick(Spec{Name: tt.name, Pods: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.inMsg)
			assert.NotEmpty(t, res.Expected)
			assert.NotEmpty(t, res.Observed)
		})
	}
}

func virtualService(name string, weights ...int64) *unstructured.Unstructured {
	var route []any
	for i, w := range weights {
		route = append(route, map[string]any{
			"destination": map[string]any{"host": "reviews", "subset": "v" + string(rune('1'+i))},
			"weight":      w,
		})
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
		"metadata": map[string]any{"name": name, "namespace": "bookinfo", "labels": map[string]any{"lab": "shift"}},
		"spec":     map[string]any{"hosts": []any{"reviews"}, "http": []any{map[string]any{"route": route}}},
	}}
}

func TestResourceCheck(t *testing.T) {
	match := map[string]any{"spec": map[string]any{"http": []any{map[string]any{"route": []any{
		map[string]any{"destination": map[string]any{"subset": "v1"}, "weight": 80.0},
		map[string]any{"weight": 10},
		map[string]any{"weight": 10},
	}}}}}
	tests := []struct {
		name  string
		objs  []*unstructured.Unstructured
		spec  ResourceSpec
		want  Status
		inMsg string
		inObs string
	}{
		{"exists", []*unstructured.Unstructured{virtualService("reviews", 100)},
			ResourceSpec{Kind: "VirtualService", Name: "reviews"}, StatusPass, "", "present: reviews"},
		{"missing", nil, ResourceSpec{Kind: "VirtualService", Name: "reviews"}, StatusFail, "VirtualService reviews in namespace bookinfo not found", "absent"},
		{"absent", nil, ResourceSpec{Kind: "VirtualService", Name: "reviews", Absent: true}, StatusPass, "", "absent"},
		{"still present", []*unstructured.Unstructured{virtualService("reviews", 100)},
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Absent: true}, StatusFail, "still exists", "present"},
		{"partial match", []*unstructured.Unstructured{virtualService("reviews", 80, 10, 10)},
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Match: match}, StatusPass, "", ""},
		{"partial mismatch", []*unstructured.Unstructured{virtualService("reviews", 80, 20, 0)},
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Match: match}, StatusFail, "does not match",
			"reviews: spec.http[0].route[1].weight: expected 10, got 20"},
		{"list length differs", []*unstructured.Unstructured{virtualService("reviews", 100)},
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Match: match}, StatusFail, "does not match",
			"spec.http[0].route: expected 3 item(s), got 1"},
		{"selector", []*unstructured.Unstructured{virtualService("reviews", 100), virtualService("ratings", 100)},
			ResourceSpec{Kind: "VirtualService", Selector: "lab=shift"}, StatusPass, "", "present: ratings, reviews"},
		{"no CRD", nil, ResourceSpec{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication", Name: "default"},
			StatusFail, "is its CRD installed?", "not served"},
		{"no CRD means absent", nil, ResourceSpec{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication", Name: "default", Absent: true},
			StatusPass, "", "not served"},
		{"cluster-scoped", []*unstructured.Unstructured{{Object: map[string]any{
			"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": map[string]any{"name": "istio"}}}},
			ResourceSpec{APIVersion: "gateway.networking.k8s.io/v1", Kind: "GatewayClass", Name: "istio", Namespace: "ignored"}, StatusPass, "", "present: istio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeCluster(t)
			for _, o := range tt.objs {
				gvr, ns := vsGVR, o.GetNamespace()
				if o.GetKind() == "GatewayClass" {
					gvr = gcGVR
				}
				_, err := env.Dynamic.Resource(gvr).Namespace(ns).Create(t.Context(), o, metav1.CreateOptions{})
				require.NoError(t, err)
			}
			spec := tt.spec
			if spec.APIVersion == "" {
				spec.APIVersion, spec.Namespace = "networking.istio.io/v1", "bookinfo"
			}
			res := Runner{Env: env}.RunOne(t.Context(), quick(Spec{Name: tt.name, Resource: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.inMsg)
			assert.Contains(t, res.Observed, tt.inObs)
		})
	}
}

func TestPartialMatch(t *testing.T) {
	actual := map[string]any{"a": int64(1), "b": []any{"x", "y"}, "c": map[string]any{"d": true, "e": "f"}}
	tests := []struct {
		name     string
		expected map[string]any
		want     []string
	}{
		{"subset", map[string]any{"a": 1.0, "c": map[string]any{"d": true}}, nil},
		{"scalar differs", map[string]any{"c": map[string]any{"e": "g"}}, []string{`c.e: expected "g", got "f"`}},
		{"missing key", map[string]any{"z": 1}, []string{"z: missing (expected 1)"}},
		{"list in order", map[string]any{"b": []any{"y", "x"}}, []string{`b[0]: expected "y", got "x"`, `b[1]: expected "x", got "y"`}},
		{"type differs", map[string]any{"a": map[string]any{}}, []string{"a: expected an object, got 1"}},
		{"number vs string", map[string]any{"a": "1"}, []string{`a: expected "1", got 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, partialMatch("", tt.expected, actual))
		})
	}
}
