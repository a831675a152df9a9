package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// productpage serves like Bookinfo behind an ingress: it answers only for
// its Host, fails every failEvery-th request with 503, and delays answers.
func productpage(t *testing.T, failEvery int64, delay time.Duration) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "bookinfo.example" {
			http.NotFound(w, r)
			return
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if i := n.Add(1); failEvery > 0 && i%failEvery == 0 {
			http.Error(w, "no healthy upstream", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("X-Version", "v1")
		fmt.Fprint(w, "<html><h4>Book Reviews</h4> user: "+r.Header.Get("end-user")+"</html>")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ingressEnv(url string) Env {
	return Env{Ingress: url, Apps: map[string]App{"productpage": {Host: "bookinfo.example", Path: "/productpage"}}}
}

func TestHTTPCheck(t *testing.T) {
	p80, p100 := 0.8, 1.0
	tests := []struct {
		name      string
		failEvery int64
		delay     time.Duration
		spec      HTTPSpec
		want      Status
		inMsg     string
		inObs     string
	}{
		{"ingress with app host", 0, 0, HTTPSpec{Target: Target{App: "productpage"},
			Expect: HTTPExpect{BodyContains: []string{"Book Reviews"}}}, StatusPass, "", "1/1 good; 200×1"},
		{"wrong host is a 404", 0, 0, HTTPSpec{Target: Target{App: "productpage", Host: "other.example"}},
			StatusFail, "1 of 1 request(s) to app productpage", "404×1"},
		{"headers and body regex", 0, 0, HTTPSpec{Target: Target{App: "productpage", Headers: map[string]string{"end-user": "jason"}},
			Expect: HTTPExpect{BodyRegex: `user: jason`, Headers: map[string]string{"X-Version": "^v1$"}}}, StatusPass, "", ""},
		{"header mismatch", 0, 0, HTTPSpec{Target: Target{App: "productpage"},
			Expect: HTTPExpect{Headers: map[string]string{"X-Version": "^v2$"}}}, StatusFail, `header X-Version is "v1", want /^v2$/`, ""},
		{"body lacks", 0, 0, HTTPSpec{Target: Target{App: "productpage"},
			Expect: HTTPExpect{BodyNotContains: []string{"Book"}}}, StatusFail, `body contains "Book"`, ""},
		{"success share met", 5, 0, HTTPSpec{Target: Target{App: "productpage"}, Requests: 10, MinSuccess: &p80},
			StatusPass, "", "8/10 good"},
		{"success share missed", 5, 0, HTTPSpec{Target: Target{App: "productpage"}, Requests: 10, MinSuccess: &p100},
			StatusFail, "2 of 10 request(s)", "503×2"},
		{"latency bound", 0, 30 * time.Millisecond, HTTPSpec{Target: Target{App: "productpage"}, Requests: 4,
			Expect: HTTPExpect{Latency: &LatencyBound{Percentile: 99, Max: Duration{5 * time.Millisecond}}}},
			StatusFail, "p99 latency", "p99"},
		{"injected delay seen", 0, 30 * time.Millisecond, HTTPSpec{Target: Target{App: "productpage"}, Requests: 4,
			Expect: HTTPExpect{Latency: &LatencyBound{Percentile: 50, Min: Duration{25 * time.Millisecond}}}},
			StatusPass, "", ""},
		{"request timeout", 0, time.Second, HTTPSpec{Target: Target{App: "productpage", RequestTimeout: Duration{50 * time.Millisecond}}},
			StatusFail, "request failed", "error×1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := productpage(t, tt.failEvery, tt.delay)
			spec := tt.spec
			res := Runner{Env: ingressEnv(srv.URL)}.RunOne(t.Context(), quick(Spec{Name: tt.name, HTTP: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.inMsg)
			assert.Contains(t, res.Observed, tt.inObs)
		})
	}
}

func TestHTTPExpectFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens: connection refused, as a rejected client sees it
	res := Runner{}.RunOne(t.Context(), quick(Spec{Name: "refused", HTTP: &HTTPSpec{Target: Target{URL: url}, Expect: HTTPExpect{Failure: true}}}))
	assert.Equal(t, StatusPass, res.Status, res.Message)

	live := productpage(t, 0, 0)
	res = Runner{}.RunOne(t.Context(), quick(Spec{Name: "accepted", HTTP: &HTTPSpec{Target: Target{URL: live.URL}, Expect: HTTPExpect{Failure: true}}}))
	assert.Equal(t, StatusFail, res.Status)
	assert.Contains(t, res.Message, "request succeeded with status 404")
}

func TestHTTPPortForward(t *testing.T) {
	srv := productpage(t, 0, 0)
	var opened, stopped atomic.Int32
	env := Env{PortForward: func(_ context.Context, ns, target string, port int) (string, func(), error) {
		assert.Equal(t, []any{"bookinfo", "productpage", 9080}, []any{ns, target, port})
		opened.Add(1)
		return srv.URL, func() { stopped.Add(1) }, nil
	}}
	spec := HTTPSpec{Target: Target{PortForward: &ForwardTarget{Namespace: "bookinfo", Service: "productpage", Port: 9080},
		Path: "/productpage", Host: "bookinfo.example"}, Requests: 5}
	res := Runner{Env: env}.RunOne(t.Context(), quick(Spec{Name: "pf", HTTP: &spec}))
	assert.Equal(t, StatusPass, res.Status, res.Message)
	assert.Equal(t, int32(1), opened.Load(), "one forward per check")
	assert.Equal(t, int32(1), stopped.Load(), "the forward is closed when the check ends")

	res = Runner{}.RunOne(t.Context(), quick(Spec{Name: "pf", HTTP: &spec}))
	assert.Equal(t, StatusError, res.Status)
	assert.Contains(t, res.Message, "port-forwarding is not configured")
}

func TestHTTPInterrupted(t *testing.T) {
	srv := productpage(t, 0, time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	res := Runner{Env: ingressEnv(srv.URL)}.RunOne(ctx, Spec{Name: "slow", HTTP: &HTTPSpec{Target: Target{App: "productpage"}}})
	assert.Equal(t, StatusError, res.Status)
	assert.Equal(t, Interrupted, res.Message)
}

// recordingExec answers every command with a canned result.
type recordingExec struct {
	req ExecRequest
	res ExecResult
}

func (r *recordingExec) Exec(_ context.Context, req ExecRequest) (ExecResult, error) {
	r.req = req
	return r.res, nil
}

func readyPod(name, ns string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

func TestHTTPFromPod(t *testing.T) {
	kube := fake.NewClientset(readyPod("sleep-1", "legacy", map[string]string{"app": "sleep"}))
	tests := []struct {
		name string
		res  ExecResult
		spec HTTPExpect
		want Status
		msg  string
	}{
		{"ok", ExecResult{Stdout: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nBook Reviews\n__LABCTL_TIME_TOTAL__=0.012"},
			HTTPExpect{BodyContains: []string{"Book Reviews"}}, StatusPass, ""},
		{"strict mTLS resets plain text", ExecResult{ExitCode: 56, Stderr: "curl: (56) Recv failure: Connection reset by peer"},
			HTTPExpect{Failure: true}, StatusPass, ""},
		{"reset is a failure when 200 is wanted", ExecResult{ExitCode: 56, Stderr: "curl: (56) Recv failure: Connection reset by peer"},
			HTTPExpect{}, StatusFail, "curl exit code 56: curl: (56) Recv failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &recordingExec{res: tt.res}
			spec := HTTPSpec{Target: Target{From: &PodRef{Namespace: "legacy", Selector: "app=sleep", Container: "sleep"},
				URL: "http://productpage.bookinfo:9080/productpage", Headers: map[string]string{"end-user": "jason"}}, Expect: tt.spec}
			res := Runner{Env: Env{Kube: kube, Exec: ex}}.RunOne(t.Context(), quick(Spec{Name: tt.name, HTTP: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.msg)
			assert.Equal(t, ExecRequest{Namespace: "legacy", Pod: "sleep-1", Container: "sleep", Command: []string{
				"curl", "-sS", "-i", "--http1.1", "--max-time", "10", "-X", "GET", "-H", "end-user: jason",
				"-w", `\n__LABCTL_TIME_TOTAL__=%{time_total}`, "http://productpage.bookinfo:9080/productpage"}}, ex.req)
		})
	}
}

func TestParseCurl(t *testing.T) {
	r := parseCurl(ExecResult{Stdout: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-A: b\r\n\r\nRBAC: access denied\n__LABCTL_TIME_TOTAL__=0.250"}, time.Second)
	require.NoError(t, r.err)
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "b", r.header.Get("X-A"))
	assert.Equal(t, "RBAC: access denied", string(r.body))
	assert.Equal(t, 250*time.Millisecond, r.latency)

	r = parseCurl(ExecResult{Stdout: "garbage"}, time.Second)
	require.Error(t, r.err)
	assert.True(t, strings.Contains(r.err.Error(), "no HTTP status line"))
}
