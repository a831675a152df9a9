package labs

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
)

// validateAction checks one action at field.
func (v *validator) validateAction(field string, a Action) {
	switch set := a.types(); len(set) {
	case 0:
		v.add(field, "no action type: set exactly one of %s", strings.Join(ActionTypes, ", "))
		return
	case 1:
	default:
		v.add(field, "several action types (%s): write one action per list entry", strings.Join(set, ", "))
		return
	}
	t := a.Type()
	f := field + "." + t
	switch {
	case a.Apply != nil:
		v.validateManifest(f, a.Apply.Manifest, true)
	case a.Delete != nil:
		v.validateDelete(f, a.Delete)
	case a.Label != nil:
		v.namespace(f, a.Label.Namespace)
		if len(a.Label.Labels) == 0 {
			v.add(f+".labels", "no labels to set")
		}
		for k, val := range a.Label.Labels {
			if errs := validation.IsQualifiedName(k); len(errs) > 0 {
				v.add(f+".labels."+k, "label key %q: %s", k, strings.Join(errs, "; "))
			}
			if errs := validation.IsValidLabelValue(val); len(errs) > 0 {
				v.add(f+".labels."+k, "label value %q: %s", val, strings.Join(errs, "; "))
			}
		}
	case a.Unlabel != nil:
		v.namespace(f, a.Unlabel.Namespace)
		if len(a.Unlabel.Keys) == 0 {
			v.add(f+".keys", "no label keys to remove")
		}
		for i, k := range a.Unlabel.Keys {
			if errs := validation.IsQualifiedName(k); len(errs) > 0 {
				v.add(fmt.Sprintf("%s.keys[%d]", f, i), "label key %q: %s", k, strings.Join(errs, "; "))
			}
		}
	case a.RolloutRestart != nil:
		r := a.RolloutRestart
		v.namespace(f, r.Namespace)
		v.oneOfKinds(f+".kind", r.Kind, "Deployment", "StatefulSet", "DaemonSet")
		if r.Name != "" && r.Selector != "" {
			v.add(f, "set name or selector, not both")
		}
		v.selector(f+".selector", r.Selector)
		v.nonNegative(f+".timeout", r.Timeout)
	case a.Scale != nil:
		s := a.Scale
		v.namespace(f, s.Namespace)
		v.oneOfKinds(f+".kind", s.Kind, "Deployment", "StatefulSet")
		if s.Name == "" {
			v.add(f+".name", "name the workload to scale")
		}
		switch {
		case s.Replicas == nil:
			v.add(f+".replicas", "replicas is required")
		case *s.Replicas < 0:
			v.add(f+".replicas", "replicas must not be negative")
		}
	case a.Wait != nil:
		v.validateWait(f, a.Wait)
	case a.Traffic != nil:
		if a.Traffic.State != TrafficOn && a.Traffic.State != TrafficOff {
			v.add(f+".state", "state %q: use on or off", a.Traffic.State)
		}
		if a.Traffic.Rate < 0 || (a.Traffic.State == TrafficOff && a.Traffic.Rate != 0) {
			v.add(f+".rate", "rate must be positive, and only set with state on")
		}
	case a.Load != nil:
		l := a.Load
		if strings.TrimSpace(l.Target) == "" {
			v.add(f+".target", "the target (an app of the stack, e.g. httpbin or httpbin/get) is required")
		}
		if l.RPS < 0 || l.Requests < 0 || l.Connections < 0 {
			v.add(f, "rps, requests and connections must not be negative")
		}
		if l.Duration.Duration != 0 && l.Requests != 0 {
			v.add(f, "set duration or requests, not both")
		}
		v.nonNegative(f+".duration", l.Duration)
		if l.Duration.Duration > MaxLoadDuration {
			v.add(f+".duration", "duration %s is longer than a lab's load may run (%s)", l.Duration.Duration, MaxLoadDuration)
		}
		if l.Requests > 0 && l.RPS > 0 && float64(l.Requests)/l.RPS > MaxLoadDuration.Seconds() {
			v.add(f+".requests", "%d requests at %g/s take longer than a lab's load may run (%s): send fewer or faster", l.Requests, l.RPS, MaxLoadDuration)
		}
	case a.Waypoint != nil:
		w := a.Waypoint
		v.namespace(f, w.Namespace)
		if w.Action != WaypointDeploy && w.Action != WaypointRemove {
			v.add(f+".action", "action %q: use deploy or remove", w.Action)
		}
		switch w.For {
		case "", "service", "workload", "all":
		default:
			v.add(f+".for", "for %q: use service, workload or all", w.For)
		}
		if w.Action == WaypointRemove && (w.For != "" || w.Enroll) {
			v.add(f, "for and enroll only apply to deploy")
		}
	case a.Exec != nil:
		e := a.Exec
		v.namespace(f, e.Namespace)
		if (e.Pod == "") == (e.Selector == "") {
			v.add(f, "set exactly one of pod or selector")
		}
		v.selector(f+".selector", e.Selector)
		if len(e.Command) == 0 || e.Command[0] == "" {
			v.add(f+".command", "the command (a list: [curl, -s, http://httpbin:8000/get]) is required")
		}
		v.nonNegative(f+".timeout", e.Timeout)
	case a.IstioRevision != nil:
		v.validateIstioRevision(f, a.IstioRevision)
	}
}

