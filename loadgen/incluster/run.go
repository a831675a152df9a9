package incluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/loadgen"
)

// DefaultStartTimeout bounds scheduling, image pull and sidecar start-up of
// the load pod, on top of the run itself.
const DefaultStartTimeout = 3 * time.Minute

// Bounds of the steps that still run after Ctrl-C (reading what fortio
// measured, deleting the Job). They do not hold the process: the caller's
// signal handling ends it at a second Ctrl-C, and the Job expires by itself.
const (
	logReadTimeout = 30 * time.Second
	cleanupTimeout = 10 * time.Second
)

// Options of an in-cluster run.
type Options struct {
	// Load describes the traffic; URL must be reachable from Namespace.
	// Classification and Progress are not available in-cluster.
	Load      loadgen.Options
	Namespace string
	Image     string // default DefaultImage
	// StartTimeout is added to the expected run time for the overall wait.
	StartTimeout time.Duration
	// Status, when set, receives one line per step.
	Status func(msg string)
	// Logs reads the fortio container's log; defaults to the pod log API.
	Logs func(ctx context.Context, namespace, pod string) (io.ReadCloser, error)
}

// Run creates the fortio Job, waits for fortio to finish, reads its results
// and deletes the Job. Cancelling ctx stops waiting and returns what the
// access log holds so far as an interrupted result.
func Run(ctx context.Context, client kubernetes.Interface, o Options) (*loadgen.Result, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	if o.Logs == nil {
		o.Logs = DefaultLogs(client)
	}
	name := jobName(time.Now())
	ref := o.Namespace + "/" + name
	wait := o.StartTimeout + o.expectedRunTime() + o.Load.Timeout
	j := job(name, o.Namespace, o.Image, fortioArgs(o.Load), wait)
	o.status("creating Job %s running %s", ref, o.Image)
	if _, err := client.BatchV1().Jobs(o.Namespace).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("create load Job %s: %w (does namespace %s exist, and may you create Jobs there?)", ref, err, o.Namespace)
	}
	defer o.cleanup(client, name)

	pod, waitErr := waitForFortio(ctx, client, o.Namespace, name, wait, o.status)
	interrupted := waitErr != nil && errors.Is(ctx.Err(), context.Canceled) // Ctrl-C, not a deadline
	if waitErr != nil && !interrupted {
		return nil, waitErr
	}
	if pod == "" {
		return nil, fmt.Errorf("load Job %s: interrupted before its pod started", ref)
	}
	o.status("reading results from pod %s/%s", o.Namespace, pod)
	logCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logReadTimeout)
	defer cancel()
	rc, err := o.Logs(logCtx, o.Namespace, pod)
	if err != nil {
		return nil, fmt.Errorf("read log of load pod %s/%s: %w", o.Namespace, pod, err)
	}
	defer rc.Close()
	parsed, err := parseLog(rc)
	if err != nil {
		return nil, fmt.Errorf("read log of load pod %s/%s: %w", o.Namespace, pod, err)
	}
	return o.result(parsed, interrupted, ref)
}

func (o *Options) normalize() error {
	l := &o.Load
	if l.URL == "" {
		return errors.New("in-cluster load needs a URL reachable from inside the cluster, e.g. http://httpbin.default:8000/get")
	}
	if err := l.ValidateTraffic(); err != nil {
		return err
	}
	if l.Classifier != nil {
		return errors.New("classification is not available in-cluster (fortio reports status codes only); run without --in-cluster to classify")
	}
	if o.Namespace == "" {
		return errors.New("in-cluster load needs a namespace (--from)")
	}
	if l.Concurrency <= 0 {
		l.Concurrency = loadgen.DefaultConcurrency
	}
	if l.Timeout <= 0 {
		l.Timeout = loadgen.DefaultTimeout
	}
	if l.Requests == 0 && l.Duration <= 0 {
		l.Duration = loadgen.DefaultDuration
	}
	if o.Image == "" {
		o.Image = DefaultImage
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultStartTimeout
	}
	if o.Status == nil {
		o.Status = func(string) {}
	}
	return nil
}

// expectedRunTime is how long fortio should run.
func (o *Options) expectedRunTime() time.Duration {
	l := o.Load
	switch {
	case l.Requests == 0:
		return l.Duration
	case l.RPS > 0:
		return time.Duration(float64(l.Requests) / l.RPS * float64(time.Second))
	}
	// As fast as possible: bounded by every request timing out.
	per := (l.Requests + int64(l.Concurrency) - 1) / int64(l.Concurrency)
	return min(time.Duration(per)*l.Timeout, 30*time.Minute)
}

