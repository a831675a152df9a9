package main

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/labctl/labctl/labs"
)

// checkLabs checks every lab under dirs (or only lab id), in each of its
// modes, state by state: the baseline, then after each step's solution.
func checkLabs(dirs []string, id string, w io.Writer, verbose bool) error {
	cat, err := labs.LoadCatalog(nil, dirs...)
	if err != nil {
		return err
	}
	where := strings.Join(dirs, ", ")
	if p := cat.Problems(); len(p) > 0 {
		return fmt.Errorf("labs under %s do not load cleanly (run labctl lab lint):\n%v", where, p)
	}
	var list []*labs.Lab
	if id != "" {
		l, err := cat.Get(id)
		if err != nil {
			return err
		}
		list = []*labs.Lab{l}
	} else {
		list = cat.List()
	}
	if len(list) == 0 {
		return fmt.Errorf("no labs under %s", where)
	}
	stackCache := map[string]*Stack{}
	bad, states := 0, 0
	for _, l := range list {
		for _, mode := range l.SupportedModes() {
			k := l.Spec.Stack + "/" + mode
			st := stackCache[k]
			if st == nil {
				if st, err = LoadStack(l.Spec.Stack, mode); err != nil {
					return fmt.Errorf("lab %s: %w", l.ID(), err)
				}
				stackCache[k] = st
			}
			pre, err := labs.Prerequisites(cat.Get, l)
			if err != nil {
				return err
			}
			results, err := LabStates(l, pre, st)
			if err != nil {
				return err
			}
			for _, r := range results {
				states++
				if len(r.Problems) == 0 {
					if verbose {
						fmt.Fprintf(w, "ok   %s [%s] %s: %d objects\n", l.ID(), mode, r.Name, r.Objects)
					}
					continue
				}
				bad++
				fmt.Fprintf(w, "FAIL %s [%s] %s:\n", l.ID(), mode, r.Name)
				for _, p := range r.Problems {
					fmt.Fprintf(w, "    %s\n", p)
				}
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d of %d lab states", errFindings, bad, states)
	}
	fmt.Fprintf(w, "ok: %d lab(s), %d state(s): no Istio validation or analysis problems\n", len(list), states)
	return nil
}

// StateResult is the outcome for one state of a lab.
type StateResult struct {
	// Name is "baseline" or "step N (id)".
	Name     string
	Objects  int
	Problems []string
}

// LabStates replays lab l on stack st and checks each state: the baseline,
// then the state after each step's solution (stack + baseline + solutions
// 1..N). The lab's prerequisites pre (in replay order, as lab start replays
// them) come first: their baselines and solutions are part of every state;
// the messages they declare stay allowed. Findings a step declares in istioMessages are allowed from that
// step on; a declared message that Istio does not report is a problem too,
// since the step's lesson would then be missing.
func LabStates(l *labs.Lab, pre []*labs.Lab, st *Stack) ([]StateResult, error) {
	set := NewSet()
	set.Apply(st.Objects...)
	var out []StateResult
	var allowed []Allowance
	for _, p := range pre {
		acts := append([]labs.Action{}, p.Spec.Baseline.Setup...)
		for _, step := range p.Spec.Steps {
			acts = append(acts, step.Solution...)
			allowed = append(allowed, stepAllowances(step)...)
		}
		r, err := replay(p, set, "prerequisite "+p.ID(), acts)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return nil, fmt.Errorf("lab %s: its prerequisite %s does not replay cleanly: %s", l.ID(), p.ID(), strings.Join(r, "; "))
		}
	}
	r, err := replay(l, set, "spec.baseline.setup", l.Spec.Baseline.Setup)
	if err != nil {
		return nil, err
	}
	res := StateResult{Name: "baseline", Problems: r}
	if res.Problems == nil {
		if res.Problems, err = judge(set, st, allowed, nil); err != nil {
			return nil, fmt.Errorf("lab %s baseline: %w", l.ID(), err)
		}
	}
	res.Objects = len(set.Objects())
	out = append(out, res)
	for i, step := range l.Spec.Steps {
		res := StateResult{Name: fmt.Sprintf("step %d (%s)", i+1, step.ID)}
		probs, err := replay(l, set, fmt.Sprintf("spec.steps[%d].solution", i), step.Solution)
		if err != nil {
			return nil, err
		}
		declared := stepAllowances(step)
		allowed = append(allowed, declared...)
		if probs == nil {
			if probs, err = judge(set, st, allowed, declared); err != nil {
				return nil, fmt.Errorf("lab %s %s: %w", l.ID(), res.Name, err)
			}
		}
		res.Problems, res.Objects = probs, len(set.Objects())
		out = append(out, res)
	}
	return out, nil
}

// judge checks a state: findings not allowed are problems, and so are the
// messages this step declares but Istio does not report.
func judge(set *Set, st *Stack, allowed, declared []Allowance) ([]string, error) {
	findings, err := CheckState(set.Objects(), st)
	if err != nil {
		return nil, err
	}
	var probs []string
	for _, f := range findings {
		if !allows(allowed, f) {
			probs = append(probs, f.String())
		}
	}
	for _, d := range declared {
		seen := false
		for _, f := range findings {
			seen = seen || d.Matches(f)
		}
		if !seen {
			probs = append(probs, fmt.Sprintf("istioMessages declares %s, but Istio does not report it here: the step no longer shows what it teaches (or drop the declaration)", d))
		}
	}
	return probs, nil
}

// replay applies the actions that change objects to set. Actions that only
// wait, scale, restart, exec or drive traffic leave the configuration as it
// is. It returns problems with manifests that would not apply.
func replay(l *labs.Lab, set *Set, field string, actions []labs.Action) ([]string, error) {
	var probs []string
	for i, a := range actions {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case a.Apply != nil, a.Delete != nil:
			objs, err := actionObjects(l, a, f)
			if err != nil {
				probs = append(probs, err.Error())
				continue
			}
			for _, o := range objs {
				if old, ok := set.Get(o.U.GroupVersionKind().Group, o.U.GetKind(), o.U.GetNamespace(), o.U.GetName()); ok && isStack(old) {
					probs = append(probs, fmt.Sprintf("%s: %s %s the stack's own object (%s): the stack stops working as installed, and reset or cleanup would remove it; give the lab's object another name",
						o.Source, describe(o.U), map[bool]string{true: "replaces", false: "deletes"}[a.Apply != nil], old.Source))
				}
			}
			if a.Apply != nil {
				set.Apply(objs...)
			} else {
				set.Delete(objs...)
			}
		case a.Label != nil:
			ns := namespaceIn(set, a.Label.Namespace, l.File("lab.yaml")+": "+f)
			labels := ns.U.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			for k, v := range a.Label.Labels {
				labels[k] = v
			}
			ns.U.SetLabels(labels)
			set.Apply(ns)
		case a.Unlabel != nil:
			ns := namespaceIn(set, a.Unlabel.Namespace, l.File("lab.yaml")+": "+f)
			labels := ns.U.GetLabels()
			for _, k := range a.Unlabel.Keys {
				delete(labels, k)
			}
			ns.U.SetLabels(labels)
			set.Apply(ns)
		case a.Waypoint != nil:
			applyWaypoint(set, a.Waypoint, l.File("lab.yaml")+": "+f)
		}
	}
	return probs, nil
}

