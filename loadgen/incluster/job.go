package incluster

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/loadgen"
)

// DefaultImage is the fortio image of the load Job; the fortio library
// labctl builds on is the same release.
const DefaultImage = "fortio/fortio:1.75.3"

// Container is the name of the fortio container in the Job's pod.
const Container = "fortio"

// appLabel marks labctl's load Jobs.
const appLabel = "labctl-load"

// fortioArgs builds the `fortio load` command line for o. The JSON result
// goes to stdout, the access log (one JSON line per request) to stderr.
func fortioArgs(o loadgen.Options) []string {
	qps := "-1" // fortio: negative = max
	if o.RPS > 0 {
		qps = strconv.FormatFloat(o.RPS, 'f', -1, 64)
	}
	args := []string{"load", "-json", "-", "-access-log-file", "/dev/stderr", "-access-log-format", "json",
		"-allow-initial-errors", "-qps", qps, "-c", strconv.Itoa(o.Concurrency),
		"-p", "50,75,90,99,99.9", "-r", "0.0001", "-timeout", o.Timeout.String()}
	if o.Requests > 0 {
		args = append(args, "-n", strconv.FormatInt(o.Requests, 10))
	} else {
		args = append(args, "-t", o.Duration.String())
	}
	if o.Labels != "" {
		args = append(args, "-labels", o.Labels)
	}
	if o.Method != "" {
		args = append(args, "-X", strings.ToUpper(o.Method))
	}
	if len(o.Body) > 0 {
		args = append(args, "-payload", string(o.Body))
	}
	if o.H2C {
		args = append(args, "-h2")
	}
	if o.Host != "" {
		args = append(args, "-H", "Host: "+o.Host)
	}
	for name, values := range o.Header {
		for _, v := range values {
			args = append(args, "-H", name+": "+v)
		}
	}
	return append(args, o.URL)
}

// job returns the Job running fortio with args.
func job(name, namespace, image string, args []string, deadline time.Duration) *batchv1.Job {
	labels := map[string]string{"app": appLabel, "app.kubernetes.io/managed-by": "labctl"}
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels},
		Spec: batchv1.JobSpec{
			BackoffLimit:            ptr(int32(0)),
			ActiveDeadlineSeconds:   ptr(int64(deadline.Seconds()) + 1),
			TTLSecondsAfterFinished: ptr(int32(600)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels: labels,
					Annotations: map[string]string{
						// Start fortio only once the sidecar is ready, and run the
						// sidecar as a native sidecar where supported so the Job
						// can complete; labctl itself waits for the fortio
						// container, not for the Job.
						"proxy.istio.io/config":          `{"holdApplicationUntilProxyStarts": true}`,
						"sidecar.istio.io/nativeSidecar": "true",
					},
				},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:  Container,
						Image: image,
						Args:  args,
					}},
				},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// jobName makes a unique, valid Job name.
func jobName(now time.Time) string {
	return fmt.Sprintf("%s-%s", appLabel, strconv.FormatInt(now.UnixNano()%1e10, 36))
}
