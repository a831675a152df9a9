//go:build integration

package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// podRunningTimeout bounds the wait for kwok to mark the test pod Running.
const podRunningTimeout = time.Minute

var kwokExecGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "execs"}

// TestIntegrationExec runs commands through the API server's exec
// subresource with KubeExecutor (WebSocket, SPDY fallback). kwok has no
// containers: a kwok Exec object makes its kubelet stand-in run the command
// on the local machine, so `sh` and `curl` must exist here. It needs
// LABCTL_TEST_KUBECONFIG pointing at a kwok cluster created with the Exec CRD
// and a node:
//
//	kwokctl create cluster --runtime binary --enable-crds=Exec ...
//	kwokctl scale node --replicas 1
func TestIntegrationExec(t *testing.T) {
	kubeconfig := os.Getenv("LABCTL_TEST_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("LABCTL_TEST_KUBECONFIG is not set: no kwok cluster to exec through")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	require.NoError(t, err)
	cfg.QPS, cfg.Burst = 50, 100
	kube, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	dyn, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	ctx := t.Context()

	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, nodes.Items, "the kwok cluster needs a node: kwokctl scale node --replicas 1")
	ns := fmt.Sprintf("verify-exec-%d", time.Now().UnixNano()%100000)
	_, err = kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })

	_, err = kube.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "sleep-0", Labels: map[string]string{"app": "sleep"}},
		Spec: corev1.PodSpec{
			NodeName:    nodes.Items[0].Name,
			Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Containers:  []corev1.Container{{Name: "sleep", Image: "registry.example/curl"}},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = dyn.Resource(kwokExecGVR).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec",
		"metadata": map[string]any{"name": "sleep-0", "namespace": ns},
		"spec":     map[string]any{"execs": []any{map[string]any{"containers": []any{"sleep"}, "local": map[string]any{"workDir": os.TempDir()}}}},
	}}, metav1.CreateOptions{})
	require.NoError(t, err, "is the kwok Exec CRD enabled (kwokctl create cluster --enable-crds=Exec)?")
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, podRunningTimeout, true, func(ctx context.Context) (bool, error) {
		p, err := kube.CoreV1().Pods(ns).Get(ctx, "sleep-0", metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning && podReady(p), nil
	})
	require.NoError(t, err, "kwok did not make the pod Running and Ready")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Version", "v2")
		fmt.Fprintf(w, "hello from %s", r.Header.Get("end-user"))
	}))
	t.Cleanup(srv.Close)

	env := Env{Kube: kube, Exec: KubeExecutor{Config: cfg, Kube: kube}}
	pod := PodRef{Namespace: ns, Selector: "app=sleep", Container: "sleep"}
	// kwok reports a command's non-zero exit as an internal error ("cmd wait:
	// ...: exit status 7") instead of the NonZeroExitCode status a kubelet
	// sends, so here exit codes other than 0 surface as exec errors; on a real
	// kubelet client-go turns them into exit codes (KubeExecutor reads
	// utilexec.ExitError).
	tests := []struct {
		name string
		spec Spec
		want Status
		msg  string
	}{
		{"stdout and stderr", Spec{Name: "exec", Exec: &ExecSpec{PodRef: pod,
			Command: []string{"sh", "-c", "echo labctl-exec; echo oops >&2"}, OutputContains: []string{"labctl-exec", "oops"}}}, StatusPass, ""},
		{"output mismatch", Spec{Name: "exec", Exec: &ExecSpec{PodRef: pod, Command: []string{"sh", "-c", "echo 403"}, OutputRegex: "^200"}},
			StatusFail, "output does not match /^200/"},
		{"non-zero exit under kwok", Spec{Name: "exec", Exec: &ExecSpec{PodRef: pod, Command: []string{"sh", "-c", "exit 7"}, NonZeroExit: true}},
			StatusError, "exit status 7"},
		{"curl from the pod", Spec{Name: "http", HTTP: &HTTPSpec{Target: Target{From: &pod, URL: srv.URL + "/x",
			Headers: map[string]string{"end-user": "jason"}},
			Expect: HTTPExpect{BodyContains: []string{"hello from jason"}, Headers: map[string]string{"X-Version": "v2"}}}}, StatusPass, ""},
		{"curl sees a wrong body", Spec{Name: "http", HTTP: &HTTPSpec{Target: Target{From: &pod, URL: srv.URL + "/x"},
			Expect: HTTPExpect{BodyContains: []string{"hello from jason"}}}}, StatusFail, "body does not contain"},
		{"refused connection from the pod", Spec{Name: "http", HTTP: &HTTPSpec{Target: Target{From: &pod, URL: "http://127.0.0.1:1/"},
			Expect: HTTPExpect{Failure: true}}}, StatusPass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Runner{Env: env}.RunOne(t.Context(), quickish(tt.spec))
			assert.Equal(t, tt.want, res.Status, "%s; observed %s", res.Message, res.Observed)
			assert.Contains(t, res.Message, tt.msg)
		})
	}
}

// quickish gives real exec round trips time, but still fails fast.
func quickish(s Spec) Spec {
	s.Timeout, s.Interval = Duration{3 * time.Second}, Duration{500 * time.Millisecond}
	return s
}
