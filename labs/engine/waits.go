package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

func orTimeout(d labs.Duration) time.Duration {
	if d.Duration > 0 {
		return d.Duration
	}
	return DefaultWaitTimeout
}

// wait runs a wait action.
func (s *session) wait(ctx context.Context, w *labs.WaitAction) error {
	timeout := orTimeout(w.Timeout)
	switch {
	case w.Pods != nil:
		spec := verify.Spec{Name: "wait", Pods: w.Pods, Timeout: verify.Duration{Duration: timeout},
			Interval: verify.Duration{Duration: min(time.Second, timeout)}}
		venv := verify.Env{Kube: s.c.Kube, Dynamic: s.c.Dynamic, Mapper: s.c.Mapper}
		res := verify.Runner{Env: venv}.RunOne(ctx, spec)
		if res.Status != verify.StatusPass {
			return fmt.Errorf("pods in %s did not get there within %s: %s (observed %s)", w.Pods.Namespace, timeout, res.Message, orNone(res.Observed))
		}
		return nil
	case w.Condition != nil:
		c := w.Condition
		want := c.Status
		if want == "" {
			want = "True"
		}
		return s.pollObject(ctx, c.ObjectRef, timeout, func(u *unstructured.Unstructured) (bool, string) {
			got := condition(u, c.Type)
			return got == want, fmt.Sprintf("condition %s=%s", c.Type, orNone(got))
		})
	case w.IstioAccepted != nil:
		return s.pollObject(ctx, *w.IstioAccepted, timeout, istioAccepted)
	}
	return fmt.Errorf("wait names nothing to wait for")
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// pollObject polls an object until ok says so.
func (s *session) pollObject(ctx context.Context, ref labs.ObjectRef, timeout time.Duration, ok func(*unstructured.Unstructured) (bool, string)) error {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return fmt.Errorf("apiVersion %q: %w", ref.APIVersion, err)
	}
	ri, _, err := s.resource(gv.WithKind(ref.Kind), ref.Namespace)
	if err != nil {
		return err
	}
	last := "the object does not exist"
	err = wait.PollUntilContextTimeout(ctx, waitInterval, timeout, true, func(ctx context.Context) (bool, error) {
		u, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			last = "the object does not exist"
			return false, nil
		}
		if err != nil {
			return false, err
		}
		done, why := ok(u)
		last = why
		return done, nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: still %s after %s (%w)", ref.Kind, nsName(ref.Namespace, ref.Name), last, timeout, err)
	}
	return nil
}

func nsName(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// condition returns the status of condition t of u ("" when absent).
func condition(u *unstructured.Unstructured, t string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == t {
			st, _ := m["status"].(string)
			return st
		}
	}
	return ""
}

// istioAccepted: Gateway API objects say Accepted=True; Istio's own config
// objects carry validation messages in their status when istiod's status
// writing is on, and nothing otherwise, so no error message is acceptance.
func istioAccepted(u *unstructured.Unstructured) (bool, string) {
	if st := condition(u, "Accepted"); st != "" {
		return st == "True", "condition Accepted=" + st
	}
	msgs, _, _ := unstructured.NestedSlice(u.Object, "status", "validationMessages")
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		if lvl, _ := mm["level"].(string); lvl == "ERROR" || lvl == "Error" {
			return false, fmt.Sprintf("validation message %v", mm["type"])
		}
	}
	return true, "accepted"
}

// rolloutRestart restarts the workloads the action picks, the way kubectl
// does, and waits for their rollouts.
func (s *session) rolloutRestart(ctx context.Context, a *labs.RolloutRestartAction) error {
	names := []string{a.Name}
	if a.Name == "" {
		var err error
		names, err = s.workloads(ctx, a.Kind, a.Namespace, a.Selector)
		if err != nil {
			return err
		}
	}
	return s.restart(ctx, a.Kind, a.Namespace, names, orTimeout(a.Timeout))
}

func (s *session) workloads(ctx context.Context, kind, ns, selector string) ([]string, error) {
	ri, _, err := s.resource(workloadGVK(kind), ns)
	if err != nil {
		return nil, err
	}
	l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("listing %ss in %s: %w", workloadGVK(kind).Kind, ns, err)
	}
	var out []string
	for _, u := range l.Items {
		out = append(out, u.GetName())
	}
	return out, nil
}

func (s *session) restart(ctx context.Context, kind, ns string, names []string, timeout time.Duration) error {
	gvk := workloadGVK(kind)
	ri, _, err := s.resource(gvk, ns)
	if err != nil {
		return err
	}
	at := s.e.now().Format(time.RFC3339Nano)
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{"kubectl.kubernetes.io/restartedAt": at}}}}})
	for _, n := range names {
		if _, err := ri.Patch(ctx, n, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
			return fmt.Errorf("restarting %s %s/%s: %w", gvk.Kind, ns, n, err)
		}
	}
	for _, n := range names {
		if err := s.pollObject(ctx, labs.ObjectRef{APIVersion: "apps/v1", Kind: gvk.Kind, Namespace: ns, Name: n}, timeout, rolledOut); err != nil {
			return err
		}
	}
	return nil
}

// rolledOut reports a workload whose controller saw its latest spec and
// whose pods are all updated and available.
func rolledOut(u *unstructured.Unstructured) (bool, string) {
	gen := u.GetGeneration()
	obs, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	if obs < gen {
		return false, "rollout not yet observed by its controller"
	}
	want, found, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
	if !found {
		want = 1
	}
	if u.GetKind() == "DaemonSet" {
		want, _, _ = unstructured.NestedInt64(u.Object, "status", "desiredNumberScheduled")
		upd, _, _ := unstructured.NestedInt64(u.Object, "status", "updatedNumberScheduled")
		avail, _, _ := unstructured.NestedInt64(u.Object, "status", "numberAvailable")
		return upd == want && avail == want, fmt.Sprintf("%d/%d updated, %d available", upd, want, avail)
	}
	upd, _, _ := unstructured.NestedInt64(u.Object, "status", "updatedReplicas")
	total, _, _ := unstructured.NestedInt64(u.Object, "status", "replicas")
	avail, _, _ := unstructured.NestedInt64(u.Object, "status", "availableReplicas")
	if u.GetKind() == "StatefulSet" {
		avail, _, _ = unstructured.NestedInt64(u.Object, "status", "readyReplicas")
	}
	return upd == want && total == want && avail == want, fmt.Sprintf("%d/%d updated, %d available", upd, want, avail)
}
