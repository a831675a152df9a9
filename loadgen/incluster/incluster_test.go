package incluster

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/classify"
)

func TestFortioArgs(t *testing.T) {
	h := http.Header{"End-User": {"jason"}}
	tests := []struct {
		name string
		o    loadgen.Options
		want string
	}{
		{"circuit breaking", loadgen.Options{URL: "http://httpbin:8000/get", Concurrency: 2, Requests: 20, Timeout: 3 * time.Second},
			"load -json - -access-log-file /dev/stderr -access-log-format json -allow-initial-errors -qps -1 -c 2 " +
				"-p 50,75,90,99,99.9 -r 0.0001 -timeout 3s -n 20 http://httpbin:8000/get"},
		{"rate, header, host, h2c", loadgen.Options{URL: "http://productpage:9080/productpage", RPS: 20, Duration: 30 * time.Second,
			Concurrency: 4, Timeout: time.Second, Header: h, Host: "bookinfo", H2C: true, Method: "post", Body: []byte("x")},
			"load -json - -access-log-file /dev/stderr -access-log-format json -allow-initial-errors -qps 20 -c 4 " +
				"-p 50,75,90,99,99.9 -r 0.0001 -timeout 1s -t 30s -X POST -payload x -h2 -H Host: bookinfo -H End-User: jason " +
				"http://productpage:9080/productpage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, strings.Join(fortioArgs(tt.o), " "))
		})
	}
}

func TestParseLog(t *testing.T) {
	f, err := os.Open("testdata/fortio-pod.log")
	require.NoError(t, err)
	defer f.Close()
	p, err := parseLog(f)
	require.NoError(t, err)
	assert.Len(t, p.samples, 40)
	assert.Equal(t, 503, p.samples[3].Code)
	r, err := loadgen.ReadJSON(strings.NewReader(string(p.result)))
	require.NoError(t, err)
	assert.Equal(t, map[int]int64{200: 30, 503: 10}, r.RetCodes)
}

// fakeCluster stands in for the Job controller and kubelet: when the Job is
// created it creates its pod, then, once the pod is watched, moves the
// fortio container through the given states, so the watch sees each one.
func fakeCluster(t *testing.T, states ...corev1.ContainerState) *fake.Clientset {
	t.Helper()
	client := fake.NewClientset()
	watching := make(chan struct{})
	var once sync.Once
	client.PrependWatchReactor("pods", func(a k8stesting.Action) (bool, watch.Interface, error) {
		w, err := client.Tracker().Watch(a.GetResource(), a.GetNamespace())
		once.Do(func() { close(watching) })
		return true, w, err
	})
	client.PrependReactor("create", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		j := a.(k8stesting.CreateAction).GetObject().(*batchv1.Job)
		go func() {
			ctx := context.Background()
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: j.Name + "-abcde", Namespace: j.Namespace,
				Labels: map[string]string{"job-name": j.Name}}, Spec: j.Spec.Template.Spec,
				Status: corev1.PodStatus{Phase: corev1.PodPending}}
			pod, err := client.CoreV1().Pods(j.Namespace).Create(ctx, pod, metav1.CreateOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			<-watching
			for _, st := range states {
				pod.Status.Phase = corev1.PodRunning
				pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: Container, State: st}}
				if pod, err = client.CoreV1().Pods(j.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		return false, nil, nil
	})
	return client
}

var (
	running    = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	terminated = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}
	pullError  = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "no route to registry"}}
)

func fileLogs(path string) func(context.Context, string, string) (io.ReadCloser, error) {
	return func(context.Context, string, string) (io.ReadCloser, error) { return os.Open(path) }
}