// istioVersion is an Istio minor or patch ("1.32", "1.32.0", "v1.31.4").
var istioVersion = regexp.MustCompile(`^v?1\.[0-9]+(\.[0-9]+)?$`)

func (v *validator) validateIstioRevision(f string, r *IstioRevisionAction) {
	switch errs := validation.IsDNS1123Label(r.Revision); {
	case r.Revision == "":
		v.add(f+".revision", "the revision (a DNS label such as canary or 1-32) is required")
	case r.Revision == "default":
		v.add(f+".revision", "revision default is the environment's own istiod: name the new one (canary, 1-32)")
	case len(errs) > 0:
		v.add(f+".revision", "revision %q: %s", r.Revision, strings.Join(errs, "; "))
	case len("istiod-"+r.Revision) > 53:
		v.add(f+".revision", "revision %q is too long: its Helm release istiod-%s must be at most 53 characters", r.Revision, r.Revision)
	}
	if r.Version != "" && !istioVersion.MatchString(r.Version) {
		v.add(f+".version", "version %q: use an Istio minor such as 1.32 or a release such as 1.32.0", r.Version)
	}
	for i, t := range r.Tags {
		if errs := validation.IsDNS1123Label(t); len(errs) > 0 {
			v.add(fmt.Sprintf("%s.tags[%d]", f, i), "tag %q: %s", t, strings.Join(errs, "; "))
		}
		if t == r.Revision {
			v.add(fmt.Sprintf("%s.tags[%d]", f, i), "tag %q is the revision's own name: a tag must differ from every revision", t)
		}
	}
	if r.Remove && (r.Version != "" || len(r.Tags) > 0) {
		v.add(f, "remove takes only the revision: drop version and tags")
	}
}

func (v *validator) validateDelete(f string, d *DeleteAction) {
	byName := d.Kind != "" || d.Name != "" || d.APIVersion != ""
	hasManifest := d.File != "" || d.Inline != ""
	switch {
	case byName && hasManifest:
		v.add(f, "delete either a manifest (file or inline) or one object (apiVersion, kind, name), not both")
	case byName:
		if d.APIVersion == "" || d.Kind == "" || d.Name == "" {
			v.add(f, "deleting one object needs apiVersion, kind and name")
		}
		if d.APIVersion != "" {
			if _, err := schema.ParseGroupVersion(d.APIVersion); err != nil {
				v.add(f+".apiVersion", "apiVersion %q: %v", d.APIVersion, err)
			}
		}
		if d.Namespace != "" {
			v.namespace(f, d.Namespace)
		}
	default:
		v.validateManifest(f, d.Manifest, false)
	}
}

func (v *validator) validateManifest(f string, m Manifest, apply bool) {
	switch {
	case m.File == "" && m.Inline == "":
		v.add(f, "set file (a manifest in the lab folder) or inline (the YAML)")
		return
	case m.File != "" && m.Inline != "":
		v.add(f, "set file or inline, not both")
		return
	}
	if m.Namespace != "" {
		v.namespace(f, m.Namespace)
	}
	if m.File != "" {
		data, err := v.lab.ReadFile(m.File)
		if err != nil {
			v.add(f+".file", "%v", err)
			return
		}
		if _, err := ParseObjects(v.lab.File(m.File), data); err != nil {
			var oe *ObjectError
			if errors.As(err, &oe) {
				v.ps = append(v.ps, Problem{File: oe.Source, Line: oe.Line, Message: oe.Message})
			} else {
				v.add(f+".file", "%v", err)
			}
		}
		return
	}
	if _, err := ParseObjects("inline", []byte(m.Inline)); err != nil {
		msg := err.Error()
		var oe *ObjectError
		if errors.As(err, &oe) {
			msg = oe.Message
			if oe.Line > 0 {
				msg = fmt.Sprintf("line %d of the inline YAML: %s", oe.Line, oe.Message)
			}
		}
		v.add(f+".inline", "%s", msg)
	}
}

