package engine

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/scope"
)

// desired is the state a sequence of actions leads to, as far as it is
// declarative: objects, namespace labels, replicas and traffic. Actions
// that only do something once (load, exec, wait) add nothing to it; a
// rollout restart of a namespace's Deployments records the injection labels
// its pods were created under.
type desired struct {
	// objects the actions applied and did not delete, in first-apply order.
	objects []*unstructured.Unstructured
	index   map[scope.Key]int
	// deleted are objects the actions deleted (they may have existed
	// before the lab).
	deleted map[scope.Key]bool
	// labels per namespace: value, or nil for a removed label.
	labels map[string]map[string]*string
	scales []*labs.ScaleAction
	// traffic is the last traffic action, nil when none.
	traffic *labs.TrafficAction
	// revisions are the Istio revisions istioRevision actions installed
	// (the last action for each); a removed one maps to nil.
	revisions map[string]*labs.IstioRevisionAction
	// podInjection holds, per namespace, the injection labels (injectionKeys)
	// the actions had set when they last restarted every Deployment there:
	// the pods at this point were made under them, which may differ from
	// the namespace's labels now (a lab that labels in one step and restarts
	// in the next). A key that is missing is as the lab found it.
	podInjection map[string]map[string]*string
}

func newDesired() *desired {
	return &desired{index: map[scope.Key]int{}, deleted: map[scope.Key]bool{}, labels: map[string]map[string]*string{},
		revisions: map[string]*labs.IstioRevisionAction{}, podInjection: map[string]map[string]*string{}}
}

// has reports whether the actions applied k.
func (d *desired) has(k scope.Key) bool {
	i, ok := d.index[k]
	return ok && d.objects[i] != nil
}

// live returns the applied objects that were not deleted since.
func (d *desired) live() []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(d.objects))
	for _, o := range d.objects {
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

func (d *desired) put(o *unstructured.Unstructured) {
	k := scope.KeyOf(o)
	delete(d.deleted, k)
	if i, ok := d.index[k]; ok {
		d.objects[i] = o
		return
	}
	d.index[k] = len(d.objects)
	d.objects = append(d.objects, o)
}

func (d *desired) remove(k scope.Key) {
	if i, ok := d.index[k]; ok {
		d.objects[i] = nil
	}
	d.deleted[k] = true
}

func (d *desired) setLabel(ns, key string, v *string) {
	if d.labels[ns] == nil {
		d.labels[ns] = map[string]*string{}
	}
	d.labels[ns][key] = v
}

// add folds one action into the desired state.
func (d *desired) add(l *labs.Lab, m meta.RESTMapper, a labs.Action) error {
	switch {
	case a.Apply != nil:
		objs, err := objectsOf(l, m, a, a.Apply.Namespace)
		if err != nil {
			return err
		}
		for _, o := range objs {
			d.put(o)
		}
	case a.Delete != nil:
		objs, err := objectsOf(l, m, a, a.Delete.Namespace)
		if err != nil {
			return err
		}
		for _, o := range objs {
			d.remove(scope.KeyOf(o))
		}
	case a.Label != nil:
		for k, v := range a.Label.Labels {
			d.setLabel(a.Label.Namespace, k, &v)
		}
	case a.Unlabel != nil:
		for _, k := range a.Unlabel.Keys {
			d.setLabel(a.Unlabel.Namespace, k, nil)
		}
	case a.Scale != nil:
		d.scales = append(d.scales, a.Scale)
	case a.RolloutRestart != nil:
		rr := a.RolloutRestart
		if rr.Name != "" || rr.Selector != "" || workloadGVK(rr.Kind).Kind != "Deployment" {
			return nil // some workloads only: their pods are not the namespace's
		}
		at := map[string]*string{}
		for _, k := range injectionKeys {
			if v, ok := d.labels[rr.Namespace][k]; ok {
				at[k] = v
			}
		}
		d.podInjection[rr.Namespace] = at
	case a.Traffic != nil:
		d.traffic = a.Traffic
	case a.IstioRevision != nil:
		if a.IstioRevision.Remove {
			d.revisions[a.IstioRevision.Revision] = nil
		} else {
			d.revisions[a.IstioRevision.Revision] = a.IstioRevision
		}
	case a.Waypoint != nil:
		w := a.Waypoint
		gw := waypointObject(w)
		if w.Action == labs.WaypointRemove {
			d.remove(scope.KeyOf(gw))
			d.setLabel(w.Namespace, useWaypointLabel, nil)
			return nil
		}
		d.put(gw)
		if w.Enroll {
			name := gw.GetName()
			d.setLabel(w.Namespace, useWaypointLabel, &name)
		}
	}
	return nil
}

// objectsOf parses an apply or delete action's objects and gives
// namespaced ones without a namespace the action's default, else the lab's
// first scope namespace.
func objectsOf(l *labs.Lab, m meta.RESTMapper, a labs.Action, defaultNS string) ([]*unstructured.Unstructured, error) {
	objs, err := l.Objects(a)
	if err != nil {
		return nil, err
	}
	if defaultNS == "" {
		defaultNS = parentOf(l).Namespace
	}
	for _, o := range objs {
		if o.GetNamespace() != "" {
			continue
		}
		gvk := o.GroupVersionKind()
		mp, err := m.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			if meta.IsNoMatchError(err) {
				return nil, fmt.Errorf("%s: the cluster does not serve kind %s (%s): install its CRD first (is the lab on the right stack?)", a, gvk.Kind, gvk.GroupVersion())
			}
			return nil, fmt.Errorf("%s: looking up kind %s: %w", a, gvk.Kind, err)
		}
		if mp.Scope.Name() == meta.RESTScopeNameNamespace {
			o.SetNamespace(defaultNS)
		}
	}
	return objs, nil
}

