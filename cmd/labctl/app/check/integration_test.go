//go:build integration

package check

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/internal/testenv"
)

// TestIntegrationCheckCommand runs `labctl check` against a real
// kube-apiserver (LABCTL_TEST_KUBECONFIG, e.g. a kwok cluster) with an
// environment record that says the cluster is simulated: pods and resource
// checks run for real, the http check is skipped with the reason, and the
// run passes.
func TestIntegrationCheckCommand(t *testing.T) {
	clients := testenv.SharedCluster(t, "run labctl check against")
	var err error
	ctx := t.Context()
	ns := fmt.Sprintf("verify-cli-%d", time.Now().UnixNano()%100000)
	_, err = clients.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = clients.Kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	pod, err := clients.Kube.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "productpage-v1-0", Labels: map[string]string{"app": "productpage"}},
		Spec: corev1.PodSpec{
			SchedulingGates: []corev1.PodSchedulingGate{{Name: "labctl.dev/test"}},
			Containers:      []corev1.Container{{Name: "productpage", Image: "registry.example/productpage"}, {Name: "istio-proxy", Image: "registry.example/proxyv2"}},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
	_, err = clients.Kube.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	require.NoError(t, err)

	file := filepath.Join(t.TempDir(), "checks.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`apiVersion: labctl.dev/v1alpha1
kind: CheckSet
metadata: {name: cli-on-kwok}
checks:
  - name: productpage-pods
    pods: {namespace: %[1]s, selector: app=productpage, count: 1, containers: [istio-proxy]}
  - name: namespace-labelled
    resource:
      apiVersion: v1
      kind: Namespace
      name: %[1]s
      match: {metadata: {name: %[1]s}}
  - name: productpage-through-ingress
    http: {app: productpage}
`, ns)), 0o600))

	var out, errOut bytes.Buffer
	d := &cli.Deps{
		Streams: cli.Streams{Out: &out, ErrOut: &errOut},
		Log:     cli.NewLogger(&errOut, 0),
		Output:  cli.OutputText,
		Name:    "kwok",
		Env: func() (*state.Environment, error) {
			return &state.Environment{Name: "kwok", Simulated: true, IngressURL: "http://127.0.0.1:1",
				Apps: []state.App{{Name: "productpage", Host: "bookinfo.example"}}}, nil
		},
		Kube: func(context.Context) (*kube.Clients, error) { return clients, nil },
	}
	d.NewStatus = func() progress.Status { return cli.NewStatus(&errOut, false) }
	cmd := NewCommand(d)
	cmd.SetArgs([]string{"-f", file})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	require.NoError(t, cmd.ExecuteContext(ctx), "%s\n%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "✓ productpage-pods (pods)")
	assert.Contains(t, out.String(), "✓ namespace-labelled (resource)")
	assert.Contains(t, out.String(), "⊘ productpage-through-ingress (http): skipped: simulated cluster has no data plane")
	assert.Contains(t, out.String(), "PASSED: 2 passed, 0 failed, 0 error(s), 1 skipped")
}
