package engine

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/incluster"
)

// seen is what a local app received.
type seen struct {
	mu       sync.Mutex
	requests []string // "Host path end-user"
}

func (s *seen) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.requests...)
}

// localApp is an app on this machine that answers 200, and 503 to every
// third request.
func localApp(t *testing.T) (*httptest.Server, *seen) {
	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.mu.Lock()
		got.requests = append(got.requests, r.Host+" "+r.URL.Path+" "+r.Header.Get("end-user"))
		n := len(got.requests)
		got.mu.Unlock()
		if n%3 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func loadSession(env *state.Environment, kc *fake.Clientset, load LoadFunc) *session {
	return &session{e: &Engine{Load: load}, env: env, c: &Cluster{Kube: kc}}
}

func httpbinEnv(ingress string, simulated bool) *state.Environment {
	return &state.Environment{Name: "e", IngressURL: ingress, Simulated: simulated,
		Apps: []state.App{{Name: "httpbin", Namespace: "httpbin", Host: "httpbin.example", Path: "/get"}}}
}

func loadAction(a labs.LoadAction) []labs.Action { return []labs.Action{{Load: &a}} }

// TestLoadThroughTheIngress runs the real load generator against a local
// server standing in for the ingress: the app's Host header, the path and
// the headers arrive, and the result is data.
func TestLoadThroughTheIngress(t *testing.T) {
	srv, got := localApp(t)
	s := loadSession(httpbinEnv(srv.URL, false), fake.NewClientset(), nil)
	res, err := s.runActions(context.Background(), "step 1", loadAction(labs.LoadAction{Target: "httpbin/status",
		Requests: 6, Connections: 2, Headers: map[string]string{"end-user": "jason"}}))
	require.NoError(t, err)
	require.Len(t, res, 1)
	r := res[0]
	require.Equal(t, "load httpbin/status", r.Action)
	require.Equal(t, ActionDone, r.Status)
	require.NotNil(t, r.Load)
	require.Equal(t, LoadIngress, r.Load.Mode)
	require.Equal(t, srv.URL+"/status", r.Load.URL)
	require.Equal(t, "httpbin.example", r.Load.Host)
	require.Equal(t, int64(6), r.Load.Requests)
	require.Equal(t, map[int]int64{200: 4, 503: 2}, r.Load.Codes)
	require.Equal(t, int64(4), r.Load.OK())
	require.Equal(t, "200×4 503×2", r.Load.CodesText())
	require.Positive(t, r.Load.RPS)
	require.Positive(t, r.Load.P99)
	reqs := got.list()
	require.Len(t, reqs, 6)
	for _, q := range reqs {
		require.Equal(t, "httpbin.example /status jason", q)
	}
}

func TestLoadOnASimulatedClusterIsSkippedAndSendsNothing(t *testing.T) {
	srv, got := localApp(t)
	for _, ingress := range []string{srv.URL, ""} {
		s := loadSession(httpbinEnv(ingress, true), fake.NewClientset(), func(context.Context, LoadRun) (*loadgen.Result, error) {
			t.Fatal("no load runs on a simulated cluster")
			return nil, nil
		})
		res, err := s.runActions(context.Background(), "step 1", loadAction(labs.LoadAction{Target: "httpbin", Requests: 3}))
		require.NoError(t, err)
		require.Equal(t, []ActionResult{{Action: "load httpbin", Status: ActionSkipped, Reason: SkipLoadSimulated, Seconds: res[0].Seconds}}, res)
		require.Contains(t, res[0].Reason, "no load was sent")
	}
	require.Empty(t, got.list())

	// The target is still resolved, so a wrong app fails in CI too.
	s := loadSession(httpbinEnv(srv.URL, true), fake.NewClientset(), nil)
	_, err := s.runActions(context.Background(), "step 2 (x) solution", loadAction(labs.LoadAction{Target: "productpage"}))
	require.EqualError(t, err, `step 2 (x) solution, action 1 (load productpage): environment "e": no app "productpage" (apps: httpbin)`)
}

func TestExecOnASimulatedClusterIsSkipped(t *testing.T) {
	s := loadSession(httpbinEnv("", true), fake.NewClientset(), nil)
	res, err := s.runActions(context.Background(), "step 1", []labs.Action{{Exec: &labs.ExecAction{Namespace: "httpbin", Pod: "p", Command: []string{"true"}}}})
	require.NoError(t, err)
	require.Equal(t, ActionSkipped, res[0].Status)
	require.Equal(t, SkipExecSimulated, res[0].Reason)
}

// TestLoadInCluster: the target becomes the app's Service (its http port)
// in cluster DNS, and the Job runs in the app's namespace.
func TestLoadInCluster(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "httpbin", Namespace: "httpbin"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "admin", Port: 9000}, {Name: "http", Port: 8000}}}}
	kc := fake.NewClientset(svc)
	var run LoadRun
	stop := errors.New("the runner was reached")
	s := loadSession(httpbinEnv("http://127.0.0.1:1", false), kc, func(_ context.Context, r LoadRun) (*loadgen.Result, error) {
		run = r
		return nil, stop
	})
	_, err := s.runActions(context.Background(), "step 1", loadAction(labs.LoadAction{Target: "httpbin", InCluster: true, RPS: 5, Duration: labs.Duration{Duration: 2 * time.Second}}))
	require.ErrorIs(t, err, stop)
	require.Equal(t, LoadInCluster, run.Mode)
	require.Equal(t, "httpbin", run.Namespace)
	require.Equal(t, "http://httpbin.httpbin.svc.cluster.local:8000/get", run.Options.URL)
	require.Empty(t, run.Options.Host, "in the cluster the Service name is the host")
	require.Equal(t, 5.0, run.Options.RPS)
	require.Equal(t, 2*time.Second, run.Options.Duration)
	require.Equal(t, 1, run.Options.Concurrency)
	require.Same(t, kc, run.Kube)

	s = loadSession(httpbinEnv("", false), fake.NewClientset(), nil)
	_, err = s.runActions(context.Background(), "step 1", loadAction(labs.LoadAction{Target: "httpbin", InCluster: true}))
	require.ErrorContains(t, err, "no Service httpbin/httpbin to send in-cluster load to")
}

