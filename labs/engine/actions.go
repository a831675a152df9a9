package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/labctl/labctl/internal/apply"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/applyset"
	"github.com/labctl/labctl/labs/scope"
	"github.com/labctl/labctl/verify"
)

// Action outcomes.
const (
	ActionDone    = "done"
	ActionSkipped = "skipped"
)

// Reasons actions are skipped on a simulated cluster (kwok): its pods run
// no process and nothing answers requests.
const (
	SkipLoadSimulated = verify.SkipSimulated + ": nothing answers requests, so no load was sent"
	SkipExecSimulated = verify.SkipSimulated + ": no process runs in a simulated pod, so the command was not run"
)

// ActionResult is what one action did.
type ActionResult struct {
	// Action describes it ("apply manifests/route.yaml", "load httpbin/get").
	Action string `json:"action"`
	// Status is ActionDone or ActionSkipped.
	Status string `json:"status"`
	// Reason says why it was skipped.
	Reason string `json:"reason,omitempty"`
	// Load is what a load action sent and measured.
	Load    *LoadSummary `json:"load,omitempty"`
	Seconds float64      `json:"durationSeconds"`
}

// runActions executes actions in order and returns what each did; the
// error names the action that failed (the results before it are returned).
func (s *session) runActions(ctx context.Context, where string, acts []labs.Action) ([]ActionResult, error) {
	return s.runActionsOf(ctx, where, s.lab, acts)
}

// runActionsOf is runActions for actions of lab from (the active lab or
// one of its prerequisites), whose folder holds their files.
func (s *session) runActionsOf(ctx context.Context, where string, from *labs.Lab, acts []labs.Action) ([]ActionResult, error) {
	out := make([]ActionResult, 0, len(acts))
	for i, a := range acts {
		start := time.Now()
		r, err := s.run(ctx, from, a)
		if err != nil {
			return out, fmt.Errorf("%s, action %d (%s): %w", where, i+1, a, err)
		}
		if r.Status == "" {
			r.Status = ActionDone
		}
		r.Action, r.Seconds = a.String(), time.Since(start).Seconds()
		if from != s.lab {
			r.Action = from.ID() + ": " + r.Action
		}
		out = append(out, r)
	}
	return out, nil
}

// run executes one action against the cluster.
func (s *session) run(ctx context.Context, from *labs.Lab, a labs.Action) (ActionResult, error) {
	switch {
	case a.Load != nil:
		return s.load(ctx, a.Load)
	case a.Exec != nil:
		if s.env.Simulated {
			return ActionResult{Status: ActionSkipped, Reason: SkipExecSimulated}, nil
		}
		return ActionResult{}, s.exec(ctx, a.Exec)
	}
	return ActionResult{}, s.do(ctx, from, a)
}

// do executes an action that only succeeds or fails.
func (s *session) do(ctx context.Context, from *labs.Lab, a labs.Action) error {
	switch {
	case a.Apply != nil:
		objs, err := objectsOf(from, s.c.Mapper, a, a.Apply.Namespace)
		if err != nil {
			return err
		}
		return s.apply(ctx, objs)
	case a.Delete != nil:
		objs, err := objectsOf(from, s.c.Mapper, a, a.Delete.Namespace)
		if err != nil {
			return err
		}
		return s.deleteObjects(ctx, objs)
	case a.Label != nil:
		vals := map[string]*string{}
		for k, v := range a.Label.Labels {
			vals[k] = &v
		}
		return s.patchNamespaceLabels(ctx, a.Label.Namespace, vals)
	case a.Unlabel != nil:
		vals := map[string]*string{}
		for _, k := range a.Unlabel.Keys {
			vals[k] = nil
		}
		return s.patchNamespaceLabels(ctx, a.Unlabel.Namespace, vals)
	case a.RolloutRestart != nil:
		return s.rolloutRestart(ctx, a.RolloutRestart)
	case a.Scale != nil:
		return s.scale(ctx, a.Scale)
	case a.Wait != nil:
		return s.wait(ctx, a.Wait)
	case a.Traffic != nil:
		if s.e.Traffic == nil {
			return fmt.Errorf("this labctl cannot change background traffic here")
		}
		_, err := s.e.Traffic(ctx, s.env.Name, a.Traffic.State == labs.TrafficOn, a.Traffic.Rate)
		return err
	case a.Waypoint != nil:
		return s.waypoint(ctx, a.Waypoint)
	case a.IstioRevision != nil:
		return s.revision(ctx, a.IstioRevision)
	}
	return fmt.Errorf("action has no type")
}

