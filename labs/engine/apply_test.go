package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/labs/applyset"
)

// write is one write the fake cluster received.
type write struct {
	verb, resource, name string
	labels               map[string]string
}

// TestApplyWritesTheParentFirst: the lab's objects go through
// internal/apply with the lab's field manager, forced, as members of the
// ApplySet, and the parent (the lab's record of them) is written before
// the first member.
func TestApplyWritesTheParentFirst(t *testing.T) {
	ns := &unstructured.Unstructured{}
	ns.SetAPIVersion("v1")
	ns.SetKind("Namespace")
	ns.SetName("demo")
	dc := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		{Version: "v1", Resource: "namespaces"}: "NamespaceList", {Version: "v1", Resource: "configmaps"}: "ConfigMapList",
	}, ns)
	var writes []write
	var managers []string
	var forced []bool
	dc.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.PatchAction)
		require.Equal(t, types.ApplyPatchType, p.GetPatchType(), "lab objects are server-side applied")
		u := &unstructured.Unstructured{}
		require.NoError(t, u.UnmarshalJSON(p.GetPatch()))
		writes = append(writes, write{"apply", p.GetResource().Resource, p.GetName(), u.GetLabels()})
		return true, u, nil
	})
	dc.PrependReactor("create", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		u := a.(k8stesting.CreateAction).GetObject().(*unstructured.Unstructured)
		writes = append(writes, write{"create", a.GetResource().Resource, u.GetName(), u.GetLabels()})
		return false, nil, nil
	})
	dc.PrependReactor("patch", "configmaps", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.PatchAction).GetName() != "labctl-lab-unit" {
			// internal/apply patches through Patch with PatchOptions; the
			// parent through Apply: both arrive here as apply patches.
			managers = append(managers, fieldManager(a))
			forced = append(forced, force(a))
		}
		return false, nil, nil
	})
	l := testLab(t)
	s := &session{e: &Engine{}, lab: l, c: &Cluster{Dynamic: dc, Mapper: testMapper()}}
	objs, err := objectsOf(l, s.c.Mapper, l.Spec.Steps[0].Solution[0], "")
	require.NoError(t, err)
	require.NoError(t, s.apply(context.Background(), objs))

	id := applyset.ParentFor("unit", "demo").ID()
	require.Len(t, writes, 2, "%+v", writes)
	require.Equal(t, write{"apply", "configmaps", "labctl-lab-unit", map[string]string{applyset.IDLabel: id, "app.kubernetes.io/managed-by": "labctl"}}, writes[0],
		"the parent first")
	require.Equal(t, write{"apply", "configmaps", "a", map[string]string{applyset.PartOfLabel: id}}, writes[1], "then the member, labelled")
	require.Equal(t, []string{FieldManager}, managers)
	require.Equal(t, []bool{true}, forced)
}

func fieldManager(a k8stesting.Action) string {
	if p, ok := a.(k8stesting.PatchActionImpl); ok {
		return p.PatchOptions.FieldManager
	}
	return ""
}

func force(a k8stesting.Action) bool {
	if p, ok := a.(k8stesting.PatchActionImpl); ok && p.PatchOptions.Force != nil {
		return *p.PatchOptions.Force
	}
	return false
}