func (o *Options) status(format string, args ...any) { o.Status(fmt.Sprintf(format, args...)) }

func (o *Options) cleanup(client kubernetes.Interface, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	o.status("deleting load Job %s/%s (Ctrl-C leaves it; it expires 10 minutes after it finishes)", o.Namespace, name)
	bg := metav1.DeletePropagationBackground
	if err := client.BatchV1().Jobs(o.Namespace).Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil {
		o.status("could not delete load Job %s/%s: %v (delete it by hand; it expires after 10 minutes)", o.Namespace, name, err)
	}
}

func (o *Options) result(p parsedLog, interrupted bool, ref string) (*loadgen.Result, error) {
	fromLog := loadgen.FromSamples(o.Load, p.samples, 0)
	if p.result == nil {
		if !interrupted {
			return nil, fmt.Errorf("load Job %s finished without fortio's JSON result; see `kubectl logs -n %s job/%s` "+
				"before it expires (fortio may have rejected an option or the URL)", ref, o.Namespace, ref[len(o.Namespace)+1:])
		}
		fromLog.Labctl.Interrupted = true
		fromLog.Labctl.Warnings = append([]string{fmt.Sprintf("interrupted: partial results of %d requests from the access log of %s",
			fromLog.Count(), ref)}, fromLog.Labctl.Warnings...)
		fromLog.Labctl.Source = "fortio"
		return fromLog, nil
	}
	res, err := loadgen.ReadJSON(bytes.NewReader(p.result))
	if err != nil {
		return nil, fmt.Errorf("load Job %s: %w", ref, err)
	}
	res.Labctl.Source = "fortio"
	res.Labctl.TargetRPS = o.Load.RPS
	res.Labctl.Interval = fromLog.Labctl.Interval
	res.Labctl.Series = fromLog.Labctl.Series
	res.Labctl.SocketErrors = fromLog.Labctl.SocketErrors
	res.Labctl.Warnings = fromLog.Labctl.Warnings
	if res.Labels == "" {
		res.Labels = "in-cluster " + ref
	}
	return res, nil
}

// DefaultLogs reads the fortio container's log through the API server.
func DefaultLogs(client kubernetes.Interface) func(ctx context.Context, namespace, pod string) (io.ReadCloser, error) {
	return func(ctx context.Context, namespace, pod string) (io.ReadCloser, error) {
		return client.CoreV1().Pods(namespace).GetLogs(pod, &corev1.PodLogOptions{Container: Container}).Stream(ctx)
	}
}

// waitForFortio watches the Job's pod until the fortio container has
// terminated and returns the pod name. The sidecar may keep the pod (and the
// Job) running, so the container state is what counts.
func waitForFortio(ctx context.Context, client kubernetes.Interface, ns, job string, timeout time.Duration,
	status func(string, ...any),
) (string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("load Job %s/%s did not finish within %s", ns, job, timeout))
	defer cancel()
	pods := client.CoreV1().Pods(ns)
	sel := metav1.ListOptions{LabelSelector: "job-name=" + job}
	var w watcher
	w.status = status
	for {
		list, err := pods.List(ctx, sel)
		if err != nil {
			return w.pod, w.fail(ctx, fmt.Errorf("list pods of load Job %s/%s: %w", ns, job, err))
		}
		for i := range list.Items {
			if done, err := w.check(&list.Items[i]); done || err != nil {
				return w.pod, err
			}
		}
		opts := sel
		opts.ResourceVersion = list.ResourceVersion
		wi, err := pods.Watch(ctx, opts)
		if err != nil {
			return w.pod, w.fail(ctx, fmt.Errorf("watch pods of load Job %s/%s: %w", ns, job, err))
		}
		done, err := w.follow(ctx, wi)
		wi.Stop()
		if done || err != nil {
			return w.pod, err
		}
		if ctx.Err() != nil {
			return w.pod, w.fail(ctx, ctx.Err())
		}
	}
}

// follow handles watch events until fortio is done, the watch ends (false,
// nil: list again) or ctx is done.
func (w *watcher) follow(ctx context.Context, wi watch.Interface) (bool, error) {
	for {
		select {
		case <-ctx.Done():
			return false, w.fail(ctx, ctx.Err())
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return false, nil
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			if !isPod || ev.Type == watch.Deleted {
				continue
			}
			if done, err := w.check(pod); done || err != nil {
				return done, err
			}
		}
	}
}
