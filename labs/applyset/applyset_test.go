package applyset

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestParentID(t *testing.T) {
	// Computed independently: echo -n labctl-lab-basics.demo.ConfigMap. |
	// openssl dgst -sha256 -binary | openssl base64 -A | tr -d = | tr /+ _-
	p := ParentFor("basics", "demo")
	require.Equal(t, "applyset-mR4qOT3SlRP_EmbqBrY43ljObwPiyBwF0DPp3jSfx3k-v1", p.ID())
	require.NotEqual(t, p.ID(), ParentFor("basics", "other").ID(), "the namespace is part of the id")
	require.LessOrEqual(t, len(p.ID()), 63, "the id is a label value")
}

func TestLabelAndContents(t *testing.T) {
	s := &Set{Parent: ParentFor("basics", "demo")}
	dep := &unstructured.Unstructured{}
	dep.SetAPIVersion("apps/v1")
	dep.SetKind("Deployment")
	dep.SetNamespace("demo")
	dep.SetLabels(map[string]string{"app": "web"})
	cm := &unstructured.Unstructured{}
	cm.SetAPIVersion("v1")
	cm.SetKind("ConfigMap")
	cm.SetNamespace("other")
	for _, o := range []*unstructured.Unstructured{dep, cm} {
		s.Label(o)
		require.Equal(t, s.Parent.ID(), o.GetLabels()[PartOfLabel])
	}
	require.Equal(t, "web", dep.GetLabels()["app"], "labelling keeps the object's own labels")
	c := ContentsOf([]*unstructured.Unstructured{dep, cm, dep})
	require.Equal(t, []schema.GroupKind{{Group: "apps", Kind: "Deployment"}, {Kind: "ConfigMap"}}, c.GroupKinds)
	require.Equal(t, []string{"demo", "other"}, c.Namespaces)
	require.Equal(t, "Deployment.apps", c.GroupKinds[0].String(), "the annotation's <kind>.<group> form")
}

func TestListsAreSortedAndUnique(t *testing.T) {
	require.Equal(t, []string{"a", "b"}, uniqSorted([]string{"b", "a", "b"}))
	require.Equal(t, []string{"x", "y"}, splitList(" x, ,y"))
}
