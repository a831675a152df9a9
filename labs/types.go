package labs

import (
	"io/fs"

	"github.com/labctl/labctl/internal/strictyaml"
	"github.com/labctl/labctl/verify"
)

// APIVersion and KindLab identify lab.yaml files.
const (
	APIVersion = "labctl.dev/v1alpha1"
	KindLab    = "Lab"
	// FileName is the name of the lab definition inside a lab folder.
	FileName = "lab.yaml"
)

// Duration is a Go duration string in YAML ("90s", "10m").
type Duration = verify.Duration

// Lab is one lab: the decoded lab.yaml plus where it came from.
type Lab struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`

	// FS holds the lab folder's files (lab.yaml at its root). Manifests and
	// Markdown are read through it, never from the host directly.
	FS fs.FS `json:"-"`
	// Source says where the lab came from: the folder on disk, or
	// "builtin:labs/samples/NAME" for an embedded lab.
	Source string `json:"-"`
	// Dir is the folder on disk, "" for a built-in lab.
	Dir string `json:"-"`

	// pos maps field paths ("spec.steps[0].solution[1].apply.file") to the
	// line they are written on, for problems found after decoding.
	pos strictyaml.Positions
}

// Metadata names and describes a lab.
type Metadata struct {
	// Name is the lab's id (a DNS label, e.g. "request-routing"); unique
	// across the catalogue.
	Name string `json:"name"`
	// Title is the one-line heading shown in `lab list`.
	Title string `json:"title"`
	// Description is a paragraph about what the learner will do.
	Description string `json:"description,omitempty"`
}

// Spec is what the lab needs and does.
type Spec struct {
	// Stack is the name of the stack the lab runs on (e.g. "minimal").
	Stack string `json:"stack"`
	// Modes are the mesh modes the lab supports: sidecar and/or ambient
	// (default: sidecar).
	Modes []string `json:"modes,omitempty"`
	// Duration is the estimated time a learner needs.
	Duration Duration `json:"duration,omitempty"`
	// Prerequisites are ids of labs to do first.
	Prerequisites []string `json:"prerequisites,omitempty"`
	// Scope is what belongs to the lab, which reset may prune.
	Scope Scope `json:"scope"`
	// Baseline is prepared at lab start and holds at the start of step 1.
	Baseline Baseline `json:"baseline,omitempty"`
	// Steps are done in order.
	Steps []Step `json:"steps"`
	// Cleanup actions run at lab stop, after the lab's own objects are
	// removed, to leave the environment as the lab found it.
	Cleanup []Action `json:"cleanup,omitempty"`
	// NeedsRealCluster, when set, says why the lab cannot run on a
	// simulated cluster (kwok): lab start refuses it there with this reason,
	// and labctl test reports it skipped with it.
	NeedsRealCluster string `json:"needsRealCluster,omitempty"`
}

// Scope names the namespaces and kinds that belong to the lab: reset
// deletes objects of these kinds in these namespaces that are not in the
// desired state.
type Scope struct {
	// Namespaces the lab may prune in.
	Namespaces []string `json:"namespaces"`
	// Kinds as group/Kind ("networking.istio.io/VirtualService",
	// "apps/Deployment"); the core group is "ConfigMap" or "/ConfigMap".
	Kinds []string `json:"kinds,omitempty"`
}

// Baseline is the state at the start of step 1 (and part of every reset's
// desired state).
type Baseline struct {
	// Setup actions are applied at lab start.
	Setup []Action `json:"setup,omitempty"`
	// Ready checks must pass before step 1 starts and after each reset.
	Ready []verify.Spec `json:"ready,omitempty"`
}

// Step is one step of a lab.
type Step struct {
	// ID is unique within the lab (a DNS label, e.g. "route-v1").
	ID    string `json:"id"`
	Title string `json:"title"`
	// Instructions is a Markdown file in the lab folder. Exactly one of
	// Instructions and Text is set.
	Instructions string `json:"instructions,omitempty"`
	// Text is the Markdown inline, for short steps.
	Text string `json:"text,omitempty"`
	// Hints are shown one at a time, in order.
	Hints []string `json:"hints,omitempty"`
	// Solution is the reference solution `lab solve` applies.
	Solution []Action `json:"solution"`
	// Checks pass once the step is done (the verify check types).
	Checks []verify.Spec `json:"checks"`
	// FailsBefore (default true) says the checks must fail before the
	// solution is applied; false for steps whose checks already hold.
	FailsBefore *bool `json:"failsBefore,omitempty"`
	// IstioMessages are Istio analyzer messages (istioctl analyze, Kiali
	// validations) that the state after this step's solution shows on
	// purpose, because the step teaches them; they stay allowed for later
	// steps. hack/istiocheck fails on any other Error or Warning.
	IstioMessages []IstioMessage `json:"istioMessages,omitempty"`
}

// IstioMessage is one Istio analyzer message a step shows on purpose.
type IstioMessage struct {
	// Code is the analyzer message code, e.g. IST0101.
	Code string `json:"code"`
	// Resource optionally narrows it to one object: "Kind namespace/name"
	// or "Kind name" (e.g. "VirtualService bookinfo/reviews").
	Resource string `json:"resource,omitempty"`
	// Reason says why the lab wants the learner to see it.
	Reason string `json:"reason"`
}

// MustFailBefore reports whether the step's checks must fail before its
// solution is applied (the default).
func (s Step) MustFailBefore() bool { return s.FailsBefore == nil || *s.FailsBefore }

// Modes of the mesh a lab can support.
const (
	ModeSidecar = "sidecar"
	ModeAmbient = "ambient"
)

// SupportedModes returns the lab's modes, sidecar when none are written.
func (l *Lab) SupportedModes() []string {
	if len(l.Spec.Modes) == 0 {
		return []string{ModeSidecar}
	}
	return l.Spec.Modes
}

// ID is the lab's id (metadata.name).
func (l *Lab) ID() string { return l.Metadata.Name }
