package verify

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/portforward"
)

// Jaeger's query API (/api/traces) answers {"data": [trace], "total",
// "limit", "offset", "errors"}; a trace maps spans to processes by processID.
const jaegerTracesJSON = `{"data":[
  {"traceID":"a1","spans":[
     {"traceID":"a1","spanID":"s1","operationName":"productpage.bookinfo.svc.cluster.local:9080/productpage","references":[],"startTime":1763700000000000,"duration":1200,"tags":[],"logs":[],"processID":"p1","warnings":null},
     {"traceID":"a1","spanID":"s2","operationName":"reviews.bookinfo.svc.cluster.local:9080/*","references":[{"refType":"CHILD_OF","traceID":"a1","spanID":"s1"}],"startTime":1763700000000100,"duration":800,"tags":[],"logs":[],"processID":"p2","warnings":null}],
   "processes":{"p1":{"serviceName":"productpage.bookinfo","tags":[]},"p2":{"serviceName":"reviews.bookinfo","tags":[]}},"warnings":null},
  {"traceID":"a2","spans":[
     {"traceID":"a2","spanID":"s3","operationName":"productpage.bookinfo.svc.cluster.local:9080/productpage","references":[],"startTime":1763700001000000,"duration":900,"tags":[],"logs":[],"processID":"p1","warnings":null}],
   "processes":{"p1":{"serviceName":"productpage.bookinfo","tags":[]}},"warnings":null}
 ],"total":0,"limit":0,"offset":0,"errors":null}`

// Zipkin's /api/v2/traces answers a list of traces, each a list of spans.
const zipkinTracesJSON = `[[
  {"traceId":"b1","id":"1","kind":"SERVER","name":"productpage.bookinfo.svc.cluster.local:9080/productpage","timestamp":1763700000000000,"duration":1200,
   "localEndpoint":{"serviceName":"productpage.bookinfo","ipv4":"10.0.0.5"},"tags":{"http.status_code":"200"}},
  {"traceId":"b1","parentId":"1","id":"2","kind":"CLIENT","name":"reviews.bookinfo.svc.cluster.local:9080/*","timestamp":1763700000000100,"duration":800,
   "localEndpoint":{"serviceName":"productpage.bookinfo"}}
]]`

func traceServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jaeger/api/traces", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
		end, _ := strconv.ParseInt(q.Get("end"), 10, 64)
		assert.Equal(t, (10 * time.Minute).Microseconds(), end-start, "start/end span the lookback in microseconds")
		assert.Equal(t, "10m0s", q.Get("lookback"))
		switch q.Get("service") {
		case "productpage.bookinfo":
			w.Write([]byte(jaegerTracesJSON))
		case "broken":
			w.Write([]byte(`{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage unavailable"}]}`))
		default:
			w.Write([]byte(`{"data":[],"total":0,"limit":0,"offset":0,"errors":null}`))
		}
	})
	mux.HandleFunc("GET /zipkin/api/v2/traces", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "600000", r.URL.Query().Get("lookback"), "Zipkin's lookback is in milliseconds")
		if r.URL.Query().Get("serviceName") == "productpage.bookinfo" {
			w.Write([]byte(zipkinTracesJSON))
			return
		}
		w.Write([]byte(`[]`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestTraceCheck(t *testing.T) {
	srv := traceServer(t)
	env := Env{Jaeger: StaticURL(srv.URL + "/jaeger"), Zipkin: StaticURL(srv.URL + "/zipkin")}
	tests := []struct {
		name  string
		spec  TraceSpec
		want  Status
		inObs string
		inMsg string
	}{
		{"jaeger traces", TraceSpec{Service: "productpage.bookinfo", MinTraces: 2}, StatusPass, "2 trace(s)", ""},
		{"jaeger too few", TraceSpec{Service: "productpage.bookinfo", MinTraces: 3}, StatusFail, "2 trace(s)", "has 2 matching trace(s)"},
		{"jaeger operation", TraceSpec{Service: "reviews.bookinfo", Operation: "reviews.bookinfo.svc.cluster.local:9080/*"}, StatusFail, "0 trace(s)", "Istio uses <app>.<namespace>"},
		{"jaeger operation of service", TraceSpec{Service: "productpage.bookinfo", Operation: "productpage.bookinfo.svc.cluster.local:9080/productpage", MinTraces: 2}, StatusPass, "", ""},
		{"jaeger none", TraceSpec{Service: "ratings.bookinfo"}, StatusFail, "0 trace(s)", "is tracing enabled"},
		{"jaeger error", TraceSpec{Service: "broken"}, StatusError, "", "storage unavailable"},
		{"zipkin traces", TraceSpec{Backend: BackendZipkin, Service: "productpage.bookinfo"}, StatusPass, "1 trace(s)", ""},
		{"zipkin none", TraceSpec{Backend: BackendZipkin, Service: "details.bookinfo"}, StatusFail, "0 trace(s)", "zipkin has 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			spec.Lookback = Duration{10 * time.Minute}
			res := Runner{Env: env}.RunOne(t.Context(), quick(Spec{Name: tt.name, Trace: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Observed, tt.inObs)
			assert.Contains(t, res.Message, tt.inMsg)
		})
	}
}

func TestTraceMissingBackend(t *testing.T) {
	res := Runner{}.RunOne(t.Context(), Spec{Name: "z", Trace: &TraceSpec{Backend: BackendZipkin, Service: "s"}})
	assert.Equal(t, StatusError, res.Status)
	assert.Contains(t, res.Message, "--zipkin-url")
	assert.ErrorContains(t, (&TraceSpec{Backend: "tempo", Service: "s"}).validate(), `backend "tempo"`)
}

// TestTraceHintNamesInstalledService: without a URL, the hint names the
// Service and port labctl installs (the dashboards `labctl open` reaches).
func TestTraceHintNamesInstalledService(t *testing.T) {
	for _, d := range portforward.Dashboards() {
		if d.Name != BackendJaeger && d.Name != BackendZipkin {
			continue
		}
		_, err := newTraceProber(&TraceSpec{Backend: d.Name, Service: "productpage.bookinfo"}, &Env{})
		require.Error(t, err, d.Name)
		assert.Contains(t, err.Error(), fmt.Sprintf("port-forward to %s.%s:%d", d.Service, d.Namespace, d.Port), d.Name)
		assert.Contains(t, err.Error(), "labctl open "+d.Name)
	}
}
