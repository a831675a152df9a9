package verify

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The graph as Kiali's /api/namespaces/graph returns it (graph/config/common:
// elements.nodes[].data and elements.edges[].data), trimmed to one namespace:
// an app box for reviews, app nodes per version, and edges carrying traffic
// and the mTLS percentage as a string.
const kialiGraphJSON = `{
  "timestamp": 1763700000, "duration": 60, "graphType": "versionedApp",
  "elements": {
    "nodes": [
      {"data": {"id": "box1", "nodeType": "box", "cluster": "Kubernetes", "namespace": "bookinfo", "app": "reviews", "isBox": "app", "healthData": null}},
      {"data": {"id": "n1", "nodeType": "app", "cluster": "Kubernetes", "namespace": "bookinfo", "workload": "productpage-v1", "app": "productpage", "version": "v1", "healthData": null}},
      {"data": {"id": "n2", "parent": "box1", "nodeType": "app", "cluster": "Kubernetes", "namespace": "bookinfo", "workload": "reviews-v2", "app": "reviews", "version": "v2", "healthData": null}},
      {"data": {"id": "n3", "parent": "box1", "nodeType": "app", "cluster": "Kubernetes", "namespace": "bookinfo", "workload": "reviews-v3", "app": "reviews", "version": "v3", "healthData": null}},
      {"data": {"id": "n4", "nodeType": "app", "cluster": "Kubernetes", "namespace": "bookinfo", "workload": "ratings-v1", "app": "ratings", "version": "v1", "healthData": null}}
    ],
    "edges": [
      {"data": {"id": "e1", "source": "n1", "target": "n2", "traffic": {"protocol": "http", "rates": {"http": "1.20", "httpPercentReq": "50.0"}, "responses": {"200": {"flags": {"-": "100.0"}, "hosts": {"reviews.bookinfo.svc.cluster.local": "100.0"}}}}}},
      {"data": {"id": "e2", "source": "n1", "target": "n3", "isMTLS": "100", "responseTime": "12", "traffic": {"protocol": "http", "rates": {"http": "1.20", "httpPercentReq": "50.0"}, "responses": {"200": {"flags": {"-": "100.0"}}}}}},
      {"data": {"id": "e3", "source": "n3", "target": "n4", "isMTLS": "100", "traffic": {"protocol": "http", "rates": {"http": "1.20"}}}}
    ]
  }
}`

// Health as /api/clusters/health?type=app returns it (models.ClustersNamespaceHealth).
const kialiHealthJSON = `{
  "namespaceAppHealth": {
    "bookinfo": {
      "reviews": {"requests": {"inbound": {"http": {"200": 2.4}}, "outbound": {}, "healthAnnotations": {}},
                  "status": {"status": "Healthy", "totalRequestRate": 2.4},
                  "workloadStatuses": [{"name": "reviews-v2", "desiredReplicas": 1, "currentReplicas": 1, "availableReplicas": 1, "syncedProxies": 1}]},
      "ratings": {"requests": {"inbound": {"http": {"200": 1.0, "500": 0.3}}, "outbound": {}, "healthAnnotations": {}},
                  "status": {"status": "Failure", "errorRatio": 23.1},
                  "workloadStatuses": [{"name": "ratings-v1", "desiredReplicas": 1, "currentReplicas": 1, "availableReplicas": 1, "syncedProxies": 1}]},
      "details": {"requests": {"inbound": {"http": {"200": 1.0}}, "outbound": {}, "healthAnnotations": {}},
                  "workloadStatuses": [{"name": "details-v1", "desiredReplicas": 2, "currentReplicas": 2, "availableReplicas": 1, "syncedProxies": 1}]},
      "productpage": {"requests": {"inbound": {"http": {"200": 9.0, "503": 1.0}}, "outbound": {}, "healthAnnotations": {}},
                  "workloadStatuses": [{"name": "productpage-v1", "desiredReplicas": 1, "currentReplicas": 1, "availableReplicas": 1, "syncedProxies": 1}]}
    }
  }
}`

