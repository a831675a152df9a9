//go:build integration

package integration

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/labctl/labctl/internal/testenv"
	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// WaypointTimeout bounds istiod deploying a waypoint and kwok running it.
const WaypointTimeout = 2 * time.Minute

var virtualServicesGVR = schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "virtualservices"}

// requireIstiod skips the test when `make testenv` has not built
// pilot-discovery: `up` then runs no istiod.
func requireIstiod(t *testing.T) {
	t.Helper()
	dir, err := testenv.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	if testenv.Istiod(dir) == "" {
		t.Skipf("no pilot-discovery in %s or $%s: `make testenv` builds it; without it `up` runs no istiod", dir, kwok.IstiodEnv)
	}
}

// TestIntegrationIstiodSidecar (issue 14): `up --provider kwok` runs the
// real istiod next to the simulated cluster. Pods of an injected namespace
// get istio-proxy from Istio's injector, an invalid VirtualService is
// refused with Istio's validation message, a killed istiod is reported by
// status and restarted by up, and down leaves no istiod process.
func TestIntegrationIstiodSidecar(t *testing.T) {
	requireIstiod(t)
	l := newLab(t, "istiod")
	t.Cleanup(func() { l.run(DownTimeout, "down") })
	l.must(UpTimeout, append(l.upArgs(), "--stack", "minimal")...)
	s := l.status()
	l.requireReady(s, "kwok", true, "istio-base", "istiod", "httpbin")
	c := connect(t, l.kubeconfig, s.Context)
	ctx := context.Background()

	pods, err := c.kube.CoreV1().Pods("httpbin").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) == 0 {
		t.Fatal("no pods in namespace httpbin")
	}
	for _, p := range pods.Items {
		if !hasIstioProxy(p) {
			t.Errorf("pod httpbin/%s has no istio-proxy (containers %v, init containers %v)", p.Name, names(p.Spec.Containers), names(p.Spec.InitContainers))
		}
		if p.Annotations["sidecar.istio.io/status"] == "" {
			t.Errorf("pod httpbin/%s lacks Istio's injection status annotation", p.Name)
		}
	}

	bad := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
		"metadata": map[string]any{"name": "bad-retries", "namespace": "httpbin"},
		"spec": map[string]any{
			"hosts": []any{"httpbin"},
			"http": []any{map[string]any{
				"route":   []any{map[string]any{"destination": map[string]any{"host": "httpbin"}}},
				"retries": map[string]any{"attempts": int64(3), "retryOn": "no-such-condition"},
			}},
		},
	}}
	_, err = c.dynamic.Resource(virtualServicesGVR).Namespace("httpbin").Create(ctx, bad, metav1.CreateOptions{})
	if err == nil {
		t.Fatal("a VirtualService with retryOn no-such-condition was accepted")
	}
	if !strings.Contains(err.Error(), "validation.istio.io") || !strings.Contains(err.Error(), `"no-such-condition" is not a valid retryOn policy`) {
		t.Errorf("the invalid VirtualService was refused, but not by Istio's validation: %v", err)
	}

	// A crashed istiod is reported, and up starts it again.
	pid := l.istiodPID()
	if pid <= 0 || !running(pid) {
		t.Fatalf("no running istiod recorded (pid %d)", pid)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, pollEvery, CommandTimeout, true, func(context.Context) (bool, error) {
		return !running(pid), nil
	})
	if err != nil {
		t.Fatalf("istiod %d survived SIGKILL", pid)
	}
	st := l.run(CommandTimeout, "status")
	if !strings.Contains(st.stdout+st.stderr, "istiod") || !strings.Contains(st.stdout+st.stderr, "exited") {
		t.Errorf("status does not report the dead istiod:\n%s", st)
	}
	l.must(UpTimeout, append(l.upArgs(), "--stack", "minimal")...)
	if again := l.istiodPID(); again == pid || !running(again) {
		t.Errorf("up did not start istiod again (pid %d, was %d)", again, pid)
	}

	procs := l.kwokProcesses()
	if _, ok := procs["istiod"]; !ok {
		t.Fatalf("no istiod among the environment's processes %v", procs)
	}
	l.must(DownTimeout, "down")
	requireGone(t, l, procs)
}

// TestIntegrationIstiodWaypoint (issue 14): in ambient mode, a Gateway of
// class istio-waypoint makes istiod create the waypoint's Deployment and
// Service and mark the Gateway Programmed.
func TestIntegrationIstiodWaypoint(t *testing.T) {
	requireIstiod(t)
	l := newLab(t, "waypoint")
	t.Cleanup(func() { l.run(DownTimeout, "down") })
	l.must(UpTimeout, append(l.upArgs(), "--stack", "minimal", "--set", "mesh.mode=ambient")...)
	s := l.status()
	c := connect(t, l.kubeconfig, s.Context)
	ctx := context.Background()

	gw := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		"metadata": map[string]any{"name": "waypoint", "namespace": "httpbin", "labels": map[string]any{"istio.io/waypoint-for": "service"}},
		"spec": map[string]any{
			"gatewayClassName": "istio-waypoint",
			"listeners":        []any{map[string]any{"name": "mesh", "port": int64(15008), "protocol": "HBONE"}},
		},
	}}
	if _, err := c.dynamic.Resource(gatewaysGVR).Namespace("httpbin").Create(ctx, gw, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var last string
	err := wait.PollUntilContextTimeout(ctx, time.Second, WaypointTimeout, true, func(ctx context.Context) (bool, error) {
		g, err := c.dynamic.Resource(gatewaysGVR).Namespace("httpbin").Get(ctx, "waypoint", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(g.Object, "status", "conditions")
		last = "Gateway " + conditions(conds)
		d, err := c.kube.AppsV1().Deployments("httpbin").Get(ctx, "waypoint", metav1.GetOptions{})
		if err != nil {
			last += "; Deployment: " + err.Error()
			return false, nil
		}
		available := false
		for _, dc := range d.Status.Conditions {
			available = available || (dc.Type == "Available" && dc.Status == corev1.ConditionTrue)
		}
		last += "; Deployment available " + map[bool]string{true: "yes", false: "no"}[available]
		return hasCondition(conds, "Programmed") && available, nil
	})
	if err != nil {
		t.Fatalf("the waypoint was not Programmed with an Available Deployment within %s (last: %s): %v", WaypointTimeout, last, err)
	}
	if _, err := c.kube.CoreV1().Services("httpbin").Get(ctx, "waypoint", metav1.GetOptions{}); err != nil {
		t.Errorf("istiod made no Service for the waypoint: %v", err)
	}
	t.Logf("istiod: %s", last)
}

func hasIstioProxy(p corev1.Pod) bool {
	for _, c := range append(append([]corev1.Container{}, p.Spec.Containers...), p.Spec.InitContainers...) {
		if c.Name == "istio-proxy" {
			return true
		}
	}
	return false
}

func names(cs []corev1.Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}
