package labs

import (
	"fmt"
	"strings"
	"time"

	"github.com/labctl/labctl/verify"
)

// Action is one typed action: exactly one field is set. There is no host
// shell: everything an action does goes through the Kubernetes API or
// labctl's own traffic and load generators.
type Action struct {
	Apply          *ApplyAction          `json:"apply,omitempty"`
	Delete         *DeleteAction         `json:"delete,omitempty"`
	Label          *LabelAction          `json:"label,omitempty"`
	Unlabel        *UnlabelAction        `json:"unlabel,omitempty"`
	RolloutRestart *RolloutRestartAction `json:"rolloutRestart,omitempty"`
	Scale          *ScaleAction          `json:"scale,omitempty"`
	Wait           *WaitAction           `json:"wait,omitempty"`
	Traffic        *TrafficAction        `json:"traffic,omitempty"`
	Load           *LoadAction           `json:"load,omitempty"`
	Waypoint       *WaypointAction       `json:"waypoint,omitempty"`
	Exec           *ExecAction           `json:"exec,omitempty"`
	IstioRevision  *IstioRevisionAction  `json:"istioRevision,omitempty"`
}

// Action type names, as written in lab.yaml.
const (
	ActionApply          = "apply"
	ActionDelete         = "delete"
	ActionLabel          = "label"
	ActionUnlabel        = "unlabel"
	ActionRolloutRestart = "rolloutRestart"
	ActionScale          = "scale"
	ActionWait           = "wait"
	ActionTraffic        = "traffic"
	ActionLoad           = "load"
	ActionWaypoint       = "waypoint"
	ActionExec           = "exec"
	ActionIstioRevision  = "istioRevision"
)

// ActionTypes lists every action type, in documentation order.
var ActionTypes = []string{ActionApply, ActionDelete, ActionLabel, ActionUnlabel, ActionRolloutRestart,
	ActionScale, ActionWait, ActionTraffic, ActionLoad, ActionWaypoint, ActionExec, ActionIstioRevision}

func (a Action) types() []string {
	var set []string
	add := func(ok bool, name string) {
		if ok {
			set = append(set, name)
		}
	}
	add(a.Apply != nil, ActionApply)
	add(a.Delete != nil, ActionDelete)
	add(a.Label != nil, ActionLabel)
	add(a.Unlabel != nil, ActionUnlabel)
	add(a.RolloutRestart != nil, ActionRolloutRestart)
	add(a.Scale != nil, ActionScale)
	add(a.Wait != nil, ActionWait)
	add(a.Traffic != nil, ActionTraffic)
	add(a.Load != nil, ActionLoad)
	add(a.Waypoint != nil, ActionWaypoint)
	add(a.Exec != nil, ActionExec)
	add(a.IstioRevision != nil, ActionIstioRevision)
	return set
}

// Type returns the name of the action type that is set ("apply", ...), or
// "" when none or several are (validation reports those).
func (a Action) Type() string {
	if set := a.types(); len(set) == 1 {
		return set[0]
	}
	return ""
}

// String describes the action in a few words for progress lines
// ("apply manifests/vs.yaml", "label namespace httpbin").
func (a Action) String() string {
	switch {
	case a.Apply != nil:
		return "apply " + a.Apply.source()
	case a.Delete != nil:
		if a.Delete.Kind != "" {
			return fmt.Sprintf("delete %s %s", a.Delete.Kind, nsName(a.Delete.Namespace, a.Delete.Name))
		}
		return "delete " + a.Delete.Manifest.source()
	case a.Label != nil:
		return "label namespace " + a.Label.Namespace
	case a.Unlabel != nil:
		return fmt.Sprintf("unlabel namespace %s (%s)", a.Unlabel.Namespace, strings.Join(a.Unlabel.Keys, ", "))
	case a.RolloutRestart != nil:
		return fmt.Sprintf("rollout restart %s %s", a.RolloutRestart.kind(), nsName(a.RolloutRestart.Namespace, a.RolloutRestart.Name+a.RolloutRestart.Selector))
	case a.Scale != nil:
		return fmt.Sprintf("scale %s %s", a.Scale.kind(), nsName(a.Scale.Namespace, a.Scale.Name))
	case a.Wait != nil:
		return "wait for " + a.Wait.what()
	case a.Traffic != nil:
		return "traffic " + a.Traffic.State
	case a.Load != nil:
		return "load " + a.Load.Target
	case a.Waypoint != nil:
		return fmt.Sprintf("waypoint %s %s", a.Waypoint.Action, nsName(a.Waypoint.Namespace, a.Waypoint.name()))
	case a.Exec != nil:
		return fmt.Sprintf("exec in %s: %s", nsName(a.Exec.Namespace, a.Exec.Pod+a.Exec.Selector), strings.Join(a.Exec.Command, " "))
	case a.IstioRevision != nil:
		r := a.IstioRevision
		if r.Remove {
			return "remove Istio revision " + r.Revision
		}
		return fmt.Sprintf("install Istio revision %s (%s)", r.Revision, orDefault(r.Version, "the environment's version"))
	}
	return "(no action)"
}