func kialiServer(t *testing.T, validations string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kiali/api/namespaces/graph", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		assert.Equal(t, "bookinfo", q.Get("namespaces"))
		assert.Equal(t, "versionedApp", q.Get("graphType"))
		assert.Equal(t, "60s", q.Get("duration"))
		assert.Equal(t, "false", q.Get("injectServiceNodes"))
		w.Write([]byte(kialiGraphJSON))
	})
	mux.HandleFunc("GET /kiali/api/clusters/health", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "app", r.URL.Query().Get("type"))
		w.Write([]byte(kialiHealthJSON))
	})
	mux.HandleFunc("GET /kiali/api/istio/validations", func(w http.ResponseWriter, r *http.Request) {
		if validations == "" {
			http.Error(w, `{"error":"Services initialization error"}`, http.StatusInternalServerError)
			return
		}
		w.Write([]byte(validations))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestKialiCheck(t *testing.T) {
	one := 1
	ns := []string{"bookinfo"}
	tests := []struct {
		name        string
		validations string
		spec        KialiSpec
		want        Status
		inObs       string
		inMsg       string
	}{
		{"edge with mTLS", "", KialiSpec{Namespaces: ns, Edge: &KialiEdge{From: KialiNode{App: "productpage"}, To: KialiNode{App: "reviews", Version: "v3"}, MTLS: true}},
			StatusPass, "bookinfo/productpage v1 → bookinfo/reviews v3 (http, mTLS 100%)", ""},
		{"edge without mTLS", "", KialiSpec{Namespaces: ns, Edge: &KialiEdge{From: KialiNode{App: "productpage"}, To: KialiNode{App: "reviews"}, MTLS: true}},
			StatusFail, "reviews v2", "edges without full mTLS: bookinfo/productpage v1 → bookinfo/reviews v2 (http, mTLS 0%)"},
		{"edge exists, mTLS not asked", "", KialiSpec{Namespaces: ns, Edge: &KialiEdge{From: KialiNode{App: "productpage"}, To: KialiNode{Workload: "reviews-v2"}}},
			StatusPass, "reviews v2", ""},
		{"no such edge", "", KialiSpec{Namespaces: ns, Edge: &KialiEdge{From: KialiNode{App: "productpage"}, To: KialiNode{App: "ratings"}}},
			StatusFail, "5 nodes, 3 edges, none matching", "has no edge {app=productpage} → {app=ratings}"},
		{"healthy app", "", KialiSpec{Health: &KialiHealth{Namespace: "bookinfo", Name: "reviews"}}, StatusPass, "Healthy", ""},
		{"failing app", "", KialiSpec{Health: &KialiHealth{Namespace: "bookinfo", Name: "ratings"}}, StatusFail, "Failure", "Kiali says app ratings is Failure, want Healthy"},
		{"failure wanted", "", KialiSpec{Health: &KialiHealth{Namespace: "bookinfo", Name: "ratings", Status: "Failure"}}, StatusPass, "", ""},
		{"older Kiali: replicas missing", "", KialiSpec{Health: &KialiHealth{Namespace: "bookinfo", Name: "details"}}, StatusFail, "Not Ready (derived by labctl", ""},
		{"older Kiali: 5xx", "", KialiSpec{Health: &KialiHealth{Namespace: "bookinfo", Name: "productpage"}}, StatusFail, "Failure (derived", ""},
		{"unknown app", "", KialiSpec{Health: &KialiHealth{Namespace: "bookinfo", Name: "nope"}}, StatusFail, "not in Kiali's health report", "check the name"},
		{"no validation errors", `[{"errors":0,"objectCount":4,"warnings":1,"namespace":"bookinfo","cluster":"Kubernetes"}]`,
			KialiSpec{Namespaces: ns, Validations: &KialiValid{}}, StatusPass, "bookinfo: 0 error(s), 1 warning(s) in 4 object(s)", ""},
		{"validation errors", `[{"errors":2,"objectCount":4,"warnings":0,"namespace":"bookinfo","cluster":"Kubernetes"}]`,
			KialiSpec{Namespaces: ns, Validations: &KialiValid{}}, StatusFail, "2 error(s)", "Kiali reports 2 validation error(s)"},
		{"warnings bounded", `{"bookinfo":{"errors":0,"objectCount":4,"warnings":3}}`,
			KialiSpec{Namespaces: ns, Validations: &KialiValid{MaxWarnings: &one}}, StatusFail, "3 warning(s)", "3 validation warning(s)"},
		{"Kiali error", "", KialiSpec{Namespaces: ns, Validations: &KialiValid{}}, StatusError, "", "status 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := kialiServer(t, tt.validations)
			spec := tt.spec
			res := Runner{Env: Env{Kiali: StaticURL(srv.URL + "/kiali/")}}.RunOne(t.Context(), quick(Spec{Name: tt.name, Kiali: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Observed, tt.inObs)
			assert.Contains(t, res.Message, tt.inMsg)
		})
	}
}

func TestKialiValidate(t *testing.T) {
	tests := []struct {
		spec KialiSpec
		want string
	}{
		{KialiSpec{Namespaces: []string{"a"}}, "exactly one of edge, health, validations"},
		{KialiSpec{Edge: &KialiEdge{From: KialiNode{App: "a"}, To: KialiNode{App: "b"}}}, "namespaces is required"},
		{KialiSpec{Namespaces: []string{"a"}, Edge: &KialiEdge{From: KialiNode{App: "a"}}}, "edge needs from and to"},
		{KialiSpec{Health: &KialiHealth{Name: "x"}}, "namespace and name"},
		{KialiSpec{Health: &KialiHealth{Namespace: "n", Name: "x", Type: "pod"}}, `health.type "pod"`},
	}
	for _, tt := range tests {
		assert.ErrorContains(t, tt.spec.validate(), tt.want)
	}
	res := Runner{}.RunOne(t.Context(), Spec{Name: "k", Kiali: &KialiSpec{Namespaces: []string{"a"}, Validations: &KialiValid{}}})
	require.Equal(t, StatusError, res.Status)
	assert.Contains(t, res.Message, "--kiali-url")
}