// revision installs or removes an Istio revision.
func (s *session) revision(ctx context.Context, r *labs.IstioRevisionAction) error {
	if s.e.Revisions == nil {
		return fmt.Errorf("this labctl cannot install Istio revisions here")
	}
	if r.Remove {
		return s.e.Revisions.RemoveRevision(ctx, s.env.Name, r.Revision)
	}
	return s.e.Revisions.InstallRevision(ctx, s.env.Name, *r)
}

// convergeRevisions installs the Istio revisions the desired state has
// (install true), or removes the lab's revisions it lacks (install false).
func (s *session) convergeRevisions(ctx context.Context, d *desired, install bool) error {
	for _, rev := range labRevisions(s.lab, s.pre) {
		want := d.revisions[rev]
		if want != nil && !install {
			continue
		}
		if want == nil && install {
			continue
		}
		a := want
		if a == nil {
			a = &labs.IstioRevisionAction{Revision: rev, Remove: true}
		}
		if err := s.revision(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// set returns the lab's ApplySet.
func (s *session) set() *applyset.Set {
	return &applyset.Set{Parent: parentOf(s.lab), Dynamic: s.c.Dynamic, Mapper: s.c.Mapper}
}

// apply makes objs members of the lab's ApplySet and server-side applies
// them (internal/apply, field manager FieldManager, forced). The parent is
// the lab's record of what it applied: the applier's Recorder writes it,
// listing a superset of the members' kinds and namespaces, after every
// object was mapped and read and before the first one is written, as the
// ApplySet specification wants.
func (s *session) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	if len(objs) == 0 {
		return nil
	}
	set := s.set()
	for _, o := range objs {
		set.Label(o)
	}
	if err := s.ensureNamespace(ctx, set.Parent.Namespace); err != nil {
		return err
	}
	_, err := s.applier().Apply(ctx, objs, apply.Options{FieldManager: FieldManager, Force: true,
		Record: func(ctx context.Context, _ apply.Plan) error { return set.Write(ctx, applyset.ContentsOf(objs)) }})
	return err
}

func (s *session) applier() *apply.Applier {
	return &apply.Applier{Dynamic: s.c.Dynamic, Mapper: s.c.Mapper}
}

// ensureNamespace makes sure the parent's namespace exists: if a lab
// manifest creates it, that manifest comes later, so the engine creates it
// now (as a member, and the lab's own apply adopts it). The parent lives
// in that namespace, so here the set is written just after the apply.
func (s *session) ensureNamespace(ctx context.Context, ns string) error {
	_, err := s.c.Dynamic.Resource(nsGVR).Get(ctx, ns, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("reading namespace %s: %w", ns, err)
	}
	o := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": ns}}}
	set := s.set()
	set.Label(o)
	objs := []*unstructured.Unstructured{o}
	if _, err := s.applier().Apply(ctx, objs, apply.Options{FieldManager: FieldManager, Force: true}); err != nil {
		return err
	}
	return set.Write(ctx, applyset.ContentsOf(objs))
}

var nsGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

func (s *session) resource(gvk schema.GroupVersionKind, ns string) (dynamic.ResourceInterface, bool, error) {
	m, err := s.c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, false, fmt.Errorf("kind %s (%s): %w", gvk.Kind, gvk.GroupVersion(), err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return s.c.Dynamic.Resource(m.Resource).Namespace(ns), true, nil
	}
	return s.c.Dynamic.Resource(m.Resource), false, nil
}

func (s *session) deleteObjects(ctx context.Context, objs []*unstructured.Unstructured) error {
	var gone []*unstructured.Unstructured
	// In the foreground, as prune does: the wait below ends when a deleted
	// workload's pods are gone too.
	fg := metav1.DeletePropagationForeground
	for _, o := range objs {
		ri, _, err := s.resource(o.GroupVersionKind(), o.GetNamespace())
		if meta.IsNoMatchError(err) {
			continue // the kind is gone, so is the object
		}
		if err != nil {
			return err
		}
		cur, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", scope.KeyOf(o), err)
		}
		if err := ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &fg}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting %s: %w", scope.KeyOf(o), err)
		}
		gone = append(gone, cur)
	}
	return s.lister().WaitGone(ctx, gone, scope.GoneTimeout)
}