func TestLoadWithoutAnyURLSaysSo(t *testing.T) {
	s := loadSession(httpbinEnv("", false), fake.NewClientset(), nil)
	_, err := s.runActions(context.Background(), "step 1", loadAction(labs.LoadAction{Target: "httpbin"}))
	require.ErrorContains(t, err, "no URL: the app has none and the environment has no ingress URL")
}

func TestLoadBound(t *testing.T) {
	to := loadgen.DefaultTimeout
	tests := []struct {
		name string
		run  LoadRun
		want time.Duration
	}{
		{"a duration", LoadRun{Options: loadgen.Options{Duration: 30 * time.Second, Timeout: to}}, 30*time.Second + to},
		{"requests at a rate", LoadRun{Options: loadgen.Options{Requests: 40, RPS: 20, Timeout: to}}, 2*time.Second + to},
		{"requests at full speed", LoadRun{Options: loadgen.Options{Requests: 40, Timeout: to}}, labs.MaxLoadDuration + to},
		{"never past the maximum", LoadRun{Options: loadgen.Options{Duration: time.Hour, Timeout: to}}, labs.MaxLoadDuration + to},
		{"in the cluster the Job starts first", LoadRun{Mode: LoadInCluster, Options: loadgen.Options{Duration: time.Second, Timeout: to}},
			time.Second + to + incluster.DefaultStartTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, loadBound(tt.run))
		})
	}
}

func TestLoadIsCancelledWithTheOperation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := loadSession(httpbinEnv("http://127.0.0.1:1", false), fake.NewClientset(), func(ctx context.Context, _ LoadRun) (*loadgen.Result, error) {
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	})
	_, err := s.runActions(ctx, "step 1", loadAction(labs.LoadAction{Target: "httpbin"}))
	require.ErrorIs(t, err, context.Canceled)
	require.True(t, strings.HasPrefix(err.Error(), "step 1, action 1 (load httpbin): load http://127.0.0.1:1/get: "), err.Error())
}
