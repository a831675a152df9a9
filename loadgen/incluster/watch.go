package incluster

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// watcher follows the load pod's state.
type watcher struct {
	pod     string
	running bool
	last    string // last state seen, for timeout messages
	status  func(string, ...any)
}

// pullErrors are waiting reasons that will not resolve by waiting.
var pullErrors = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"CreateContainerConfigError": true, "CreateContainerError": true,
}

// check reports whether fortio is done in pod p, or why it never will be.
func (w *watcher) check(p *corev1.Pod) (bool, error) {
	if w.pod == "" {
		w.status("load pod %s/%s created", p.Namespace, p.Name)
	}
	w.pod = p.Name
	w.last = "pod " + string(p.Status.Phase)
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name != Container {
			continue
		}
		switch {
		case cs.State.Terminated != nil:
			t := cs.State.Terminated
			if t.ExitCode != 0 {
				w.status("fortio exited with code %d (%s)", t.ExitCode, t.Reason)
			}
			return true, nil
		case cs.State.Waiting != nil:
			wt := cs.State.Waiting
			w.last = "fortio container waiting: " + wt.Reason
			if pullErrors[wt.Reason] {
				return false, fmt.Errorf("load pod %s/%s cannot start fortio: %s: %s (set --image to an image the cluster can pull)",
					p.Namespace, p.Name, wt.Reason, wt.Message)
			}
		case cs.State.Running != nil && !w.running:
			w.running = true
			w.last = "fortio running"
			w.status("fortio running in pod %s/%s", p.Namespace, p.Name)
		}
	}
	if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
		return true, nil
	}
	return false, nil
}

// fail adds the last seen state to a wait error (timeouts in particular).
func (w *watcher) fail(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	if w.last != "" {
		return fmt.Errorf("%w; last seen: %s", err, w.last)
	}
	return err
}
