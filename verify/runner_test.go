package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// script is a prober that replays outcomes: "pass", "fail", "err", "perm",
// or "block" (waits for the context to end).
type script struct {
	steps []string
	n     atomic.Int32
}

func (s *script) probe(ctx context.Context) (attempt, error) {
	i := int(s.n.Add(1)) - 1
	step := s.steps[min(i, len(s.steps)-1)]
	obs := attempt{observed: "value " + step, expected: "pass"}
	switch step {
	case "pass":
		obs.pass = true
		return obs, nil
	case "fail":
		obs.message = "not yet"
		return obs, nil
	case "err":
		return attempt{}, errors.New("api unreachable")
	case "perm":
		return attempt{}, permanent(errors.New("cannot work"))
	case "limiter":
		return attempt{}, errors.New("client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline")
	}
	<-ctx.Done()
	return attempt{}, ctx.Err()
}

func TestPoll(t *testing.T) {
	tests := []struct {
		name      string
		steps     []string
		successes int
		limit     int
		timeout   time.Duration
		want      Status
		attempts  int
		message   string
	}{
		{"passes after failures", []string{"fail", "fail", "pass"}, 1, 0, time.Second, StatusPass, 3, ""},
		{"needs consecutive successes", []string{"pass", "fail", "pass", "pass"}, 2, 0, time.Second, StatusPass, 4, ""},
		{"fails at timeout with last observation", []string{"fail"}, 1, 0, 50 * time.Millisecond, StatusFail, 0, "not yet (after"},
		{"streak cut by timeout", []string{"pass", "pass", "fail", "pass", "block"}, 5, 0, 50 * time.Millisecond, StatusFail, 4, "passed only 1 of 5"},
		{"unreachable API is an error", []string{"err"}, 1, 0, 50 * time.Millisecond, StatusError, 0, "api unreachable"},
		{"permanent error stops at once", []string{"perm", "pass"}, 1, 0, time.Second, StatusError, 1, "cannot work"},
		{"attempt limit", []string{"fail", "fail", "fail", "pass"}, 1, 2, time.Second, StatusFail, 2, "after 2 attempt(s)"},
		{"first attempt outlives the timeout", []string{"block"}, 1, 0, 50 * time.Millisecond, StatusError, 1, "first attempt did not finish"},
		{"rate limiter at the deadline keeps the last observation", []string{"fail", "limiter"}, 1, 0, 50 * time.Millisecond, StatusFail, 1, "not yet"},
		{"recovered error then fail", []string{"err", "fail"}, 1, 0, 50 * time.Millisecond, StatusFail, 0, "not yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			st := poll(t.Context(), &script{steps: tt.steps}, tt.timeout, 5*time.Millisecond, tt.successes, tt.limit, &res)
			assert.Equal(t, tt.want, st, res.Message)
			if tt.attempts > 0 {
				assert.Equal(t, tt.attempts, res.Attempts)
			}
			assert.Contains(t, res.Message, tt.message)
			if tt.want == StatusFail {
				assert.NotEmpty(t, res.Observed, "a failure keeps the last observed value")
			}
		})
	}
}

func TestPollInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	var res Result
	st := poll(ctx, &script{steps: []string{"fail", "block"}}, time.Hour, 10*time.Millisecond, 1, 0, &res)
	assert.Equal(t, StatusError, st)
	assert.Equal(t, Interrupted, res.Message)
}

