//go:build integration

package open

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/testenv"
)

// integrationTimeout bounds the test against a live control plane.
const integrationTimeout = 2 * time.Minute

// TestIntegrationOpenKiali runs `labctl open kiali` against a kwok cluster
// (LABCTL_TEST_KUBECONFIG, started with --enable-crds PortForward and one
// node): a fake Kiali pod whose port kwok forwards to a local HTTP server.
func TestIntegrationOpenKiali(t *testing.T) {
	clients := testenv.SharedCluster(t, "open Kiali on")
	var err error
	ctx, cancel := context.WithTimeout(context.Background(), integrationTimeout)
	defer cancel()

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "kiali %s", r.URL.Path)
	}))
	defer backend.Close()

	const ns = "istio-system"
	_, err = clients.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
	nodes, err := clients.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, nodes.Items, "the kwok cluster needs a node")
	podName := fmt.Sprintf("kiali-%d", time.Now().UnixNano()%100000)
	labels := map[string]string{"app": podName}
	_, err = clients.Kube.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: podName, Labels: labels},
		Spec: corev1.PodSpec{NodeName: nodes.Items[0].Name, Containers: []corev1.Container{{
			Name: "kiali", Image: "quay.io/kiali/kiali:fake", Ports: []corev1.ContainerPort{{Name: "api-port", ContainerPort: 20001}},
		}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	defer func() {
		_ = clients.Kube.CoreV1().Pods(ns).Delete(context.Background(), podName, metav1.DeleteOptions{})
	}()
	_, err = clients.Kube.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kiali"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Name: "http", Port: 20001, TargetPort: intstr.FromString("api-port")}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	defer func() {
		_ = clients.Kube.CoreV1().Services(ns).Delete(context.Background(), "kiali", metav1.DeleteOptions{})
	}()
	pf := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "PortForward",
		"metadata": map[string]any{"name": podName, "namespace": ns},
		"spec": map[string]any{"forwards": []any{map[string]any{
			"ports":  []any{int64(20001)},
			"target": map[string]any{"port": int64(backend.Listener.Addr().(*net.TCPAddr).Port), "address": "127.0.0.1"},
		}}},
	}}
	gvr := schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "portforwards"}
	_, err = clients.Dynamic.Resource(gvr).Namespace(ns).Create(ctx, pf, metav1.CreateOptions{})
	require.NoError(t, err)

	out := newSignalBuffer()
	var errOut strings.Builder
	d := &cli.Deps{
		Streams: cli.Streams{Out: out, ErrOut: &errOut},
		Log:     cli.NewLogger(&errOut, 0),
		Kube:    func(context.Context) (*kube.Clients, error) { return clients, nil },
	}
	runCtx, ctrlC := context.WithCancel(ctx)
	errCh := make(chan error, 1)
	go func() { errCh <- run(runCtx, d, &flagpole{}, "kiali", realSeams()) }()
	select {
	case <-out.written:
	case err := <-errCh:
		t.Fatalf("open returned early: %v (stderr: %s)", err, errOut.String())
	case <-ctx.Done():
		t.Fatal("no URL printed")
	}
	url := strings.TrimSpace(out.String())
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	assert.True(t, strings.HasSuffix(url, "/kiali"), url)

	resp, err := http.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	assert.Equal(t, "kiali /kiali", string(body))

	ctrlC()
	// An open that ignores Ctrl-C hangs the test until its -timeout.
	assert.NoError(t, <-errCh, "Ctrl-C is a clean stop")
	assert.Contains(t, errOut.String(), "press Ctrl-C to stop")
}
