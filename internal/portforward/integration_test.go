//go:build integration

package portforward

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/labctl/labctl/internal/testenv"
)

// integrationTimeout bounds the whole test against a live control plane.
const integrationTimeout = 2 * time.Minute

var portForwardGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "portforwards"}

// TestIntegrationPortForward forwards through a real kube-apiserver to a pod on
// a kwok node. kwok has no containers, so a kwok PortForward object tells it to
// connect the pod's port to a local HTTP server playing the dashboard. It needs
// LABCTL_TEST_KUBECONFIG pointing at a kwok cluster started with the PortForward
// CRD and at least one node, e.g.:
//
//	kwokctl create cluster --runtime binary --enable-crds PortForward ...
//	kwokctl scale node --replicas 1
func TestIntegrationPortForward(t *testing.T) {
	clients := testenv.SharedCluster(t, "port-forward through")
	cfg, kube, dyn := clients.REST, clients.Kube, clients.Dynamic
	ctx, cancel := context.WithTimeout(context.Background(), integrationTimeout)
	defer cancel()

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "dashboard at %s", r.URL.Path)
	}))
	defer backend.Close()
	bp := backend.Listener.Addr().(*net.TCPAddr).Port

	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, nodes.Items, "the kwok cluster needs a node: kwokctl scale node --replicas 1")

	ns := fmt.Sprintf("labctl-pf-%d", time.Now().UnixNano()%100000)
	_, err = kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	defer func() {
		_ = kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	}()

	labels := map[string]string{"app": "kiali"}
	_, err = kube.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kiali-0", Labels: labels},
		Spec: corev1.PodSpec{
			NodeName:    nodes.Items[0].Name,
			Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Containers: []corev1.Container{{
				Name: "kiali", Image: "quay.io/kiali/kiali:fake",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 20001}},
			}},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = kube.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kiali"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Name: "http", Port: 20001, TargetPort: intstr.FromString("http")}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	pf := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "PortForward",
		"metadata":   map[string]any{"name": "kiali-0", "namespace": ns},
		"spec": map[string]any{"forwards": []any{map[string]any{
			"ports":  []any{int64(20001)},
			"target": map[string]any{"port": int64(bp), "address": "127.0.0.1"},
		}}},
	}}
	_, err = dyn.Resource(portForwardGVR).Namespace(ns).Create(ctx, pf, metav1.CreateOptions{})
	require.NoError(t, err, "is the kwok PortForward CRD enabled (--enable-crds PortForward)?")

	runCtx, stop := context.WithCancel(ctx)
	s, err := New(kube, cfg).Start(runCtx, Options{Namespace: ns, Service: "kiali", Path: "/kiali", ReadyTimeout: time.Minute})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", mustURL(t, s.URL).Hostname())
	assert.Equal(t, "kiali-0", s.Backend.Pod)
	assert.Equal(t, int32(20001), s.Backend.PodPort)

	resp, err := http.Get(s.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	assert.Equal(t, "dashboard at /kiali", string(body))

	stop()
	<-s.Done() // a tunnel that ignores the cancel hangs the test until its -timeout
	assert.NoError(t, s.Err())
}
