package provision

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/apply"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/install"
)

var nsGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

func namespaceFakes(t *testing.T, existing ...*corev1.Namespace) (*apply.Applier, *fake.Clientset) {
	t.Helper()
	var typed, dyn []runtime.Object
	for _, ns := range existing {
		typed = append(typed, ns)
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ns)
		require.NoError(t, err)
		obj := &unstructured.Unstructured{Object: u}
		obj.SetAPIVersion("v1")
		obj.SetKind("Namespace")
		dyn = append(dyn, obj)
	}
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	dc := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{nsGVR: "NamespaceList"}, dyn...)
	return &apply.Applier{Dynamic: dc, Mapper: m}, fake.NewClientset(typed...)
}

// traffic.go used to record a namespace after creating it and to drop the
// labels it added to one that existed; up and traffic now share this.
func TestApplyNamespacesRecordsFirst(t *testing.T) {
	demo := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "demo", Labels: map[string]string{"team": "a"}}}
	a, kc := namespaceFakes(t, demo)
	env := &state.Environment{Name: "lab"}
	var atSave []string
	save := func() error {
		_, err := a.Dynamic.Resource(nsGVR).Get(t.Context(), "fresh", metav1.GetOptions{})
		atSave = append(atSave, map[bool]string{true: "fresh exists", false: "fresh not created yet"}[err == nil])
		return nil
	}
	relabelled, err := applyNamespaces(t.Context(), a, kc, env.Name, []install.Namespace{
		{Name: "demo", Labels: map[string]string{"istio-injection": "enabled"}},
		{Name: "fresh", Labels: map[string]string{"istio-injection": "enabled"}},
	}, apply.EnvRecorder(env, save))
	require.NoError(t, err)
	assert.Equal(t, []string{"fresh not created yet"}, atSave)
	assert.Equal(t, []string{"demo"}, relabelled)
	assert.Equal(t, []string{"fresh"}, env.Namespaces)
	assert.Equal(t, []state.NamespaceLabel{{Namespace: "demo", Key: "istio-injection", Value: "enabled"}}, env.Labels)

	fresh, err := a.Dynamic.Resource(nsGVR).Get(t.Context(), "fresh", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{install.ManagedByLabel: install.ManagedByValue, install.EnvironmentLabel: "lab", "istio-injection": "enabled"}, fresh.GetLabels())
	got, err := a.Dynamic.Resource(nsGVR).Get(t.Context(), "demo", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "a", "istio-injection": "enabled"}, got.GetLabels())
}

func TestApplyNamespacesRefusesConflicts(t *testing.T) {
	rev := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "rev", Labels: map[string]string{"istio.io/rev": "canary"}}}
	gone := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "gone"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	for _, tt := range []struct{ ns, want string }{
		{"rev", "namespace rev has label istio.io/rev, which conflicts with istio-injection"},
		{"gone", "namespace gone is being deleted"},
	} {
		a, kc := namespaceFakes(t, rev, gone)
		recorded := false
		_, err := applyNamespaces(t.Context(), a, kc, "lab", []install.Namespace{{Name: "fresh"}, {Name: tt.ns, Labels: map[string]string{"istio-injection": "enabled"}}},
			func(context.Context, apply.Plan) error { recorded = true; return nil })
		require.ErrorContains(t, err, tt.want)
		assert.False(t, recorded)
		_, err = a.Dynamic.Resource(nsGVR).Get(t.Context(), "fresh", metav1.GetOptions{})
		assert.Error(t, err, "nothing was created")
	}
}