func (v *validator) validateWait(f string, w *WaitAction) {
	n := 0
	if w.Pods != nil {
		n++
		if w.Pods.Namespace == "" {
			v.add(f+".pods.namespace", "namespace is required")
		}
		v.selector(f+".pods.selector", w.Pods.Selector)
	}
	if w.Condition != nil {
		n++
		v.objectRef(f+".condition", w.Condition.ObjectRef)
		if w.Condition.Type == "" {
			v.add(f+".condition.type", "the condition type (e.g. Available, Programmed) is required")
		}
		switch w.Condition.Status {
		case "", "True", "False", "Unknown":
		default:
			v.add(f+".condition.status", "status %q: use True, False or Unknown", w.Condition.Status)
		}
	}
	if w.IstioAccepted != nil {
		n++
		v.objectRef(f+".istioAccepted", *w.IstioAccepted)
	}
	if n != 1 {
		v.add(f, "set exactly one of pods, condition or istioAccepted")
	}
	v.nonNegative(f+".timeout", w.Timeout)
}

func (v *validator) objectRef(f string, r ObjectRef) {
	if r.APIVersion == "" || r.Kind == "" || r.Name == "" {
		v.add(f, "apiVersion, kind and name are required")
	}
	if r.APIVersion != "" {
		if _, err := schema.ParseGroupVersion(r.APIVersion); err != nil {
			v.add(f+".apiVersion", "apiVersion %q: %v", r.APIVersion, err)
		}
	}
}

func (v *validator) namespace(f, ns string) {
	if ns == "" {
		v.add(f+".namespace", "namespace is required")
		return
	}
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		v.add(f+".namespace", "namespace %q: %s", ns, strings.Join(errs, "; "))
	}
}

func (v *validator) selector(f, sel string) {
	if sel == "" {
		return
	}
	if _, err := labels.Parse(sel); err != nil {
		v.add(f, "selector %q: %v", sel, err)
	}
}

func (v *validator) oneOfKinds(f, kind string, allowed ...string) {
	if kind == "" {
		return
	}
	for _, a := range allowed {
		if kind == a {
			return
		}
	}
	v.add(f, "kind %q: use %s", kind, strings.Join(allowed, ", "))
}

func (v *validator) nonNegative(f string, d Duration) {
	if d.Duration < 0 {
		v.add(f, "must not be negative")
	}
}

// ParseGroupKind parses a scope kind: "group/Kind", "/Kind" or "Kind" for
// the core group.
func ParseGroupKind(s string) (schema.GroupKind, error) {
	group, kind, found := strings.Cut(s, "/")
	if !found {
		group, kind = "", s
	}
	if kind == "" || strings.Contains(kind, "/") {
		return schema.GroupKind{}, fmt.Errorf("kind %q: write group/Kind (apps/Deployment, networking.istio.io/VirtualService) or Kind for the core group", s)
	}
	if kind[0] < 'A' || kind[0] > 'Z' {
		return schema.GroupKind{}, fmt.Errorf("kind %q: kinds are capitalised (Deployment, not deployment)", s)
	}
	if group == "v1" || strings.HasPrefix(group, "v1") && !strings.Contains(group, ".") {
		return schema.GroupKind{}, fmt.Errorf("kind %q: write the group without version (networking.istio.io/VirtualService)", s)
	}
	return schema.GroupKind{Group: group, Kind: kind}, nil
}

// GroupKinds returns the scope's kinds parsed.
func (s Scope) GroupKinds() ([]schema.GroupKind, error) {
	out := make([]schema.GroupKind, 0, len(s.Kinds))
	for _, k := range s.Kinds {
		gk, err := ParseGroupKind(k)
		if err != nil {
			return nil, err
		}
		out = append(out, gk)
	}
	return out, nil
}
