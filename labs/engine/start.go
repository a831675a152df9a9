package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/applyset"
	"github.com/labctl/labctl/labs/scope"
	"github.com/labctl/labctl/verify"
)

// snapshotFile names the side file with the scope snapshot taken at start.
const snapshotFile = "lab-snapshot"

// StartOptions tune Start.
type StartOptions struct {
	// Force stops an active lab first (or restarts the same lab).
	Force bool
}

// Started is what Start returns.
type Started struct {
	Step StepView `json:"step"`
	// Ready is the result of the baseline's readiness checks.
	Ready verify.Report `json:"ready"`
	// Stopped is the result of stopping the lab that was active (Force).
	Stopped *Stopped `json:"stopped,omitempty"`
	// Prerequisites are the labs whose solutions were replayed first.
	Prerequisites []string `json:"prerequisites,omitempty"`
	// Actions are what the prerequisites' replay and the baseline's setup
	// actions did.
	Actions []ActionResult `json:"actions,omitempty"`
}

// Match checks that an environment can run lab l: same stack, a mode the
// lab supports. The error says which `labctl up` makes a matching one.
func Match(env *state.Environment, l *labs.Lab) error {
	modes := l.SupportedModes()
	mode := env.Mode
	if mode == "" {
		mode = labs.ModeSidecar
	}
	if env.Stack == l.Spec.Stack && slices.Contains(modes, mode) {
		return nil
	}
	return fmt.Errorf("%w: lab %s needs stack %s in %s mode, environment %q has stack %s in %s mode: run `labctl up --name %s --stack %s --mode %s` (or pick another --name to keep this environment)",
		ErrEnvMismatch, l.ID(), l.Spec.Stack, modes[0], env.Name, env.Stack, mode, env.Name, l.Spec.Stack, modes[0])
}

// UpCommand is the command that makes an environment for lab l.
func UpCommand(name string, l *labs.Lab) string {
	return fmt.Sprintf("labctl up --name %s --stack %s --mode %s", name, l.Spec.Stack, l.SupportedModes()[0])
}

