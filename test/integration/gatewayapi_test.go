//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// IstiodStatusTimeout bounds the wait for istiod's gateway controller to
// report on the Gateway and its route.
const IstiodStatusTimeout = 3 * time.Minute

var (
	gatewaysGVR   = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	httpRoutesGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
)

// TestIntegrationGatewayAPIIngress (issue 12 item 4): with
// mesh.ingress.mode=gatewayapi, Bookinfo's Gateway is bound to labctl's
// istio-ingress gateway, the one the kind port mapping (here: its fixed
// node port) and the background traffic reach, so the app's URL is the
// same as in istio ingress mode. Then Istio's own gateway controller
// (the pilot-discovery `up` runs, from `make testenv`) accepts the Gateway and the route
// from Bookinfo's namespace and deploys no gateway of its own.
func TestIntegrationGatewayAPIIngress(t *testing.T) {
	l := newLab(t, "gwapi")
	t.Cleanup(func() { l.run(DownTimeout, "down") })
	l.must(UpTimeout, append(l.upArgs(), "--stack", "bookinfo", "--set", "mesh.ingress.mode=gatewayapi")...)
	s := l.status()
	l.requireReady(s, "kwok", true)
	c := connect(t, l.kubeconfig, s.Context)
	ctx := context.Background()

	// The app is reached through the mapped ingress, like in istio mode.
	var apps struct {
		Apps []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"apps"`
	}
	r := l.must(CommandTimeout, "status", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &apps); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(apps.Apps, func(a struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}) bool {
		return a.Name == "bookinfo"
	})
	if i < 0 || s.IngressURL == "" || apps.Apps[i].URL != s.IngressURL+"/productpage" {
		t.Errorf("bookinfo's URL is not the ingress's: ingress %q, apps %+v", s.IngressURL, apps.Apps)
	}
	svc, err := c.kube.CoreV1().Services("istio-ingress").Get(ctx, "istio-ingress", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mapped bool
	for _, p := range svc.Spec.Ports {
		mapped = mapped || (p.Port == 80 && p.NodePort == kwok.NodePortHTTP)
	}
	if !mapped {
		t.Errorf("istio-ingress does not publish port 80 on node port %d: %+v", kwok.NodePortHTTP, svc.Spec.Ports)
	}

	// The Gateway is bound to istio-ingress, in its namespace.
	gw, err := c.dynamic.Resource(gatewaysGVR).Namespace("istio-ingress").Get(ctx, "bookinfo-gateway", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("Bookinfo's Gateway in istio-ingress: %v", err)
	}
	addrs, _, _ := unstructured.NestedSlice(gw.Object, "spec", "addresses")
	want := []any{map[string]any{"type": "Hostname", "value": "istio-ingress.istio-ingress.svc.cluster.local"}}
	if !equalJSON(addrs, want) {
		t.Errorf("Gateway addresses %v, want %v", addrs, want)
	}
	if _, err := c.dynamic.Resource(httpRoutesGVR).Namespace("bookinfo").Get(ctx, "bookinfo", metav1.GetOptions{}); err != nil {
		t.Fatalf("Bookinfo's HTTPRoute: %v", err)
	}
	// The background traffic goes to the same gateway.
	dep, err := c.kube.AppsV1().Deployments("labctl-traffic").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var toIngress bool
	for _, d := range dep.Items {
		for _, ct := range d.Spec.Template.Spec.Containers {
			toIngress = toIngress || slices.Contains(append(slices.Clone(ct.Command), ct.Args...), "http://istio-ingress.istio-ingress.svc.cluster.local/productpage")
		}
	}
	if !toIngress {
		t.Error("no background traffic Deployment requests http://istio-ingress.istio-ingress.svc.cluster.local/productpage")
	}

	// Istio's gateway controller on these objects: the istiod `up` runs
	// next to the simulated cluster.
	requireIstiod(t)
	if pid := l.istiodPID(); pid <= 0 || !running(pid) {
		t.Fatalf("up runs no istiod (pid %d)", pid)
	}
	ictx, cancel := context.WithTimeout(ctx, IstiodStatusTimeout)
	defer cancel()
	var last string
	err = wait.PollUntilContextTimeout(ictx, time.Second, IstiodStatusTimeout, true, func(ctx context.Context) (bool, error) {
		gw, err := c.dynamic.Resource(gatewaysGVR).Namespace("istio-ingress").Get(ctx, "bookinfo-gateway", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		rt, err := c.dynamic.Resource(httpRoutesGVR).Namespace("bookinfo").Get(ctx, "bookinfo", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		gwConds, _, _ := unstructured.NestedSlice(gw.Object, "status", "conditions")
		parents, _, _ := unstructured.NestedSlice(rt.Object, "status", "parents")
		var rtConds []any
		for _, p := range parents {
			ref, _, _ := unstructured.NestedStringMap(p.(map[string]any), "parentRef")
			if ref["name"] == "bookinfo-gateway" && ref["namespace"] == "istio-ingress" {
				rtConds, _, _ = unstructured.NestedSlice(p.(map[string]any), "conditions")
			}
		}
		last = "Gateway " + conditions(gwConds) + "; HTTPRoute " + conditions(rtConds)
		return hasCondition(gwConds, "Accepted") && hasCondition(rtConds, "Accepted") && hasCondition(rtConds, "ResolvedRefs"), nil
	})
	if err != nil {
		t.Fatalf("istiod did not accept the bound Gateway and its route within %s (last: %s): %v", IstiodStatusTimeout, last, err)
	}
	t.Logf("istiod: %s", last)
	// A Gateway Istio deploys gets a Deployment and Service <name>-istio;
	// a bound one must not.
	for _, ns := range []string{"istio-ingress", "bookinfo"} {
		if _, err := c.kube.AppsV1().Deployments(ns).Get(ctx, "bookinfo-gateway-istio", metav1.GetOptions{}); err == nil {
			t.Errorf("istiod deployed a gateway of its own (Deployment %s/bookinfo-gateway-istio): the Gateway is not bound", ns)
		}
		if _, err := c.kube.CoreV1().Services(ns).Get(ctx, "bookinfo-gateway-istio", metav1.GetOptions{}); err == nil {
			t.Errorf("istiod made a Service %s/bookinfo-gateway-istio with a node port nothing maps", ns)
		}
	}
}

func hasCondition(conds []any, typ string) bool {
	for _, c := range conds {
		m := c.(map[string]any)
		if m["type"] == typ && m["status"] == "True" {
			return true
		}
	}
	return false
}

func conditions(conds []any) string {
	var out []string
	for _, c := range conds {
		m := c.(map[string]any)
		out = append(out, strings.Join([]string{toString(m["type"]), toString(m["status"]), toString(m["reason"])}, "="))
	}
	if len(out) == 0 {
		return "no conditions"
	}
	return strings.Join(out, ", ")
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