func TestRunCompletes(t *testing.T) {
	client := fakeCluster(t, running, terminated)
	var msgs []string
	res, err := Run(context.Background(), client, Options{
		Namespace: "default", Load: loadgen.Options{URL: "http://httpbin:8000/get", RPS: 8, Duration: 5 * time.Second, Concurrency: 2},
		Logs: fileLogs("testdata/fortio-pod.log"), Status: func(s string) { msgs = append(msgs, s) },
	})
	require.NoError(t, err)
	assert.Equal(t, map[int]int64{200: 30, 503: 10}, res.RetCodes)
	assert.EqualValues(t, 40, res.Count())
	assert.Equal(t, "fortio", res.Labctl.Source)
	assert.Len(t, res.Labctl.Series, 5, "time series rebuilt from the access log")
	assert.Contains(t, strings.Join(msgs, "\n"), "fortio running in pod default/labctl-load-")

	jobs, err := client.BatchV1().Jobs("default").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, jobs.Items, "the Job is deleted after the run")

	// What the Job looked like: fortio image, sidecar-friendly annotations.
	var created *batchv1.Job
	for _, a := range client.Actions() {
		if c, ok := a.(k8stesting.CreateAction); ok && a.GetResource().Resource == "jobs" {
			created = c.GetObject().(*batchv1.Job)
		}
	}
	require.NotNil(t, created)
	pod := created.Spec.Template
	assert.Equal(t, DefaultImage, pod.Spec.Containers[0].Image)
	assert.Equal(t, "true", pod.Annotations["sidecar.istio.io/nativeSidecar"])
	assert.Equal(t, corev1.RestartPolicyNever, pod.Spec.RestartPolicy)
}

func TestRunImagePullError(t *testing.T) {
	client := fakeCluster(t, pullError)
	_, err := Run(context.Background(), client, Options{Namespace: "lab", Load: loadgen.Options{URL: "http://httpbin:8000/get"},
		Logs: fileLogs("testdata/fortio-pod.log")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ErrImagePull")
	assert.Contains(t, err.Error(), "--image")
}

func TestRunTimeout(t *testing.T) {
	client := fakeCluster(t, running) // never terminates
	o := Options{Namespace: "lab", Load: loadgen.Options{URL: "http://x:80/", Requests: 1, RPS: 1000, Timeout: 50 * time.Millisecond},
		StartTimeout: 50 * time.Millisecond, Logs: fileLogs("testdata/fortio-pod.log")}
	_, err := Run(context.Background(), client, o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not finish within")
	assert.Contains(t, err.Error(), "last seen: fortio running")
}

func TestRunInterruptedGivesPartialResult(t *testing.T) {
	client := fakeCluster(t, running)
	ctx, cancel := context.WithCancel(context.Background())
	partial := func(context.Context, string, string) (io.ReadCloser, error) {
		b, err := os.ReadFile("testdata/fortio-pod.log")
		if err != nil {
			return nil, err
		}
		lines := strings.Split(string(b), "\n")
		return io.NopCloser(strings.NewReader(strings.Join(lines[:21], "\n"))), nil // access log only, no JSON yet
	}
	time.AfterFunc(200*time.Millisecond, cancel)
	res, err := Run(ctx, client, Options{Namespace: "default", Load: loadgen.Options{URL: "http://httpbin:8000/get", RPS: 8},
		Logs: partial})
	require.NoError(t, err)
	assert.True(t, res.Labctl.Interrupted)
	assert.EqualValues(t, 20, res.Count())
	assert.Contains(t, res.Labctl.Warnings[0], "interrupted")
}

func TestFakeLogsWithoutResult(t *testing.T) {
	// The fake clientset's pod log is a fixed "fake logs" text: the API path
	// works, and a log without fortio's JSON is reported as such.
	client := fakeCluster(t, running, terminated)
	_, err := Run(context.Background(), client, Options{Namespace: "default", Load: loadgen.Options{URL: "http://httpbin:8000/get", Requests: 5}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "without fortio's JSON result")
}

func TestOptionsErrors(t *testing.T) {
	c, _ := classify.Builtin(classify.BookinfoReviews)
	for _, o := range []Options{
		{Namespace: "x"},
		{Namespace: "x", Load: loadgen.Options{URL: "http://a/", Classifier: c}},
		{Load: loadgen.Options{URL: "http://a/"}},
	} {
		_, err := Run(context.Background(), fake.NewClientset(), o)
		require.Error(t, err)
	}
}