// Labels of Istio's data plane that the engine tracks.
const (
	useWaypointLabel = "istio.io/use-waypoint"
	injectionLabel   = "istio-injection"
	revisionLabel    = "istio.io/rev"
)

// injectionKeys change which pods get a sidecar: workloads restart when
// one of them changes.
var injectionKeys = []string{injectionLabel, revisionLabel}

// waypointObject is the Gateway a waypoint action deploys, the way
// `istioctl waypoint apply` writes it.
func waypointObject(w *labs.WaypointAction) *unstructured.Unstructured {
	name := w.Name
	if name == "" {
		name = "waypoint"
	}
	forWhat := w.For
	if forWhat == "" {
		forWhat = "service"
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1",
		"kind":       "Gateway",
		"metadata": map[string]any{
			"name": name, "namespace": w.Namespace,
			"labels": map[string]any{"istio.io/waypoint-for": forWhat},
		},
		"spec": map[string]any{
			"gatewayClassName": "istio-waypoint",
			"listeners": []any{map[string]any{
				"name": "mesh", "port": int64(15008), "protocol": "HBONE",
			}},
		},
	}}
}

// stateAt is the desired state at the start of step n (1-based): the
// prerequisites' end state, the baseline, and the solutions of steps
// 1..n-1.
func stateAt(l *labs.Lab, pre []*labs.Lab, m meta.RESTMapper, n int) (*desired, error) {
	d := newDesired()
	acts := append(replay(pre), actionsOf(l, l.Spec.Baseline.Setup)...)
	for i := 0; i < n-1 && i < len(l.Spec.Steps); i++ {
		acts = append(acts, actionsOf(l, l.Spec.Steps[i].Solution)...)
	}
	for _, a := range acts {
		if err := d.add(a.lab, m, a.act); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// labRevisions lists, sorted, every Istio revision a run of the lab may
// install or remove: reset and stop remove those the desired state lacks.
func labRevisions(l *labs.Lab, pre []*labs.Lab) []string {
	seen := map[string]bool{}
	for _, a := range allActions(l, pre) {
		if a.act.IstioRevision != nil {
			seen[a.act.IstioRevision.Revision] = true
		}
	}
	return sortedKeys(seen)
}

// allActions lists every action a run of the lab may do: the
// prerequisites' replay, baseline, solutions, the lab's and the
// prerequisites' cleanups.
func allActions(l *labs.Lab, pre []*labs.Lab) []labAction {
	acts := append(replay(pre), actionsOf(l, l.Spec.Baseline.Setup)...)
	for _, s := range l.Spec.Steps {
		acts = append(acts, actionsOf(l, s.Solution)...)
	}
	acts = append(acts, actionsOf(l, l.Spec.Cleanup)...)
	for _, p := range pre {
		acts = append(acts, actionsOf(p, p.Spec.Cleanup)...)
	}
	return acts
}
