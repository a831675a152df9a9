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
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
)

// The pods and resource cases create their objects through the clients
// (Create, UpdateStatus, Delete), not by seeding a fake, so the same tables
// run against client-go's fakes here and against a real kube-apiserver (the
// simulated kwok cluster) in integration_test.go.

var (
	vsGVR = schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "virtualservices"}
	gcGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
)

// fixture is a cluster to run the pods and resource cases against: its
// Env, a namespace for the case (and another one that must not be looked
// at), and whether it is a real API server.
type fixture struct {
	env       Env
	ns, other string
	real      bool
	// timeout of each check (failing cases run that long).
	timeout time.Duration
}

// quick makes failing cases end fast.
func (fx fixture) quick(s Spec) Spec {
	s.Timeout, s.Interval = Duration{fx.timeout}, Duration{max(fx.timeout/6, MinInterval)}
	return s
}

func fakeFixture(t *testing.T) fixture {
	return fixture{env: fakeCluster(t), ns: "bookinfo", other: "default", timeout: 300 * time.Millisecond}
}

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
	p.Spec.InitContainers = []corev1.Container{{Name: "istio-proxy", Image: "registry.example/proxyv2", RestartPolicy: &always}}
	p.Spec.Containers = p.Spec.Containers[:1]
}

// createPod creates a pod and then sets its status, as a kubelet would. A
// scheduling gate keeps a real scheduler (and kwok) away from it.
func createPod(t *testing.T, fx fixture, ns, name string, containers []string, opts ...podOpt) {
	t.Helper()
	kube := fx.env.Kube
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "reviews"}},
		Spec:       corev1.PodSpec{SchedulingGates: []corev1.PodSchedulingGate{{Name: "labctl.dev/test"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c, Image: "registry.example/" + c})
	}
	for _, o := range opts {
		o(p)
	}
	deleting := p.DeletionTimestamp != nil
	if fx.real {
		// A real API server ignores a DeletionTimestamp on create: delete the
		// pod instead and let the finalizer keep it terminating.
		p.DeletionTimestamp = nil
	}
	ctx := context.Background()
	created, err := kube.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
	require.NoError(t, err)
	created.Status = p.Status
	_, err = kube.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)
	if fx.real && deleting {
		require.NoError(t, kube.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{}))
		t.Cleanup(func() {
			_, _ = kube.CoreV1().Pods(ns).Patch(context.Background(), name, types.MergePatchType,
				[]byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		})
	}
}

// quick makes failing cases end fast.
func quick(s Spec) Spec {
	s.Timeout, s.Interval = Duration{300 * time.Millisecond}, Duration{MinInterval}
	return s
}

func TestPodsCheck(t *testing.T) { podsCases(t, fakeFixture) }

func podsCases(t *testing.T, newFixture func(*testing.T) fixture) {
	three, two := 3, 2
	f := false
	sidecar := []string{"reviews", "istio-proxy"}
	tests := []struct {
		name  string
		pods  func(t *testing.T, fx fixture)
		spec  PodsSpec
		want  Status
		inMsg string
	}{
		{"three ready with sidecars", func(t *testing.T, fx fixture) {
			for _, n := range []string{"r1", "r2", "r3"} {
				createPod(t, fx, fx.ns, n, sidecar)
			}
		}, PodsSpec{Count: &three, Containers: []string{"istio-proxy"}}, StatusPass, ""},
		{"native sidecar counts", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", sidecar, nativeSidecar)
		}, PodsSpec{Containers: []string{"istio-proxy"}}, StatusPass, ""},
		{"missing sidecar", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", []string{"reviews"})
		}, PodsSpec{Containers: []string{"istio-proxy"}}, StatusFail, "pod r1 has no container istio-proxy (has reviews)"},
		{"ambient has no sidecar", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", []string{"reviews"})
		}, PodsSpec{AbsentContainers: []string{"istio-proxy"}}, StatusPass, ""},
		{"sidecar where none is wanted", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", sidecar)
		}, PodsSpec{AbsentContainers: []string{"istio-proxy"}}, StatusFail, "pod r1 runs container istio-proxy"},
		{"not ready", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", sidecar)
			createPod(t, fx, fx.ns, "r2", sidecar, notReady)
		}, PodsSpec{Count: &two}, StatusFail, "pod r2 is not Ready"},
		{"readiness not required", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", sidecar, notReady)
		}, PodsSpec{Ready: &f}, StatusPass, ""},
		{"terminating pods do not count", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", sidecar)
			createPod(t, fx, fx.ns, "r0", sidecar, terminating, notReady)
		}, PodsSpec{Count: new(int)}, StatusFail, "found 1 pod(s), want 0"},
		{"wrong count", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.ns, "r1", sidecar)
		}, PodsSpec{Count: &three}, StatusFail, "found 1 pod(s), want 3"},
		{"no pods", func(*testing.T, fixture) {}, PodsSpec{}, StatusFail, "no pods match"},
		{"other namespace", func(t *testing.T, fx fixture) {
			createPod(t, fx, fx.other, "r1", sidecar)
		}, PodsSpec{}, StatusFail, "no pods match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			tt.pods(t, fx)
			spec := tt.spec
			spec.Namespace, spec.Selector = fx.ns, "app=reviews"
			res := Runner{Env: fx.env}.RunOne(t.Context(), fx.quick(Spec{Name: tt.name, Pods: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.inMsg)
			assert.NotEmpty(t, res.Expected)
			assert.NotEmpty(t, res.Observed)
		})
	}
}