func nsName(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// Manifest is a set of Kubernetes objects: a file of the lab folder (YAML,
// several documents allowed) or the YAML inline. Exactly one is set.
type Manifest struct {
	// File is a path relative to the lab folder; it must stay inside it.
	File string `json:"file,omitempty"`
	// Inline is the YAML of the objects.
	Inline string `json:"inline,omitempty"`
	// Namespace is used for namespaced objects that name none.
	Namespace string `json:"namespace,omitempty"`
}

func (m Manifest) source() string {
	if m.File != "" {
		return m.File
	}
	return "inline objects"
}

// ApplyAction server-side applies the objects of a manifest.
type ApplyAction struct {
	Manifest `json:",inline"`
}

// DeleteAction deletes the objects of a manifest, or one object named by
// APIVersion, Kind, Name (and Namespace). Objects already gone are fine.
type DeleteAction struct {
	Manifest   `json:",inline"`
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
}

// LabelAction sets labels on a namespace (e.g. istio-injection: enabled).
type LabelAction struct {
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
}

// UnlabelAction removes label keys from a namespace.
type UnlabelAction struct {
	Namespace string   `json:"namespace"`
	Keys      []string `json:"keys"`
}

// RolloutRestartAction restarts workloads the way `kubectl rollout restart`
// does (a pod-template annotation) and waits for the rollout.
type RolloutRestartAction struct {
	Namespace string `json:"namespace"`
	// Kind is Deployment (default), StatefulSet or DaemonSet.
	Kind string `json:"kind,omitempty"`
	// Name picks one workload; Selector (labels) picks every matching one.
	// With neither, every workload of Kind in the namespace restarts.
	Name     string   `json:"name,omitempty"`
	Selector string   `json:"selector,omitempty"`
	Timeout  Duration `json:"timeout,omitempty"`
}

func (r *RolloutRestartAction) kind() string { return orDefault(r.Kind, "Deployment") }

// ScaleAction sets the replicas of a workload.
type ScaleAction struct {
	Namespace string `json:"namespace"`
	// Kind is Deployment (default) or StatefulSet.
	Kind     string `json:"kind,omitempty"`
	Name     string `json:"name"`
	Replicas *int32 `json:"replicas"`
}

func (s *ScaleAction) kind() string { return orDefault(s.Kind, "Deployment") }

// WaitAction waits for exactly one of: pods, a condition on an object, or
// Istio accepting a config object.
type WaitAction struct {
	// Pods waits until the pods match (same fields as the pods check).
	Pods *verify.PodsSpec `json:"pods,omitempty"`
	// Condition waits for a status condition of an object.
	Condition *ConditionWait `json:"condition,omitempty"`
	// IstioAccepted waits until Istio accepted a config object (Gateway API
	// Accepted condition, or no validation error in its status).
	IstioAccepted *ObjectRef `json:"istioAccepted,omitempty"`
	// Timeout bounds the wait (default 2m).
	Timeout Duration `json:"timeout,omitempty"`
}

func (w *WaitAction) what() string {
	switch {
	case w.Pods != nil:
		return "pods in " + w.Pods.Namespace
	case w.Condition != nil:
		return fmt.Sprintf("%s %s %s=%s", w.Condition.Kind, nsName(w.Condition.Namespace, w.Condition.Name), w.Condition.Type, w.Condition.conditionStatus())
	case w.IstioAccepted != nil:
		return fmt.Sprintf("Istio to accept %s %s", w.IstioAccepted.Kind, nsName(w.IstioAccepted.Namespace, w.IstioAccepted.Name))
	}
	return "nothing"
}

// ObjectRef names one object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// ConditionWait names an object and the condition it must reach.
type ConditionWait struct {
	ObjectRef `json:",inline"`
	// Type of the condition (Available, Ready, Programmed, ...).
	Type string `json:"type"`
	// Status wanted: "True" (default), "False" or "Unknown".
	Status string `json:"status,omitempty"`
}

func (c *ConditionWait) conditionStatus() string { return orDefault(c.Status, "True") }

// Traffic states.
const (
	TrafficOn  = "on"
	TrafficOff = "off"
)

// TrafficAction turns the environment's background traffic generator on or
// off, optionally at a new rate.
type TrafficAction struct {
	// State is "on" or "off".
	State string `json:"state"`
	// Rate is requests per second while on (default: the stack's rate).
	Rate float64 `json:"rate,omitempty"`
}

// Bounds of a load action.
const (
	// DefaultLoadDuration is a load's duration when it sets neither
	// duration nor requests.
	DefaultLoadDuration = 10 * time.Second
	// MaxLoadDuration bounds a load's run: a longer duration, or more
	// requests than the rate sends in it, is a lint error, and a run at
	// full speed that has not sent its requests by then fails.
	MaxLoadDuration = 5 * time.Minute
)

// LoadAction runs labctl's built-in load generator once and waits for it.
type LoadAction struct {
	// Target is an app name of the stack ("httpbin") or a URL path on it
	// ("httpbin/get"), resolved like `labctl load` (internal/appurl).
	Target string `json:"target"`
	// RPS is the request rate; 0 means as fast as possible.
	RPS float64 `json:"rps,omitempty"`
	// Duration of the run; or Requests for a fixed count. Neither: 10s.
	// At most 5m.
	Duration Duration `json:"duration,omitempty"`
	Requests int      `json:"requests,omitempty"`
	// Connections is the number of concurrent connections (default 1).
	Connections int `json:"connections,omitempty"`
	// InCluster sends the load from a fortio Job in the app's namespace to
	// the app's Service (like `labctl load --in-cluster`) instead of from
	// this machine through the ingress.
	InCluster bool              `json:"inCluster,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
}

// Waypoint operations and targets.
const (
	WaypointDeploy = "deploy"
	WaypointRemove = "remove"
)

// WaypointAction deploys or removes an ambient waypoint proxy (a Gateway
// of class istio-waypoint) for a namespace.
type WaypointAction struct {
	Namespace string `json:"namespace"`
	// Name of the waypoint (default "waypoint").
	Name string `json:"name,omitempty"`
	// Action is "deploy" or "remove".
	Action string `json:"action"`
	// For is the traffic type: service (default), workload or all.
	For string `json:"for,omitempty"`
	// Enroll labels the namespace to use the waypoint (deploy only).
	Enroll bool `json:"enroll,omitempty"`
}

func (w *WaypointAction) name() string { return orDefault(w.Name, "waypoint") }

// ExecAction runs a command in a container of a pod, through the
// Kubernetes API (never a host shell).
type ExecAction struct {
	Namespace string `json:"namespace"`
	// Pod names the pod; Selector (labels) picks the first Ready match.
	Pod       string   `json:"pod,omitempty"`
	Selector  string   `json:"selector,omitempty"`
	Container string   `json:"container,omitempty"`
	Command   []string `json:"command"`
	Timeout   Duration `json:"timeout,omitempty"`
}

// IstioRevisionAction installs, changes or removes a second Istio control
// plane next to the environment's own: the istiod chart as Helm release
// istiod-<revision> in istio-system, from the chart repository of labctl's
// version lock, with the values of the environment's istiod release plus
// the revision and its revision tags. It is what
//
//	helm install istiod-<revision> istio/istiod -n istio-system --version <version> \
//	  --set revision=<revision> --set revisionTags={<tags>}
//
// does (a canary upgrade). Reset and stop remove the revisions the lab
// installed.
type IstioRevisionAction struct {
	// Revision is the control plane's revision (the istio.io/rev label
	// namespaces use): a DNS label, not "default".
	Revision string `json:"revision"`
	// Version is an Istio minor ("1.32") or patch of labctl's version lock;
	// default the environment's Istio version.
	Version string `json:"version,omitempty"`
	// Tags are revision tags that point at this revision (the chart's
	// revisionTags): namespaces labelled istio.io/rev=<tag> use it.
	Tags []string `json:"tags,omitempty"`
	// Remove uninstalls the revision (version and tags must be unset).
	Remove bool `json:"remove,omitempty"`
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
