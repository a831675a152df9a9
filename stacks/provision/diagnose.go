package provision

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// timeoutDiagnose bounds the look at pods after a failure: the command has
// already failed, the diagnosis must not hang it further.
const timeoutDiagnose = 10 * time.Second

// Diagnose explains why pods in namespaces are not ready: image pulls
// failing (rate limits, no network, wrong registry), crash loops,
// unschedulable pods. It returns one line per problem, with the fix.
func Diagnose(ctx context.Context, kc kubernetes.Interface, namespaces []string) []string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeoutDiagnose)
	defer cancel()
	var out []string
	for _, ns := range namespaces {
		pods, err := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for _, p := range pods.Items {
			if line := podProblem(p); line != "" {
				out = append(out, fmt.Sprintf("pod %s/%s: %s", ns, p.Name, line))
			}
		}
	}
	sort.Strings(out)
	return out
}

func podProblem(p corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return fmt.Sprintf("cannot be scheduled (%s): the cluster lacks CPU or memory; give Docker more, or use the slim profile (--set apps[NAME].values.resources.profile=slim)", c.Message)
		}
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		w := cs.State.Waiting
		if w == nil {
			continue
		}
		switch w.Reason {
		case "ImagePullBackOff", "ErrImagePull":
			hint := "check the network and the image name; behind a slow or rate-limited connection use a registry mirror (--set cluster.registryMirror=URL)"
			if strings.Contains(w.Message, "toomanyrequests") || strings.Contains(w.Message, "rate limit") {
				hint = "Docker Hub rate limit reached: log in (docker login) or use a registry mirror (--set cluster.registryMirror=URL)"
			}
			return fmt.Sprintf("container %s cannot pull image %s (%s): %s", cs.Name, cs.Image, w.Reason, hint)
		case "CrashLoopBackOff":
			return fmt.Sprintf("container %s keeps crashing: see `kubectl logs -n %s %s -c %s --previous`", cs.Name, p.Namespace, p.Name, cs.Name)
		case "CreateContainerConfigError", "InvalidImageName":
			return fmt.Sprintf("container %s: %s: %s", cs.Name, w.Reason, w.Message)
		}
	}
	return ""
}
