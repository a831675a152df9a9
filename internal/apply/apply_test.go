package apply

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/internal/state"
)

var (
	nsGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

func mapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	return m
}

func obj(apiVersion, kind, ns, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	if labels != nil {
		u.SetLabels(labels)
	}
	return u
}

// fakeCluster holds a namespace "demo" with label team=a and records the
// writes it receives (answering server-side applies itself: the fake
// tracker does not implement them).
func fakeCluster(t *testing.T, extra ...runtime.Object) (*Applier, *[]k8stesting.Action) {
	existing := obj("v1", "Namespace", "", "demo", map[string]string{"team": "a"})
	objs := append([]runtime.Object{existing}, extra...)
	dc := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{nsGVR: "NamespaceList", cmGVR: "ConfigMapList"}, objs...)
	var writes []k8stesting.Action
	dc.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		switch a.GetVerb() {
		case "create":
			writes = append(writes, a)
		case "patch":
			writes = append(writes, a)
			p := a.(k8stesting.PatchAction)
			if p.GetPatchType() == types.ApplyPatchType {
				u := &unstructured.Unstructured{}
				require.NoError(t, u.UnmarshalJSON(p.GetPatch()))
				return true, u, nil
			}
		}
		return false, nil, nil
	})
	return &Applier{Dynamic: dc, Mapper: mapper()}, &writes
}

func TestApplyRecordsBeforeWriting(t *testing.T) {
	a, patches := fakeCluster(t)
	objs := []*unstructured.Unstructured{
		obj("v1", "Namespace", "", "demo", map[string]string{"team": "a", "istio-injection": "enabled"}),
		obj("v1", "Namespace", "", "fresh", map[string]string{"istio-injection": "enabled"}),
		obj("v1", "ConfigMap", "fresh", "settings", nil),
		obj("v1", "ConfigMap", "", "in-default", nil),
	}
	env := &state.Environment{Name: "lab"}
	saved := 0
	res, err := a.Apply(t.Context(), objs, Options{Record: func(ctx context.Context, p Plan) error {
		assert.Empty(t, *patches, "recorded before the first write")
		return EnvRecorder(env, func() error { saved++; return nil })(ctx, p)
	}})
	require.NoError(t, err)
	assert.Equal(t, 1, saved)
	assert.Equal(t, []state.ObjectRef{
		{APIVersion: "v1", Kind: "Namespace", Name: "fresh"},
		{APIVersion: "v1", Kind: "ConfigMap", Name: "settings", Namespace: "fresh"},
		{APIVersion: "v1", Kind: "ConfigMap", Name: "in-default", Namespace: "default"},
	}, res.Plan.New)
	assert.Equal(t, []state.NamespaceLabel{{Namespace: "demo", Key: "istio-injection", Value: "enabled"}}, res.Plan.Labels,
		"only the label that changes on a namespace that exists")
	assert.Equal(t, []string{"fresh"}, env.Namespaces)
	assert.Equal(t, res.Plan.New[1:], env.Objects)
	assert.Equal(t, res.Plan.Labels, env.Labels)
	assert.Len(t, res.Applied, 4)

	w := *patches
	require.Len(t, w, 4)
	assert.Equal(t, types.MergePatchType, w[0].(k8stesting.PatchAction).GetPatchType(), "a namespace that exists gets its labels merged")
	assert.Equal(t, "create", w[1].GetVerb(), "a new namespace is created")
	assert.Equal(t, types.ApplyPatchType, w[2].(k8stesting.PatchAction).GetPatchType())
	assert.Equal(t, types.ApplyPatchType, w[3].(k8stesting.PatchAction).GetPatchType())
	assert.Equal(t, "default", w[3].GetNamespace(), "namespaced objects without a namespace go to default")
	ns, err := a.Dynamic.Resource(nsGVR).Get(t.Context(), "demo", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "a", "istio-injection": "enabled"}, ns.GetLabels())
}

func TestApplyOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		manager string
		force   bool
	}{
		{"defaults", Options{}, "labctl", false},
		{"the lab engine's manager, forced", Options{FieldManager: "labctl-lab", Force: true}, "labctl-lab", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, patches := fakeCluster(t)
			_, err := a.Apply(t.Context(), []*unstructured.Unstructured{obj("v1", "ConfigMap", "demo", "x", nil)}, tt.opts)
			require.NoError(t, err)
			require.Len(t, *patches, 1)
			po := (*patches)[0].(k8stesting.PatchActionImpl).PatchOptions
			assert.Equal(t, tt.manager, po.FieldManager)
			require.NotNil(t, po.Force)
			assert.Equal(t, tt.force, *po.Force)
		})
	}
}

func TestApplyRefusesBadSetsBeforeWriting(t *testing.T) {
	deleting := obj("v1", "Namespace", "", "going", nil)
	now := metav1.Now()
	deleting.SetDeletionTimestamp(&now)
	tests := []struct {
		name string
		objs []*unstructured.Unstructured
		want string
	}{
		{"unknown kind", []*unstructured.Unstructured{obj("v1", "ConfigMap", "demo", "ok", nil), obj("example.com/v1", "Widget", "demo", "w", nil)},
			"nothing was applied: Widget demo/w: the cluster does not serve example.com/v1, Kind=Widget (is its CRD installed?)"},
		{"no name", []*unstructured.Unstructured{obj("v1", "ConfigMap", "demo", "", nil)}, "ConfigMap demo/(no name): an object needs apiVersion, kind and metadata.name"},
		{"namespace being deleted", []*unstructured.Unstructured{obj("v1", "Namespace", "", "going", nil)}, "Namespace going is being deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, patches := fakeCluster(t, deleting)
			recorded := false
			_, err := a.Apply(t.Context(), tt.objs, Options{Record: func(context.Context, Plan) error { recorded = true; return nil }})
			require.ErrorContains(t, err, tt.want)
			assert.False(t, recorded)
			assert.Empty(t, *patches)
		})
	}
}

func TestApplyStopsWhenRecordingFails(t *testing.T) {
	a, patches := fakeCluster(t)
	_, err := a.Apply(t.Context(), []*unstructured.Unstructured{obj("v1", "ConfigMap", "demo", "x", nil)},
		Options{Record: func(context.Context, Plan) error { return errors.New("disk full") }})
	require.EqualError(t, err, "recording the objects before applying them: disk full")
	assert.Empty(t, *patches)
}

func TestRecordPlan(t *testing.T) {
	env := &state.Environment{Namespaces: []string{"mine"}, Labels: []state.NamespaceLabel{{Namespace: "demo", Key: "k", Value: "old"}}}
	p := Plan{
		New: []state.ObjectRef{{APIVersion: "v1", Kind: "Namespace", Name: "mine"}, {APIVersion: "v1", Kind: "ConfigMap", Namespace: "mine", Name: "c"}},
		Labels: []state.NamespaceLabel{
			{Namespace: "mine", Key: "istio-injection", Value: "enabled"},
			{Namespace: "demo", Key: "k", Value: "new"},
		},
	}
	RecordPlan(env, p)
	RecordPlan(env, p)
	assert.Equal(t, []string{"mine"}, env.Namespaces)
	assert.Equal(t, []state.ObjectRef{{APIVersion: "v1", Kind: "ConfigMap", Namespace: "mine", Name: "c"}}, env.Objects)
	assert.Equal(t, []state.NamespaceLabel{{Namespace: "demo", Key: "k", Value: "new"}}, env.Labels,
		"labels of namespaces labctl created are not recorded (the namespace goes whole); one entry per key")
}
