//go:build integration

package verify

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// crdEstablishedTimeout bounds the wait for the test CRDs to be served.
const crdEstablishedTimeout = time.Minute

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// TestIntegrationKubeChecks runs the pods and resource cases against a real
// kube-apiserver. It needs LABCTL_TEST_KUBECONFIG pointing at a cluster
// (the simulated kwok cluster is enough: pods are created with a scheduling
// gate, so no node ever runs them, and their status is set by the test).
// It installs VirtualService and GatewayClass CRDs if missing and leaves
// them; every case gets its own namespaces, deleted at the end.
func TestIntegrationKubeChecks(t *testing.T) {
	kubeconfig := os.Getenv("LABCTL_TEST_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("LABCTL_TEST_KUBECONFIG is not set: no cluster to run the pods and resource checks against")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	require.NoError(t, err)
	cfg.QPS, cfg.Burst = 50, 100 // as internal/kube tunes the CLI's clients
	kube, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	dyn, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	ensureCRD(t, dyn, "virtualservices", "networking.istio.io", "VirtualService", "Namespaced")
	ensureCRD(t, dyn, "gatewayclasses", "gateway.networking.k8s.io", "GatewayClass", "Cluster")

	// One mapper for all cases, as the CLI shares one per run.
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(kube.Discovery()))
	var seq atomic.Int32
	newFixture := func(t *testing.T) fixture {
		t.Helper()
		base := fmt.Sprintf("verify-%d-%d", time.Now().Unix()%100000, seq.Add(1))
		fx := fixture{real: true, ns: base, other: base + "-other", timeout: 3 * time.Second,
			env: Env{Kube: kube, Dynamic: dyn, Mapper: mapper}}
		for _, ns := range []string{fx.ns, fx.other} {
			_, err := kube.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			require.NoError(t, err)
			t.Cleanup(func() { _ = kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
		}
		return fx
	}
	t.Run("pods", func(t *testing.T) { podsCases(t, newFixture) })
	t.Run("resource", func(t *testing.T) { resourceCases(t, newFixture) })
}

// ensureCRD installs a schemaless CRD (v1, any fields) and waits until it is
// established.
func ensureCRD(t *testing.T, dyn dynamic.Interface, plural, group, kind, scope string) {
	t.Helper()
	name := plural + "." + group
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": name, "annotations": map[string]any{
			// *.k8s.io groups need it; the real Gateway API CRDs carry it too.
			"api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/1538",
		}},
		"spec": map[string]any{
			"group": group, "scope": scope,
			"names": map[string]any{"plural": plural, "kind": kind, "listKind": kind + "List"},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
			}},
		},
	}}
	_, err := dyn.Resource(crdGVR).Create(t.Context(), crd, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	err = wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, crdEstablishedTimeout, true, func(ctx context.Context) (bool, error) {
		got, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	require.NoError(t, err, "CRD %s was not established", name)
}
