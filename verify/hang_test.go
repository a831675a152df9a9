package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/labctl/labctl/loadgen/classify"
)

// blackHole accepts requests and never answers until the client gives up
// (or the test ends): a stalled Prometheus, Kiali, ingress or API server.
func blackHole(t *testing.T) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv
}

// everyCheck returns one spec of every type, all aimed at the black hole.
func everyCheck(url string) []Spec {
	zero, one := 0.0, 1
	pod := PodRef{Namespace: "ns", Pod: "p"}
	return []Spec{
		{Name: "pods", Pods: &PodsSpec{Namespace: "ns", Count: &one}},
		{Name: "resource", Resource: &ResourceSpec{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Namespace: "ns", Name: "r"}},
		{Name: "http", HTTP: &HTTPSpec{Target: Target{URL: url}}},
		{Name: "split", Split: &SplitSpec{Target: Target{URL: url}, Classifier: classify.BookinfoReviews, Weights: map[string]float64{"v1": 1, "v2": 1}}},
		{Name: "promql", PromQL: &PromQLSpec{Query: "up", Op: ">", Value: &zero}},
		{Name: "kiali", Kiali: &KialiSpec{Namespaces: []string{"ns"}, Validations: &KialiValid{}}},
		{Name: "trace", Trace: &TraceSpec{Service: "s"}},
		{Name: "exec", Exec: &ExecSpec{PodRef: pod, Command: []string{"true"}}},
	}
}

func blackHoleEnv(t *testing.T) (Env, string) {
	t.Helper()
	srv := blackHole(t)
	cfg := &rest.Config{Host: srv.URL}
	kube := kubernetes.NewForConfigOrDie(cfg)
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Group: "networking.istio.io", Version: "v1", Kind: "VirtualService"}, meta.RESTScopeNamespace)
	ep := StaticURL(srv.URL)
	return Env{
		Kube: kube, Dynamic: dynamic.NewForConfigOrDie(cfg), Mapper: mapper,
		Exec:       KubeExecutor{Config: cfg, Kube: kube},
		Prometheus: ep, Kiali: ep, Jaeger: ep, Zipkin: ep,
	}, srv.URL
}

// TestChecksNeverHang: every check type ends at its timeout even when the
// server it talks to never answers.
func TestChecksNeverHang(t *testing.T) {
	env, url := blackHoleEnv(t)
	for _, s := range everyCheck(url) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			s.Timeout, s.Interval = Duration{300 * time.Millisecond}, Duration{100 * time.Millisecond}
			res := Runner{Env: env}.RunOne(t.Context(), s)
			assert.NotEqual(t, StatusPass, res.Status)
			assert.NotEmpty(t, res.Message)
		})
	}
}

// TestChecksStopOnCtrlC: with a long timeout, cancelling the context ends
// every check type promptly as "interrupted".
func TestChecksStopOnCtrlC(t *testing.T) {
	env, url := blackHoleEnv(t)
	for _, s := range everyCheck(url) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			s.Timeout = Duration{MaxTimeout}
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(200*time.Millisecond, cancel)
			res := Runner{Env: env}.RunOne(ctx, s)
			assert.Equal(t, StatusError, res.Status)
			assert.Equal(t, Interrupted, res.Message)
		})
	}
}