// Start starts lab id: it snapshots the lab's scope, records the progress,
// applies the baseline and waits for its readiness checks.
func (e *Engine) Start(ctx context.Context, id string, o StartOptions) (*Started, error) {
	l, err := e.Catalog.Get(id)
	if err != nil {
		return nil, err
	}
	env, err := e.Store.Load(e.EnvName)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("%w: make one with `%s`", err, UpCommand(e.EnvName, l))
	}
	if err != nil {
		return nil, err
	}
	if err := Match(env, l); err != nil {
		return nil, err
	}
	if env.Simulated && l.Spec.NeedsRealCluster != "" {
		return nil, &NeedsRealClusterError{Lab: l.ID(), Env: env.Name, Reason: l.Spec.NeedsRealCluster}
	}
	out := &Started{}
	if env.Lab != nil {
		if !o.Force {
			return nil, activeError(env)
		}
		st, err := e.Stop(ctx)
		if err != nil {
			return nil, fmt.Errorf("stopping lab %s first: %w", env.Lab.Lab, err)
		}
		out.Stopped = st
	}
	s, err := e.open(ctx, false, true)
	if err != nil {
		return nil, err
	}
	s.lab = l
	if s.pre, err = prerequisites(e.Catalog, l); err != nil {
		return nil, err
	}
	sc, err := s.snapshotScope()
	if err != nil {
		return nil, err
	}
	snap, err := s.lister().Take(ctx, sc, e.now())
	if err != nil {
		return nil, fmt.Errorf("taking a snapshot of the lab's scope: %w", err)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	if err := e.Store.SaveSide(e.EnvName, snapshotFile, data); err != nil {
		return nil, err
	}
	labels, err := s.labelsFound(ctx)
	if err != nil {
		return nil, err
	}
	p := &state.LabProgress{Lab: l.ID(), Source: l.Source, Step: 1, ApplySet: parentOf(l).Namespace + "/" + parentOf(l).Name,
		Labels: labels, Traffic: env.Traffic, StartedAt: e.now(), UpdatedAt: e.now()}
	for _, st := range l.Spec.Steps {
		p.Steps = append(p.Steps, state.StepProgress{ID: st.ID})
	}
	env, err = e.Store.Modify(e.EnvName, func(env *state.Environment) error {
		if env.Lab != nil {
			return activeError(env)
		}
		env.Lab = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.env = env
	for _, p := range s.pre {
		acts, err := s.replayPrerequisite(ctx, p)
		out.Actions = append(out.Actions, acts...)
		if err != nil {
			return nil, fmt.Errorf("lab %s: %w (the lab stays started: fix the cause and run `labctl lab reset`, or `labctl lab stop`)", l.ID(), err)
		}
		out.Prerequisites = append(out.Prerequisites, p.ID())
	}
	acts, err := s.runActions(ctx, "baseline setup", l.Spec.Baseline.Setup)
	out.Actions = append(out.Actions, acts...)
	if err != nil {
		return nil, fmt.Errorf("lab %s: %w (the lab stays started: fix the cause and run `labctl lab reset`, or `labctl lab stop`)", l.ID(), err)
	}
	out.Ready, err = s.runChecks(ctx, l.Spec.Baseline.Ready)
	if err != nil {
		return nil, err
	}
	out.Step, err = s.view(1)
	if err != nil {
		return nil, err
	}
	if !out.Ready.Passed {
		return out, &NotReadyError{Report: out.Ready}
	}
	return out, nil
}

// NotReadyError says the baseline's readiness checks failed.
type NotReadyError struct{ Report verify.Report }

func (e *NotReadyError) Error() string {
	var why []string
	for _, r := range e.Report.Results {
		if !r.OK() {
			why = append(why, fmt.Sprintf("%s: %s", r.Name, r.Message))
		}
	}
	return fmt.Sprintf("the lab's baseline is not ready (%s): `labctl lab reset` tries again", strings.Join(why, "; "))
}

func activeError(env *state.Environment) error {
	p := env.Lab
	return fmt.Errorf("%w: lab %s is at step %d of %d in environment %q: stop it first with `labctl lab stop` (or pass --force to stop it and start over)",
		ErrOtherLabActive, p.Lab, p.Step, len(p.Steps), env.Name)
}

// parentOf is the lab's ApplySet parent, in its first scope namespace.
func parentOf(l *labs.Lab) applyset.Parent {
	ns := "default"
	if len(l.Spec.Scope.Namespaces) > 0 {
		ns = l.Spec.Scope.Namespaces[0]
	}
	return applyset.ParentFor(l.ID(), ns)
}

func (s *session) lister() *scope.Lister {
	p := parentOf(s.lab)
	parent := scope.Key{Kind: "ConfigMap", Namespace: p.Namespace, Name: p.Name}
	return &scope.Lister{Dynamic: s.c.Dynamic, Mapper: s.c.Mapper, Ignore: func(k scope.Key) bool { return k == parent }}
}

// pruneScope is the lab's declared scope: what reset may prune.
func (s *session) pruneScope() (scope.Scope, error) {
	gks, err := s.lab.Spec.Scope.GroupKinds()
	if err != nil {
		return scope.Scope{}, fmt.Errorf("lab %s: spec.scope.kinds: %w", s.lab.ID(), err)
	}
	return scope.Scope{Namespaces: s.lab.Spec.Scope.Namespaces, Kinds: gks}, nil
}

// snapshotScope is the declared scope widened by every kind and namespace
// the lab's actions touch, so a leak outside the declared scope shows too.
func (s *session) snapshotScope() (scope.Scope, error) {
	sc, err := s.pruneScope()
	if err != nil {
		return sc, err
	}
	nss := append([]string{}, sc.Namespaces...)
	gks := append([]schema.GroupKind{}, sc.Kinds...)
	d := newDesired()
	for _, la := range allActions(s.lab, s.pre) {
		a := la.act
		if a.Delete != nil {
			a = labs.Action{Apply: &labs.ApplyAction{Manifest: a.Delete.Manifest}}
			if a.Apply.File == "" && a.Apply.Inline == "" {
				continue
			}
		}
		if err := d.add(la.lab, s.c.Mapper, a); err != nil {
			return sc, err
		}
	}
	for _, o := range d.objects {
		if o == nil {
			continue
		}
		gks = append(gks, o.GroupVersionKind().GroupKind())
		if ns := o.GetNamespace(); ns != "" {
			nss = append(nss, ns)
		}
	}
	for ns := range d.labels {
		nss = append(nss, ns)
	}
	slices.Sort(nss)
	sc.Namespaces = slices.Compact(nss)
	seen := map[schema.GroupKind]bool{}
	sc.Kinds = nil
	for _, gk := range gks {
		if !seen[gk] {
			seen[gk] = true
			sc.Kinds = append(sc.Kinds, gk)
		}
	}
	return sc, nil
}

// labelsFound records, for every namespace label any action of the lab
// sets or removes, its value now.
func (s *session) labelsFound(ctx context.Context) ([]state.LabLabel, error) {
	d := newDesired()
	for _, la := range allActions(s.lab, s.pre) {
		if a := la.act; a.Label != nil || a.Unlabel != nil || a.Waypoint != nil {
			if err := d.add(la.lab, s.c.Mapper, a); err != nil {
				return nil, err
			}
		}
	}
	var out []state.LabLabel
	for _, ns := range sortedKeys(d.labels) {
		cur, err := s.namespaceLabels(ctx, ns)
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(d.labels[ns]) {
			v, ok := cur[k]
			out = append(out, state.LabLabel{Namespace: ns, Key: k, Value: v, Absent: !ok})
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// loadSnapshot reads the snapshot taken at start.
func (s *session) loadSnapshot() (*scope.Snapshot, error) {
	b, err := s.e.Store.LoadSide(s.env.Name, snapshotFile)
	if err != nil {
		return nil, fmt.Errorf("the lab's start snapshot: %w (stop the lab and start it again)", err)
	}
	var snap scope.Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, fmt.Errorf("the lab's start snapshot is damaged: %w (stop the lab and start it again)", err)
	}
	return &snap, nil
}
