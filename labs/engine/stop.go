package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs/scope"
)

// Stopped is what Stop did and found.
type Stopped struct {
	Lab  string `json:"lab"`
	Done int    `json:"done"`
	// Steps is the lab's number of steps.
	Steps int `json:"steps"`
	// Pruned names the objects removed: what the lab applied, and what was
	// made in its scope since it started.
	Pruned []string `json:"pruned,omitempty"`
	// Changes is how the lab's scope differs from the snapshot taken at
	// start; empty when the environment is as the lab found it.
	Changes []scope.Change `json:"changes"`
	// Actions are what the lab's cleanup actions did.
	Actions []ActionResult `json:"actions,omitempty"`
	Seconds float64        `json:"durationSeconds"`
}

// LeakError says the environment is not as the lab found it.
type LeakError struct{ Changes []scope.Change }

func (e *LeakError) Error() string {
	lines := make([]string, 0, len(e.Changes))
	for _, c := range e.Changes {
		lines = append(lines, "  "+c.String())
	}
	return fmt.Sprintf("the environment is not as the lab found it (%d difference(s) from the snapshot taken at start):\n%s\nthe lab's cleanup should undo these",
		len(e.Changes), strings.Join(lines, "\n"))
}

// Stop ends the active lab: it runs the lab's cleanup actions, deletes what
// the lab applied that was not there before, puts back what it applied
// over, removes objects made in the
// lab's scope since the start, puts back the namespace labels and the
// background traffic the lab found, and compares the scope with the start
// snapshot. Differences are returned in Stopped and as a *LeakError; the
// lab is stopped either way.
func (e *Engine) Stop(ctx context.Context) (*Stopped, error) {
	start := time.Now()
	s, err := e.open(ctx, true, true)
	if err != nil {
		return nil, err
	}
	p := s.env.Lab
	out := &Stopped{Lab: p.Lab, Steps: len(p.Steps)}
	for _, st := range p.Steps {
		if st.Done {
			out.Done++
		}
	}
	snap, err := s.loadSnapshot()
	if err != nil {
		return nil, err
	}
	if out.Actions, err = s.runActions(ctx, "cleanup", s.lab.Spec.Cleanup); err != nil {
		return nil, fmt.Errorf("lab %s: %w (the lab stays started: fix the cause and run `labctl lab stop` again)", p.Lab, err)
	}
	// The prerequisites' cleanups, the last replayed first.
	for i := len(s.pre) - 1; i >= 0; i-- {
		pl := s.pre[i]
		acts, err := s.runActionsOf(ctx, "cleanup of prerequisite "+pl.ID(), pl, pl.Spec.Cleanup)
		out.Actions = append(out.Actions, acts...)
		if err != nil {
			return nil, fmt.Errorf("lab %s: %w (the lab stays started: fix the cause and run `labctl lab stop` again)", p.Lab, err)
		}
	}
	// The Istio revisions the lab installed go after the cleanups (which
	// may move namespaces back to the environment's own istiod).
	if err := s.convergeRevisions(ctx, newDesired(), false); err != nil {
		return nil, fmt.Errorf("lab %s: %w (the lab stays started: fix the cause and run `labctl lab stop` again)", p.Lab, err)
	}
	idx := snap.Index()
	if err := s.unmark(ctx, idx); err != nil {
		return nil, err
	}
	var rs Reset
	// The parent's namespace goes too when the lab created it.
	parentNS := scope.Key{Kind: "Namespace", Name: parentOf(s.lab).Namespace}
	_, parentNSFound := idx[parentNS]
	if err := s.prune(ctx, func(k scope.Key) bool { _, ok := idx[k]; return ok }, &rs); err != nil {
		return nil, err
	}
	if err := s.restoreLabels(ctx, p.Labels); err != nil {
		return nil, err
	}
	if p.Traffic != nil && e.Traffic != nil {
		if _, err := e.Traffic(ctx, s.env.Name, p.Traffic.Enabled, p.Traffic.Rate); err != nil {
			return nil, err
		}
	}
	if err := s.set().Delete(ctx); err != nil {
		return nil, err
	}
	if !parentNSFound {
		ns := &unstructured.Unstructured{}
		ns.SetAPIVersion("v1")
		ns.SetKind("Namespace")
		ns.SetName(parentNS.Name)
		if err := s.deleteObjects(ctx, []*unstructured.Unstructured{ns}); err != nil {
			return nil, err
		}
		rs.Pruned = append(rs.Pruned, parentNS.String())
	}
	out.Pruned = rs.Pruned
	now, err := s.lister().Take(ctx, snap.Scope, e.now())
	if err != nil {
		return nil, fmt.Errorf("comparing the lab's scope with its start snapshot: %w", err)
	}
	out.Changes = scope.Diff(snap, now)
	if out.Changes == nil {
		out.Changes = []scope.Change{}
	}
	_, err = e.Store.Modify(e.EnvName, func(env *state.Environment) error {
		env.Lab = nil
		env.SetLabResult(state.LabResult{Lab: out.Lab, Steps: out.Steps, Done: out.Done, StoppedAt: e.now()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Seconds = time.Since(start).Seconds()
	if err := e.Store.DeleteSide(e.EnvName, snapshotFile); err != nil {
		return out, err
	}
	if len(out.Changes) > 0 {
		return out, &LeakError{Changes: out.Changes}
	}
	return out, nil
}

// unmark puts back, as the lab found them, the objects the lab applied
// over (which also drops the ApplySet label); the lab's other members are
// deleted by the prune that follows.
func (s *session) unmark(ctx context.Context, found map[scope.Key]scope.Object) error {
	members, err := s.set().Members(ctx)
	if err != nil {
		return err
	}
	for _, u := range members {
		o, ok := found[scope.KeyOf(u)]
		if !ok {
			continue
		}
		if _, err := s.restore(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// restoreLabels puts back namespace labels as the lab found them.
func (s *session) restoreLabels(ctx context.Context, found []state.LabLabel) error {
	byNS := map[string]map[string]*string{}
	for _, l := range found {
		if byNS[l.Namespace] == nil {
			byNS[l.Namespace] = map[string]*string{}
		}
		if l.Absent {
			byNS[l.Namespace][l.Key] = nil
		} else {
			v := l.Value
			byNS[l.Namespace][l.Key] = &v
		}
	}
	var errs []error
	for _, ns := range sortedKeys(byNS) {
		cur, err := s.namespaceLabels(ctx, ns)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if cur == nil {
			continue
		}
		if err := s.patchNamespaceLabels(ctx, ns, byNS[ns]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// IsLeak reports whether err is a stop that left differences.
func IsLeak(err error) bool {
	var le *LeakError
	return errors.As(err, &le)
}
