package charts

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// renderObjects renders a chart and decodes every object.
func renderObjects(t *testing.T, chart, namespace, values string) []*unstructured.Unstructured {
	t.Helper()
	c, err := Load(chart)
	require.NoError(t, err)
	out, err := Render(c, chart, namespace, parseValues(t, values))
	require.NoError(t, err)
	var objs []*unstructured.Unstructured
	for _, doc := range strings.Split(out, "\n---") {
		if isEmptyDoc(doc) {
			continue
		}
		m := map[string]any{}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
		if len(m) > 0 {
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
	return objs
}

// TestGatewayAPIBoundToIngress: in Gateway API ingress mode labctl binds each
// app's Gateway to its istio-ingress gateway (Istio's manual deployment) so
// that the kind port mapping and the background traffic, which reach
// istio-ingress, reach the app (issue 12 item 4). Istio applies such a
// Gateway only to gateway pods of the Gateway's own namespace
// (pilot/pkg/model/push_context.go, InternalGatewayServiceAnnotation), so it
// must live in istio-ingress, admit the app's routes from their namespace,
// carry no deployment customization, and every route must name it there.
func TestGatewayAPIBoundToIngress(t *testing.T) {
	const svc = "istio-ingress.istio-ingress.svc.cluster.local"
	cases := []struct {
		chart, namespace, extra string
		routeNS                 string // where the HTTPRoutes are
		backend                 string // the Service the route sends to
	}{
		{"bookinfo", "bookinfo", "", "bookinfo", "productpage"},
		{"httpbin", "httpbin", "", "httpbin", "httpbin"},
		{"boutique", "boutique", "", "boutique", "frontend"},
		{"travels", "travel-control", "namespaces: {create: true}", "travel-control", "control"},
	}
	for _, tc := range cases {
		t.Run(tc.chart, func(t *testing.T) {
			objs := renderObjects(t, tc.chart, tc.namespace,
				"ingress: {enabled: true, mode: gatewayapi, gateway: {existingService: "+svc+"}}\n"+tc.extra)
			var gws, routes []*unstructured.Unstructured
			for _, o := range objs {
				switch {
				case o.GetKind() == "Gateway" && o.GetAPIVersion() == "gateway.networking.k8s.io/v1":
					gws = append(gws, o)
				case o.GetKind() == "HTTPRoute":
					routes = append(routes, o)
				case o.GetKind() == "Service" && strings.Contains(o.GetName(), "gateway"):
					t.Errorf("the chart makes a gateway Service %s of its own", o.GetName())
				}
			}
			require.Len(t, gws, 1, "one Gateway")
			gw := gws[0]
			assert.Equal(t, "istio-ingress", gw.GetNamespace(), "the Gateway lives in the bound Service's namespace")
			assert.Empty(t, gw.GetAnnotations(), "no deployment customization on a bound Gateway")
			addrs, _, _ := unstructured.NestedSlice(gw.Object, "spec", "addresses")
			assert.Equal(t, []any{map[string]any{"type": "Hostname", "value": svc}}, addrs)
			listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
			require.Len(t, listeners, 1)
			l := listeners[0].(map[string]any)
			assert.EqualValues(t, 80, l["port"], "the listener is the istio-ingress Service's HTTP port")
			from, _, _ := unstructured.NestedString(l, "allowedRoutes", "namespaces", "from")
			assert.Equal(t, "Selector", from)
			sel, _, _ := unstructured.NestedStringMap(l, "allowedRoutes", "namespaces", "selector", "matchLabels")
			assert.Equal(t, map[string]string{"kubernetes.io/metadata.name": tc.routeNS}, sel)

			require.NotEmpty(t, routes)
			for _, r := range routes {
				ns := r.GetNamespace()
				if ns == "" {
					ns = tc.namespace // Helm puts it in the release namespace
				}
				assert.Equal(t, tc.routeNS, ns, "route %s", r.GetName())
				parents, _, _ := unstructured.NestedSlice(r.Object, "spec", "parentRefs")
				assert.Equal(t, []any{map[string]any{"name": gw.GetName(), "namespace": "istio-ingress"}}, parents, "route %s", r.GetName())
				rules, _, _ := unstructured.NestedSlice(r.Object, "spec", "rules")
				require.NotEmpty(t, rules)
				backends, _, _ := unstructured.NestedSlice(rules[0].(map[string]any), "backendRefs")
				require.NotEmpty(t, backends)
				assert.Equal(t, tc.backend, backends[0].(map[string]any)["name"])
			}
		})
	}
}

// Without existingService the Gateway stays where the app is and Istio
// deploys it (the chart on its own, outside labctl).
func TestGatewayAPIUnbound(t *testing.T) {
	for _, chart := range []string{"bookinfo", "httpbin", "boutique"} {
		t.Run(chart, func(t *testing.T) {
			for _, o := range renderObjects(t, chart, chart, "ingress: {enabled: true, mode: gatewayapi}") {
				if o.GetKind() == "Gateway" {
					assert.Empty(t, o.GetNamespace(), "an unbound Gateway is in the release namespace")
					_, found, _ := unstructured.NestedSlice(o.Object, "spec", "addresses")
					assert.False(t, found, "an unbound Gateway has no addresses")
					listeners, _, _ := unstructured.NestedSlice(o.Object, "spec", "listeners")
					require.Len(t, listeners, 1)
					from, _, _ := unstructured.NestedString(listeners[0].(map[string]any), "allowedRoutes", "namespaces", "from")
					assert.Equal(t, "Same", from)
				}
				if o.GetKind() == "HTTPRoute" {
					parents, _, _ := unstructured.NestedSlice(o.Object, "spec", "parentRefs")
					require.Len(t, parents, 1)
					_, hasNS := parents[0].(map[string]any)["namespace"]
					assert.False(t, hasNS, "a route to an unbound Gateway names no namespace")
				}
			}
		})
	}
}