func TestRunnerSimulatedAndValidation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("a simulated cluster must not send data-plane requests")
	}))
	defer srv.Close()
	one := 1
	kube := fake.NewClientset(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "apps", Labels: map[string]string{"app": "web"}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web"}}},
	})
	r := Runner{Env: Env{Kube: kube, Simulated: true}}
	var started, finished []string
	r.OnStart = func(s Spec) { started = append(started, s.Name) }
	r.OnResult = func(res Result) { finished = append(finished, res.Name) }
	rep := r.Run(t.Context(), []Spec{
		{Name: "web", Pods: &PodsSpec{Namespace: "apps", Selector: "app=web", Count: &one}},
		{Name: "http", HTTP: &HTTPSpec{Target: Target{URL: srv.URL}}},
		{Name: "prom", PromQL: &PromQLSpec{Query: "up", Op: ">", Value: new(float64)}},
		{Name: "bad", Pods: &PodsSpec{}, HTTP: &HTTPSpec{}},
	})
	require.Len(t, rep.Results, 4)
	assert.Equal(t, StatusPass, rep.Results[0].Status)
	for _, i := range []int{1, 2} {
		assert.Equal(t, StatusSkipped, rep.Results[i].Status)
		assert.Equal(t, SkipSimulated, rep.Results[i].Reason)
	}
	assert.Equal(t, StatusError, rep.Results[3].Status)
	assert.Contains(t, rep.Results[3].Message, "several check types")
	assert.Equal(t, Counts{Pass: 1, Skipped: 2, Error: 1}, rep.Counts)
	assert.False(t, rep.Passed)
	assert.Equal(t, []string{"web", "http", "prom", "bad"}, started)
	assert.Equal(t, started, finished)
}

func TestRunnerMissingEndpoint(t *testing.T) {
	res := Runner{}.RunOne(t.Context(), Spec{Name: "p", PromQL: &PromQLSpec{Query: "up", Op: ">", Value: new(float64)}})
	assert.Equal(t, StatusError, res.Status)
	assert.Contains(t, res.Message, "--prometheus-url")
	assert.Equal(t, 0, res.Attempts)
}

func TestRunnerCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep := Runner{}.Run(ctx, []Spec{{Name: "x", HTTP: &HTTPSpec{Target: Target{URL: "http://127.0.0.1:1"}}}})
	assert.Equal(t, StatusError, rep.Results[0].Status)
	assert.Equal(t, Interrupted, rep.Results[0].Message)
}

func TestSettings(t *testing.T) {
	s := Spec{Name: "x", HTTP: &HTTPSpec{}}
	to, iv, n := s.settings()
	assert.Equal(t, []any{DefaultTimeout, DefaultInterval, 1}, []any{to, iv, n})
	s = Spec{Name: "x", Timeout: Duration{time.Second}, Successes: 3, HTTP: &HTTPSpec{}}
	to, iv, n = s.settings()
	assert.Equal(t, []any{time.Second, time.Second, 3}, []any{to, iv, n})
	split := Spec{Name: "s", Split: &SplitSpec{Weights: map[string]float64{"v1": 80, "v2": 10, "v3": 10}}}
	to, _, _ = split.settings()
	// 3 attempts × (ceil(736/0.95) requests at 20/s + 30s slack).
	assert.Equal(t, 3*(time.Duration(775.0/20*float64(time.Second))+30*time.Second), to)
}

// TestRunnerRedactsCredentials: a check URL carrying user:password@ and a
// token query parameter is never echoed in a result's text.
func TestRunnerRedactsCredentials(t *testing.T) {
	url := fmt.Sprintf("http://admin:s3cret@127.0.0.1:%d/x?token=t0ken", freePort(t))
	zero := 0.0
	specs := []Spec{
		{Name: "prom", Timeout: Duration{300 * time.Millisecond}, Interval: Duration{100 * time.Millisecond},
			PromQL: &PromQLSpec{Query: "up", Op: ">", Value: &zero}, Hint: "see " + url},
		{Name: "web", Timeout: Duration{300 * time.Millisecond}, Interval: Duration{100 * time.Millisecond},
			HTTP: &HTTPSpec{Target: Target{URL: url}}},
	}
	var seen []Result
	rep := Runner{Env: Env{Prometheus: StaticURL(url)}, OnResult: func(r Result) { seen = append(seen, r) }}.Run(t.Context(), specs)
	for _, r := range append(rep.Results, seen...) {
		txt := fmt.Sprintf("%+v", r)
		assert.NotContains(t, txt, "s3cret", r.Name)
		assert.NotContains(t, txt, "t0ken", r.Name)
	}
	assert.Contains(t, rep.Results[0].Message, "http://xxxxx@127.0.0.1")
}
