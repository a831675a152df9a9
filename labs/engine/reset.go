package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs/scope"
	"github.com/labctl/labctl/verify"
)

// ResetOptions tune Reset.
type ResetOptions struct {
	// Step to reset to (1-based); 0 means the current step.
	Step int
}

// Reset is what a reset (or goto) did.
type Reset struct {
	Step StepView `json:"step"`
	// Applied counts the lab objects applied; Restored, Pruned, Relabelled
	// and Restarted name what had drifted and was put right.
	Applied    int      `json:"applied"`
	Restored   []string `json:"restored,omitempty"`
	Pruned     []string `json:"pruned,omitempty"`
	Relabelled []string `json:"relabelled,omitempty"`
	Restarted  []string `json:"restarted,omitempty"`
	// Ready is the baseline's readiness checks after the reset.
	Ready   verify.Report `json:"ready"`
	Seconds float64       `json:"durationSeconds"`
}

// Reset converges the environment to the start of a step: what the lab
// found, plus the baseline, plus the solutions of the steps before it.
func (e *Engine) Reset(ctx context.Context, o ResetOptions) (*Reset, error) {
	start := time.Now()
	s, err := e.open(ctx, true, true)
	if err != nil {
		return nil, err
	}
	n := o.Step
	if n == 0 {
		n = s.env.Lab.Step
	}
	if n < 1 || n > len(s.lab.Spec.Steps) {
		return nil, fmt.Errorf("lab %s has steps 1..%d, not %d", s.lab.ID(), len(s.lab.Spec.Steps), n)
	}
	out, err := s.converge(ctx, n)
	if err != nil {
		return nil, err
	}
	err = s.update(func(p *state.LabProgress) error {
		p.Step = n
		for i := n - 1; i < len(p.Steps); i++ {
			p.Steps[i].Done, p.Steps[i].DoneAt, p.Steps[i].Solved = false, nil, false
			p.Steps[i].Checks, p.Steps[i].CheckedAt = nil, nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Ready, err = s.runChecks(ctx, s.lab.Spec.Baseline.Ready); err != nil {
		return nil, err
	}
	if out.Step, err = s.view(n); err != nil {
		return nil, err
	}
	out.Seconds = time.Since(start).Seconds()
	if !out.Ready.Passed {
		return out, &NotReadyError{Report: out.Ready}
	}
	return out, nil
}

// Goto resets to the start of step n (solutions of 1..n-1 applied).
func (e *Engine) Goto(ctx context.Context, n int) (*Reset, error) {
	if n < 1 {
		return nil, fmt.Errorf("step %d: steps are numbered from 1", n)
	}
	return e.Reset(ctx, ResetOptions{Step: n})
}

// converge makes the cluster match the desired state at the start of step n.
func (s *session) converge(ctx context.Context, n int) (*Reset, error) {
	out := &Reset{}
	snap, err := s.loadSnapshot()
	if err != nil {
		return nil, err
	}
	d, err := stateAt(s.lab, s.pre, s.c.Mapper, n)
	if err != nil {
		return nil, err
	}
	snapIdx := snap.Index()
	// Replicas set by scale actions become part of the objects they scale.
	var looseScales []int
	for i, sc := range d.scales {
		k := scope.Key{Group: "apps", Kind: workloadGVK(sc.Kind).Kind, Namespace: sc.Namespace, Name: sc.Name}
		switch {
		case d.has(k):
			_ = unstructured.SetNestedField(d.objects[d.index[k]].Object, int64(*sc.Replicas), "spec", "replicas")
		case !d.deleted[k] && snapIdx[k].Content != nil:
			o := snapIdx[k]
			o.Content = scope.Object{Content: o.Content}.Unstructured().Object
			_ = unstructured.SetNestedField(o.Content, int64(*sc.Replicas), "spec", "replicas")
			snapIdx[k] = o
		default:
			looseScales = append(looseScales, i)
		}
	}
	live := d.live()
	if err := s.apply(ctx, live); err != nil {
		return nil, err
	}
	out.Applied = len(live)
	// Objects the lab found are put back as they were.
	for _, k := range sortedObjectKeys(snapIdx) {
		o := snapIdx[k]
		if d.has(k) || d.deleted[k] || k.Kind == "Namespace" && k.Group == "" {
			continue
		}
		changed, err := s.restore(ctx, o)
		if err != nil {
			return nil, err
		}
		if changed {
			out.Restored = append(out.Restored, k.String())
		}
	}
	for _, i := range looseScales {
		if err := s.scale(ctx, d.scales[i]); err != nil {
			return nil, err
		}
	}
	// Revisions first, so that restarted workloads get the sidecar of the
	// revision their namespace names; the lab's others go after restarts.
	if err := s.convergeRevisions(ctx, d, true); err != nil {
		return nil, err
	}
	restart, err := s.convergeLabels(ctx, snapIdx, d, out)
	if err != nil {
		return nil, err
	}
	if err := s.prune(ctx, func(k scope.Key) bool {
		_, found := snapIdx[k]
		return d.has(k) || found && !d.deleted[k]
	}, out); err != nil {
		return nil, err
	}
	if err := s.convergeTraffic(ctx, d); err != nil {
		return nil, err
	}
	if err := s.convergeInjection(ctx, snapIdx, d, restart, out); err != nil {
		return nil, err
	}
	if err := s.convergeRevisions(ctx, d, false); err != nil {
		return nil, err
	}
	return out, nil
}

func sortedObjectKeys(m map[scope.Key]scope.Object) []scope.Key {
	out := make([]scope.Key, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b scope.Key) int {
		if a.String() < b.String() {
			return -1
		}
		if a.String() > b.String() {
			return 1
		}
		return 0
	})
	return out
}

// restore puts an object back to its snapshot content when it drifted (or
// re-creates it when it was deleted) and reports whether it did anything.
func (s *session) restore(ctx context.Context, o scope.Object) (bool, error) {
	want := o.Unstructured()
	want.SetAPIVersion(o.APIVersion)
	ri, _, err := s.resource(want.GroupVersionKind(), o.Key.Namespace)
	if err != nil {
		return false, err
	}
	cur, err := ri.Get(ctx, o.Key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := ri.Create(ctx, want, metav1.CreateOptions{FieldManager: FieldManager}); err != nil {
			return false, fmt.Errorf("re-creating %s: %w", o.Key, err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", o.Key, err)
	}
	if scope.Equal(scope.Normalize(cur), o.Content) {
		return false, nil
	}
	want.SetResourceVersion(cur.GetResourceVersion())
	if _, err := ri.Update(ctx, want, metav1.UpdateOptions{FieldManager: FieldManager}); err != nil {
		return false, fmt.Errorf("restoring %s: %w", o.Key, err)
	}
	return true, nil
}

// convergeLabels sets the labels of the lab's namespaces: as the lab found
// them, changed by the label actions of the desired state. It returns the
// namespaces whose sidecar injection changed.
func (s *session) convergeLabels(ctx context.Context, snapIdx map[scope.Key]scope.Object, d *desired, out *Reset) ([]string, error) {
	nss := map[string]bool{}
	for k := range snapIdx {
		if k.Kind == "Namespace" && k.Group == "" {
			nss[k.Name] = true
		}
	}
	for ns := range d.labels {
		nss[ns] = true
	}
	var restart []string
	for _, ns := range sortedKeys(nss) {
		cur, err := s.namespaceLabels(ctx, ns)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			continue // not there (a namespace the desired state does not have)
		}
		want := map[string]*string{}
		if o, ok := snapIdx[scope.Key{Kind: "Namespace", Name: ns}]; ok {
			found := o.Unstructured().GetLabels()
			for k := range cur {
				if _, ok := found[k]; !ok {
					want[k] = nil
				}
			}
			for k, v := range found {
				want[k] = &v
			}
		}
		for k, v := range d.labels[ns] {
			want[k] = v
		}
		patch := map[string]*string{}
		for k, v := range want {
			c, has := cur[k]
			if (v == nil && has) || (v != nil && (!has || c != *v)) {
				patch[k] = v
			}
		}
		if len(patch) == 0 {
			continue
		}
		if err := s.patchNamespaceLabels(ctx, ns, patch); err != nil {
			return nil, err
		}
		out.Relabelled = append(out.Relabelled, ns)
		for _, k := range injectionKeys {
			if _, ok := patch[k]; ok {
				restart = append(restart, ns)
				break
			}
		}
	}
	return restart, nil
}

// prune deletes the objects of the lab's scope, and the members of its
// ApplySet, that keep does not want. The parent's namespace stays.
func (s *session) prune(ctx context.Context, keep func(scope.Key) bool, out *Reset) error {
	sc, err := s.pruneScope()
	if err != nil {
		return err
	}
	l := s.lister()
	current, err := l.List(ctx, sc)
	if err != nil {
		return err
	}
	members, err := s.set().Members(ctx)
	if err != nil {
		return err
	}
	seen := map[scope.Key]bool{}
	var all []*unstructured.Unstructured
	for _, u := range append(current, members...) {
		k := scope.KeyOf(u)
		if !seen[k] {
			seen[k] = true
			all = append(all, u)
		}
	}
	parentNS := scope.Key{Kind: "Namespace", Name: parentOf(s.lab).Namespace}
	pruned, err := l.Prune(ctx, all, func(k scope.Key) bool { return k == parentNS || keep(k) })
	for _, k := range pruned {
		out.Pruned = append(out.Pruned, k.String())
	}
	return err
}

// convergeTraffic sets the background traffic the desired state wants
// (the last traffic action, else what the lab found).
func (s *session) convergeTraffic(ctx context.Context, d *desired) error {
	want := s.env.Lab.Traffic
	if d.traffic != nil {
		want = &state.Traffic{Enabled: d.traffic.State == "on", Rate: d.traffic.Rate}
	}
	if want == nil || s.e.Traffic == nil {
		return nil
	}
	cur := s.env.Traffic
	if cur != nil && cur.Enabled == want.Enabled && (want.Rate == 0 || cur.Rate == want.Rate) {
		return nil
	}
	_, err := s.e.Traffic(ctx, s.env.Name, want.Enabled, want.Rate)
	return err
}
