package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// maxLogBytes bounds the log of one container in a diagnostics bundle.
const maxLogBytes = 256 << 10

// Collect writes a diagnostics bundle of the active lab into dir: the
// events and pod status of the lab's namespaces, logs of pods that are not
// Ready, and the objects the lab applied (its ApplySet members). It keeps
// going past errors and reports them all at the end.
func (e *Engine) Collect(ctx context.Context, dir string) error {
	s, err := e.open(ctx, true, true)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the diagnostics directory: %w", err)
	}
	var errs []error
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			errs = append(errs, err)
		}
	}
	sc, err := s.snapshotScope()
	if err != nil {
		return err
	}
	var events, pods strings.Builder
	for _, ns := range sc.Namespaces {
		ev, err := s.c.Kube.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("events of %s: %w", ns, err))
		} else {
			items := ev.Items
			sort.Slice(items, func(i, j int) bool { return items[i].LastTimestamp.Before(&items[j].LastTimestamp) })
			for _, x := range items {
				fmt.Fprintf(&events, "%s %s %s %s/%s: %s %s\n", x.LastTimestamp.UTC().Format("15:04:05"), ns, x.Type,
					x.InvolvedObject.Kind, x.InvolvedObject.Name, x.Reason, x.Message)
			}
		}
		pl, err := s.c.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("pods of %s: %w", ns, err))
			continue
		}
		for _, p := range pl.Items {
			ready := podReady(&p)
			fmt.Fprintf(&pods, "%s/%s phase=%s ready=%t node=%s\n", ns, p.Name, p.Status.Phase, ready, p.Spec.NodeName)
			for _, c := range p.Status.ContainerStatuses {
				fmt.Fprintf(&pods, "  container %s ready=%t restarts=%d %s\n", c.Name, c.Ready, c.RestartCount, waiting(c))
			}
			if !ready {
				s.podLogs(ctx, &p, dir, &errs)
			}
		}
	}
	write("events.txt", []byte(events.String()))
	write("pods.txt", []byte(pods.String()))
	members, err := s.set().Members(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	var objs strings.Builder
	for _, m := range members {
		m.SetManagedFields(nil)
		b, err := yaml.Marshal(m.Object)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs.WriteString("---\n")
		objs.Write(b)
	}
	write("applied-objects.yaml", []byte(objs.String()))
	b, err := yaml.Marshal(s.env.Lab)
	if err == nil {
		write("progress.yaml", b)
	}
	return errors.Join(errs...)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func waiting(c corev1.ContainerStatus) string {
	if w := c.State.Waiting; w != nil {
		return "waiting: " + w.Reason + " " + w.Message
	}
	if t := c.State.Terminated; t != nil {
		return fmt.Sprintf("terminated: %s (exit %d)", t.Reason, t.ExitCode)
	}
	return ""
}

func (s *session) podLogs(ctx context.Context, p *corev1.Pod, dir string, errs *[]error) {
	limit := int64(maxLogBytes)
	for _, c := range p.Spec.Containers {
		data, err := s.c.Kube.CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: c.Name, LimitBytes: &limit}).DoRaw(ctx)
		name := fmt.Sprintf("logs-%s-%s-%s.txt", p.Namespace, p.Name, c.Name)
		if err != nil {
			data = []byte("no log: " + err.Error() + "\n")
		}
		if werr := os.WriteFile(filepath.Join(dir, name), data, 0o600); werr != nil {
			*errs = append(*errs, werr)
		}
	}
}
