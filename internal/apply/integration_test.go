//go:build integration

package apply

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/internal/testenv"
)

func TestIntegrationApply(t *testing.T) {
	c := testenv.SharedCluster(t, "server-side apply against")
	ctx := t.Context()
	a := &Applier{Dynamic: c.Dynamic, Mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Kube.Discovery()))}
	fresh := fmt.Sprintf("apply-it-%d", os.Getpid())
	existing := fresh + "-pre"
	_, err := c.Kube.CoreV1().Namespaces().Create(ctx, nsObject(existing, map[string]string{"team": "a"}), metav1.CreateOptions{FieldManager: "kubectl"})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, ns := range []string{fresh, existing} {
			_ = c.Kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		}
	})

	env := &state.Environment{Name: "it"}
	cm := obj("v1", "ConfigMap", fresh, "settings", nil)
	require.NoError(t, unstructured.SetNestedField(cm.Object, "1", "data", "replicas"))
	objs := []*unstructured.Unstructured{
		obj("v1", "Namespace", "", fresh, map[string]string{"istio-injection": "enabled"}),
		obj("v1", "Namespace", "", existing, map[string]string{"istio-injection": "enabled"}),
		cm,
	}
	var seen []string
	res, err := a.Apply(ctx, objs, Options{Record: func(ctx context.Context, p Plan) error {
		_, err := c.Kube.CoreV1().Namespaces().Get(ctx, fresh, metav1.GetOptions{})
		seen = append(seen, fmt.Sprintf("namespace exists when recorded: %t", err == nil))
		return EnvRecorder(env, func() error { return nil })(ctx, p)
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"namespace exists when recorded: false"}, seen)
	assert.Equal(t, []string{fresh}, env.Namespaces)
	assert.Equal(t, []state.ObjectRef{{APIVersion: "v1", Kind: "ConfigMap", Namespace: fresh, Name: "settings"}}, env.Objects)
	assert.Equal(t, []state.NamespaceLabel{{Namespace: existing, Key: "istio-injection", Value: "enabled"}}, env.Labels)
	assert.Len(t, res.Applied, 3)

	pre, err := c.Kube.CoreV1().Namespaces().Get(ctx, existing, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "a", pre.Labels["team"], "labels of other managers stay")
	assert.Equal(t, "enabled", pre.Labels["istio-injection"])

	// Another manager changing a field labctl owns conflicts unless forced.
	cm2 := cm.DeepCopy()
	require.NoError(t, unstructured.SetNestedField(cm2.Object, "3", "data", "replicas"))
	_, err = a.Apply(ctx, []*unstructured.Unstructured{cm2}, Options{FieldManager: "labctl-lab"})
	require.ErrorContains(t, err, "apply with force to take them over")
	_, err = a.Apply(ctx, []*unstructured.Unstructured{cm2}, Options{FieldManager: "labctl-lab", Force: true})
	require.NoError(t, err)
	got, err := c.Kube.CoreV1().ConfigMaps(fresh).Get(ctx, "settings", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "3", got.Data["replicas"])
	var managers []string
	for _, mf := range got.ManagedFields {
		managers = append(managers, mf.Manager)
	}
	assert.Contains(t, managers, "labctl-lab")

	// A set with an unknown kind writes nothing.
	_, err = a.Apply(ctx, []*unstructured.Unstructured{obj("v1", "ConfigMap", fresh, "never", nil), obj("example.com/v1", "Widget", fresh, "w", nil)}, Options{})
	require.ErrorContains(t, err, "nothing was applied")
	_, err = c.Kube.CoreV1().ConfigMaps(fresh).Get(ctx, "never", metav1.GetOptions{})
	assert.Error(t, err, "the valid object of the refused set was not applied")
}
