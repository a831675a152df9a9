package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// PodsSpec checks the pods selected in a namespace: how many, Ready, and
// which containers they run.
type PodsSpec struct {
	Namespace string `json:"namespace"`
	// Selector is a label selector ("app=reviews,version in (v1,v2)"); empty
	// selects every pod in the namespace.
	Selector string `json:"selector,omitempty"`
	// Count is the exact number of pods wanted; MinCount a lower bound. With
	// neither, at least one pod is wanted.
	Count    *int `json:"count,omitempty"`
	MinCount *int `json:"minCount,omitempty"`
	// Ready requires every pod to be Ready (default true).
	Ready *bool `json:"ready,omitempty"`
	// Containers must run in every pod (e.g. istio-proxy for sidecar
	// injection); native sidecars (init containers with restartPolicy
	// Always) count. AbsentContainers must not (e.g. istio-proxy in ambient).
	Containers       []string `json:"containers,omitempty"`
	AbsentContainers []string `json:"absentContainers,omitempty"`
}

func (p *PodsSpec) validate() error {
	if p.Namespace == "" {
		return errors.New("namespace is required")
	}
	if _, err := labels.Parse(p.Selector); err != nil {
		return fmt.Errorf("selector %q: %w", p.Selector, err)
	}
	if p.Count != nil && p.MinCount != nil {
		return errors.New("set count or minCount, not both")
	}
	if (p.Count != nil && *p.Count < 0) || (p.MinCount != nil && *p.MinCount < 0) {
		return errors.New("count and minCount must not be negative")
	}
	for _, c := range p.Containers {
		if slices.Contains(p.AbsentContainers, c) {
			return fmt.Errorf("container %q is both required and absent", c)
		}
	}
	return nil
}

type podsProber struct {
	spec *PodsSpec
	env  *Env
}

func newPodsProber(s *PodsSpec, env *Env) (prober, error) {
	if env.Kube == nil {
		return nil, errMissing("a Kubernetes client", "point labctl at a cluster (--kubeconfig/--context or --name)")
	}
	return podsProber{spec: s, env: env}, nil
}

func (p podsProber) expected() string {
	s := p.spec
	var parts []string
	switch {
	case s.Count != nil:
		parts = append(parts, fmt.Sprintf("%d pod(s)", *s.Count))
	case s.MinCount != nil:
		parts = append(parts, fmt.Sprintf("at least %d pod(s)", *s.MinCount))
	default:
		parts = append(parts, "at least 1 pod")
	}
	if p.wantReady() {
		parts = append(parts, "all Ready")
	}
	if len(s.Containers) > 0 {
		parts = append(parts, "with "+strings.Join(s.Containers, ", "))
	}
	if len(s.AbsentContainers) > 0 {
		parts = append(parts, "without "+strings.Join(s.AbsentContainers, ", "))
	}
	return strings.Join(parts, ", ")
}

func (p podsProber) wantReady() bool { return p.spec.Ready == nil || *p.spec.Ready }

func (p podsProber) probe(ctx context.Context) (attempt, error) {
	s := p.spec
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	list, err := p.env.Kube.CoreV1().Pods(s.Namespace).List(ctx, metav1.ListOptions{LabelSelector: s.Selector})
	if err != nil {
		return attempt{}, fmt.Errorf("listing pods in namespace %s (selector %q): %w", s.Namespace, s.Selector, err)
	}
	// Terminating and finished pods are leftovers of a rollout, not the
	// workload: they are not counted.
	var pods []corev1.Pod
	for _, pod := range list.Items {
		if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		pods = append(pods, pod)
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })

	a := attempt{expected: p.expected()}
	var problems []string
	n := len(pods)
	switch {
	case s.Count != nil && n != *s.Count:
		problems = append(problems, fmt.Sprintf("found %d pod(s), want %d", n, *s.Count))
	case s.MinCount != nil && n < *s.MinCount:
		problems = append(problems, fmt.Sprintf("found %d pod(s), want at least %d", n, *s.MinCount))
	case s.Count == nil && s.MinCount == nil && n == 0:
		problems = append(problems, "no pods match")
	}
	ready := 0
	for _, pod := range pods {
		if podReady(&pod) {
			ready++
		} else if p.wantReady() {
			problems = append(problems, fmt.Sprintf("pod %s is not Ready (phase %s)", pod.Name, pod.Status.Phase))
		}
		names := ContainerNames(&pod)
		for _, c := range s.Containers {
			if !slices.Contains(names, c) {
				problems = append(problems, fmt.Sprintf("pod %s has no container %s (has %s)", pod.Name, c, strings.Join(names, ", ")))
			}
		}
		for _, c := range s.AbsentContainers {
			if slices.Contains(names, c) {
				problems = append(problems, fmt.Sprintf("pod %s runs container %s", pod.Name, c))
			}
		}
	}
	a.observed = fmt.Sprintf("%d pod(s), %d Ready", n, ready)
	if len(problems) > 0 {
		a.message = strings.Join(firstN(problems, 5), "; ")
		return a, nil
	}
	a.pass = true
	return a, nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// ContainerNames lists the pod's app containers and native sidecars.
func ContainerNames(pod *corev1.Pod) []string {
	var names []string
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			names = append(names, c.Name)
		}
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	return names
}

// firstN keeps the first n items and says how many were dropped.
func firstN(items []string, n int) []string {
	if len(items) <= n {
		return items
	}
	return append(slices.Clone(items[:n]), fmt.Sprintf("and %d more", len(items)-n))
}
