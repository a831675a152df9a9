package portforward

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
)

// ReadyPodTimeout bounds how long Start waits for a Ready pod behind a Service
// (a dashboard that was just installed may still be starting).
const ReadyPodTimeout = 60 * time.Second

// readyPodPoll is the interval between two looks at the Service's pods.
const readyPodPoll = 500 * time.Millisecond

// Backend is the pod and pod port a Service port leads to.
type Backend struct {
	Pod         string
	PodPort     int32
	ServicePort int32
}

// resolve finds a Ready pod behind namespace/service and the pod port that
// the Service port (0 = the first port) targets, waiting up to timeout for a
// pod to become Ready.
func (f *Forwarder) resolve(ctx context.Context, namespace, service string, port int32, timeout time.Duration) (Backend, error) {
	svc, err := f.Kube.CoreV1().Services(namespace).Get(ctx, service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Backend{}, fmt.Errorf("service %s/%s not found: is the addon or app installed in this environment?", namespace, service)
	}
	if err != nil {
		return Backend{}, fmt.Errorf("get service %s/%s: %w", namespace, service, err)
	}
	sp, err := pickServicePort(svc, port)
	if err != nil {
		return Backend{}, err
	}
	if len(svc.Spec.Selector) == 0 {
		return Backend{}, fmt.Errorf("service %s/%s has no pod selector, so there is no pod to forward to", namespace, service)
	}
	selector := labels.SelectorFromSet(svc.Spec.Selector).String()

	var found Backend
	var lastProblem string
	poll := func(ctx context.Context) (bool, error) {
		pods, err := f.Kube.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			lastProblem = fmt.Sprintf("listing pods failed: %v", err)
			return false, nil
		}
		pod, problem := pickReadyPod(pods.Items)
		if pod == nil {
			lastProblem = problem
			return false, nil
		}
		podPort, err := targetPodPort(pod, sp)
		if err != nil {
			return false, fmt.Errorf("service %s/%s: %w", namespace, service, err)
		}
		found = Backend{Pod: pod.Name, PodPort: podPort, ServicePort: sp.Port}
		return true, nil
	}
	if err := wait.PollUntilContextTimeout(ctx, readyPodPoll, timeout, true, poll); err != nil {
		if ctx.Err() != nil {
			return Backend{}, ctx.Err()
		}
		if lastProblem != "" && (wait.Interrupted(err) || errors.Is(err, context.DeadlineExceeded)) {
			return Backend{}, fmt.Errorf("no Ready pod behind service %s/%s (selector %s) within %s: %s; check that its pods are Running and Ready",
				namespace, service, selector, timeout, lastProblem)
		}
		return Backend{}, err
	}
	return found, nil
}

// pickServicePort returns the Service port numbered port, or the first one for 0.
func pickServicePort(svc *corev1.Service, port int32) (corev1.ServicePort, error) {
	if len(svc.Spec.Ports) == 0 {
		return corev1.ServicePort{}, fmt.Errorf("service %s/%s exposes no ports", svc.Namespace, svc.Name)
	}
	if port == 0 {
		return svc.Spec.Ports[0], nil
	}
	var have []string
	for _, p := range svc.Spec.Ports {
		if p.Port == port {
			return p, nil
		}
		have = append(have, fmt.Sprint(p.Port))
	}
	return corev1.ServicePort{}, fmt.Errorf("service %s/%s has no port %d (it has %s)", svc.Namespace, svc.Name, port, strings.Join(have, ", "))
}

// pickReadyPod returns the first (by name) Running, Ready, not terminating pod,
// or a short reason why there is none.
func pickReadyPod(pods []corev1.Pod) (*corev1.Pod, string) {
	if len(pods) == 0 {
		return nil, "no pods match the selector"
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	var states []string
	for i := range pods {
		p := &pods[i]
		if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podReady(p) {
			return p, ""
		}
		states = append(states, fmt.Sprintf("%s is %s, not Ready", p.Name, p.Status.Phase))
	}
	return nil, strings.Join(states, "; ")
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// targetPodPort resolves the Service port's targetPort on pod: a number is
// used as is (0 means the same as the Service port), a name is looked up among
// the pod's container ports.
func targetPodPort(pod *corev1.Pod, sp corev1.ServicePort) (int32, error) {
	tp := sp.TargetPort
	if tp.Type == intstr.Int {
		if tp.IntVal == 0 {
			return sp.Port, nil
		}
		return tp.IntVal, nil
	}
	for _, c := range pod.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == tp.StrVal {
				return cp.ContainerPort, nil
			}
		}
	}
	return 0, fmt.Errorf("targetPort %q of port %d names no container port of pod %s", tp.StrVal, sp.Port, pod.Name)
}