func virtualService(ns, name string, weights ...int64) *unstructured.Unstructured {
	var route []any
	for i, w := range weights {
		route = append(route, map[string]any{
			"destination": map[string]any{"host": "reviews", "subset": "v" + string(rune('1'+i))},
			"weight":      w,
		})
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"lab": "shift"}},
		"spec":     map[string]any{"hosts": []any{"reviews"}, "http": []any{map[string]any{"route": route}}},
	}}
}

func TestResourceCheck(t *testing.T) { resourceCases(t, fakeFixture) }

func resourceCases(t *testing.T, newFixture func(*testing.T) fixture) {
	match := map[string]any{"spec": map[string]any{"http": []any{map[string]any{"route": []any{
		map[string]any{"destination": map[string]any{"subset": "v1"}, "weight": 80.0},
		map[string]any{"weight": 10},
		map[string]any{"weight": 10},
	}}}}}
	tests := []struct {
		name  string
		objs  func(ns string) []*unstructured.Unstructured
		spec  ResourceSpec
		want  Status
		inMsg string
		inObs string
	}{
		{"exists", vs("reviews", 100),
			ResourceSpec{Kind: "VirtualService", Name: "reviews"}, StatusPass, "", "present: reviews"},
		{"missing", none, ResourceSpec{Kind: "VirtualService", Name: "reviews"}, StatusFail, "VirtualService reviews in namespace ", "absent"},
		{"absent", none, ResourceSpec{Kind: "VirtualService", Name: "reviews", Absent: true}, StatusPass, "", "absent"},
		{"still present", vs("reviews", 100),
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Absent: true}, StatusFail, "still exists", "present"},
		{"partial match", vs("reviews", 80, 10, 10),
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Match: match}, StatusPass, "", ""},
		{"partial mismatch", vs("reviews", 80, 20, 0),
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Match: match}, StatusFail, "does not match",
			"reviews: spec.http[0].route[1].weight: expected 10, got 20"},
		{"list length differs", vs("reviews", 100),
			ResourceSpec{Kind: "VirtualService", Name: "reviews", Match: match}, StatusFail, "does not match",
			"spec.http[0].route: expected 3 item(s), got 1"},
		{"selector", func(ns string) []*unstructured.Unstructured {
			return []*unstructured.Unstructured{virtualService(ns, "reviews", 100), virtualService(ns, "ratings", 100)}
		},
			ResourceSpec{Kind: "VirtualService", Selector: "lab=shift"}, StatusPass, "", "present: ratings, reviews"},
		{"no CRD", none, ResourceSpec{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication", Name: "default"},
			StatusFail, "is its CRD installed?", "not served"},
		{"no CRD means absent", none, ResourceSpec{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication", Name: "default", Absent: true},
			StatusPass, "", "not served"},
		{"cluster-scoped", func(ns string) []*unstructured.Unstructured {
			return []*unstructured.Unstructured{{Object: map[string]any{
				"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": map[string]any{"name": "istio-" + ns}}}}
		}, ResourceSpec{APIVersion: "gateway.networking.k8s.io/v1", Kind: "GatewayClass", Name: "istio-", Namespace: "ignored"}, StatusPass, "", "present: istio-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			for _, o := range tt.objs(fx.ns) {
				var ri dynamic.ResourceInterface = fx.env.Dynamic.Resource(vsGVR).Namespace(o.GetNamespace())
				if o.GetKind() == "GatewayClass" {
					ri = fx.env.Dynamic.Resource(gcGVR)
					t.Cleanup(func() { _ = ri.Delete(context.Background(), o.GetName(), metav1.DeleteOptions{}) })
				}
				_, err := ri.Create(t.Context(), o, metav1.CreateOptions{})
				require.NoError(t, err)
			}
			spec := tt.spec
			if spec.APIVersion == "" {
				spec.APIVersion, spec.Namespace = "networking.istio.io/v1", fx.ns
			}
			if spec.Kind == "GatewayClass" {
				spec.Name += fx.ns
			}
			res := Runner{Env: fx.env}.RunOne(t.Context(), fx.quick(Spec{Name: tt.name, Resource: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.inMsg)
			assert.Contains(t, res.Observed, tt.inObs)
		})
	}
}

func none(string) []*unstructured.Unstructured { return nil }

func vs(name string, weights ...int64) func(string) []*unstructured.Unstructured {
	return func(ns string) []*unstructured.Unstructured {
		return []*unstructured.Unstructured{virtualService(ns, name, weights...)}
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