// isStack reports whether an object comes from the stack rather than a lab.
func isStack(o Object) bool { return strings.HasPrefix(o.Source, stackSourcePrefix) }

// actionObjects parses an apply or delete action's objects, defaulting
// the namespace as the engine does.
func actionObjects(l *labs.Lab, a labs.Action, field string) ([]Object, error) {
	us, err := l.Objects(a)
	if err != nil {
		return nil, err
	}
	var m labs.Manifest
	if a.Apply != nil {
		m = a.Apply.Manifest
	} else {
		m = a.Delete.Manifest
	}
	source := l.File("lab.yaml") + ": " + field + " (inline)"
	if m.File != "" {
		source = l.File(m.File)
	}
	var out []Object
	for _, u := range us {
		if !isClusterScoped(u) && u.GetNamespace() == "" {
			if m.Namespace == "" {
				return nil, fmt.Errorf("%s: %s names no namespace and the action gives none", source, describe(u))
			}
			u.SetNamespace(m.Namespace)
		}
		out = append(out, Object{Source: source, U: u})
	}
	return out, nil
}

// namespaceIn returns (a copy of) the Namespace object name in set, or a new one.
func namespaceIn(set *Set, name, source string) Object {
	if o, ok := set.Get("", "Namespace", "", name); ok {
		return Object{Source: o.Source, U: o.U.DeepCopy()}
	}
	return namespaceObject(source, name, nil)
}

// applyWaypoint adds or removes the Gateway `istioctl waypoint apply`
// creates, and the namespace label that enrolls the namespace.
func applyWaypoint(set *Set, w *labs.WaypointAction, source string) {
	name := w.Name
	if name == "" {
		name = "waypoint"
	}
	forType := w.For
	if forType == "" {
		forType = "service"
	}
	gw := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		"metadata": map[string]any{"name": name, "namespace": w.Namespace,
			"labels": map[string]any{"istio.io/waypoint-for": forType}},
		"spec": map[string]any{"gatewayClassName": "istio-waypoint",
			"listeners": []any{map[string]any{"name": "mesh", "port": int64(15008), "protocol": "HBONE"}}},
	}}
	o := Object{Source: source, U: gw}
	if w.Action == "remove" {
		set.Delete(o)
		ns := namespaceIn(set, w.Namespace, source)
		labels := ns.U.GetLabels()
		if labels["istio.io/use-waypoint"] == name {
			delete(labels, "istio.io/use-waypoint")
			ns.U.SetLabels(labels)
			set.Apply(ns)
		}
		return
	}
	set.Apply(o)
	if w.Enroll {
		ns := namespaceIn(set, w.Namespace, source)
		labels := ns.U.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels["istio.io/use-waypoint"] = name
		ns.U.SetLabels(labels)
		set.Apply(ns)
	}
}

// Allowance is an analyzer message a step declares on purpose.
type Allowance struct {
	Code     string
	Resource string
}

func (a Allowance) String() string {
	if a.Resource == "" {
		return a.Code
	}
	return a.Code + " on " + a.Resource
}

// Matches reports whether the finding is the declared message.
func (a Allowance) Matches(f Finding) bool {
	return f.Code == a.Code && (a.Resource == "" || strings.EqualFold(a.Resource, f.Resource))
}

func allows(list []Allowance, f Finding) bool {
	for _, a := range list {
		if a.Matches(f) {
			return true
		}
	}
	return false
}