// patchNamespaceLabels sets (or, for nil, removes) labels of a namespace.
func (s *session) patchNamespaceLabels(ctx context.Context, ns string, vals map[string]*string) error {
	if len(vals) == 0 {
		return nil
	}
	labels := map[string]any{}
	for k, v := range vals {
		if v == nil {
			labels[k] = nil
		} else {
			labels[k] = *v
		}
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": labels}})
	if _, err := s.c.Kube.CoreV1().Namespaces().Patch(ctx, ns, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("labelling namespace %s: %w", ns, err)
	}
	return nil
}

func workloadGVK(kind string) schema.GroupVersionKind {
	if kind == "" {
		kind = "Deployment"
	}
	return schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: kind}
}

func (s *session) scale(ctx context.Context, a *labs.ScaleAction) error {
	ri, _, err := s.resource(workloadGVK(a.Kind), a.Namespace)
	if err != nil {
		return err
	}
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"replicas": *a.Replicas}})
	if _, err := ri.Patch(ctx, a.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("scaling %s %s/%s: %w", workloadGVK(a.Kind).Kind, a.Namespace, a.Name, err)
	}
	return nil
}

func (s *session) waypoint(ctx context.Context, w *labs.WaypointAction) error {
	gw := waypointObject(w)
	if w.Action == labs.WaypointRemove {
		if err := s.deleteObjects(ctx, []*unstructured.Unstructured{gw}); err != nil {
			return err
		}
		ns, err := s.c.Kube.CoreV1().Namespaces().Get(ctx, w.Namespace, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("reading namespace %s: %w", w.Namespace, err)
		}
		if ns.Labels[useWaypointLabel] == gw.GetName() {
			return s.patchNamespaceLabels(ctx, w.Namespace, map[string]*string{useWaypointLabel: nil})
		}
		return nil
	}
	if err := s.apply(ctx, []*unstructured.Unstructured{gw}); err != nil {
		return err
	}
	if w.Enroll {
		name := gw.GetName()
		return s.patchNamespaceLabels(ctx, w.Namespace, map[string]*string{useWaypointLabel: &name})
	}
	return nil
}

func (s *session) exec(ctx context.Context, a *labs.ExecAction) error {
	if s.c.Exec == nil {
		return fmt.Errorf("exec is not available: labctl has no connection that can run commands in pods")
	}
	pod := a.Pod
	if pod == "" {
		p, err := s.firstReadyPod(ctx, a.Namespace, a.Selector)
		if err != nil {
			return err
		}
		pod = p
	}
	timeout := a.Timeout.Duration
	if timeout == 0 {
		timeout = DefaultWaitTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.c.Exec.Exec(cctx, verify.ExecRequest{Namespace: a.Namespace, Pod: pod, Container: a.Container, Command: a.Command})
	if err != nil {
		return fmt.Errorf("running %q in pod %s/%s: %w", strings.Join(a.Command, " "), a.Namespace, pod, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%q in pod %s/%s exited with %d: %s", strings.Join(a.Command, " "), a.Namespace, pod, res.ExitCode, strings.TrimSpace(res.Stderr))
	}
	return nil
}

func (s *session) firstReadyPod(ctx context.Context, ns, selector string) (string, error) {
	pods, err := s.c.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return "", fmt.Errorf("listing pods %q in %s: %w", selector, ns, err)
	}
	for _, p := range pods.Items {
		for _, c := range p.Status.Conditions {
			if c.Type == "Ready" && c.Status == "True" && p.DeletionTimestamp == nil {
				return p.Name, nil
			}
		}
	}
	return "", fmt.Errorf("no Ready pod matches %q in namespace %s (of %d pods)", selector, ns, len(pods.Items))
}
