package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/verify"
)

// Run is one end-to-end run: an environment brought up on kind, its smoke
// checks and labs, and its removal.
type Run struct {
	// ID names the run, its environment (EnvName) and its reports.
	ID string `json:"id"`
	// Name is the run as a person reads it (the GitHub job name).
	Name  string `json:"name"`
	Stack string `json:"stack"`
	Mode  string `json:"mode"`
	// Istio is the minor of the lock `labctl up --istio-version` gets.
	Istio string `json:"istio"`
	// Ingress is the mesh.ingress.mode the stack is brought up with.
	Ingress string `json:"ingress"`
	// Labs are the ids `labctl test` runs on the environment (may be empty:
	// the smoke checks still run).
	Labs []string `json:"labs"`
}

// EnvName is the labctl environment (and kind cluster) of the run.
func (r Run) EnvName() string { return "e2e-" + r.ID }

// Plan lists the runs: every built-in stack in its own mode at the lock's
// default Istio; every other (stack, mode) some lab needs; the default stack
// at the oldest and at the newest Istio minor of the lock (when they are not
// the default); and the default stack with Gateway API ingress.
func Plan(v *stacks.Versions, cat *labs.Catalog) ([]Run, error) {
	def := stacks.Minor(v.Istio.Version)
	var runs []Run
	seen := map[string]bool{}
	add := func(stack, mode, istio, ingress string) error {
		r := Run{Stack: stack, Mode: mode, Istio: istio, Ingress: ingress, Labs: []string{}}
		s, err := stacks.Load(stack, stacks.Options{Mode: mode, IstioVersion: istio, Provider: "kind", Sets: r.Sets()})
		if err != nil {
			return fmt.Errorf("stack %s in %s mode at Istio %s: %w", stack, mode, istio, err)
		}
		r.Ingress = s.Spec.Mesh.Ingress.Mode
		ownMode := stackMode(stack)
		parts := []string{stack}
		if mode != ownMode {
			parts = append(parts, mode)
		}
		if istio != def {
			parts = append(parts, "istio"+strings.ReplaceAll(istio, ".", "-"))
		}
		if r.Ingress != stacks.IngressIstio {
			parts = append(parts, r.Ingress)
		}
		r.ID = strings.Join(parts, "-")
		if seen[r.ID] {
			return nil
		}
		seen[r.ID] = true
		if err := state.ValidateName(r.EnvName()); err != nil {
			return fmt.Errorf("run %s: %w", r.ID, err)
		}
		r.Name = fmt.Sprintf("%s · %s · Istio %s · %s ingress", stack, mode, istio, r.Ingress)
		for _, l := range cat.List() {
			if l.Spec.Stack == stack && slices.Contains(l.SupportedModes(), mode) {
				r.Labs = append(r.Labs, l.ID())
			}
		}
		runs = append(runs, r)
		return nil
	}
	for _, name := range stacks.BuiltinNames() {
		if err := add(name, stackMode(name), def, ""); err != nil {
			return nil, err
		}
	}
	for _, l := range cat.List() {
		for _, m := range l.SupportedModes() {
			if err := add(l.Spec.Stack, m, def, ""); err != nil {
				return nil, err
			}
		}
	}
	rels := v.Releases() // newest first
	for _, r := range []stacks.IstioRelease{rels[len(rels)-1], rels[0]} {
		if err := add(defaultStack, stackMode(defaultStack), r.Minor(), ""); err != nil {
			return nil, err
		}
	}
	if err := add(defaultStack, stackMode(defaultStack), def, stacks.IngressGatewayAPI); err != nil {
		return nil, err
	}
	return runs, nil
}

// defaultStack is the stack `labctl up` brings up without --stack.
const defaultStack = "bookinfo"

// stackMode is the mesh mode a built-in stack is shipped with.
func stackMode(name string) string {
	s, err := stacks.Load(name, stacks.Options{})
	if err != nil {
		return stacks.ModeSidecar
	}
	return s.Spec.Mesh.Mode
}

// Find returns the run with that id.
func Find(runs []Run, id string) (Run, error) {
	var ids []string
	for _, r := range runs {
		if r.ID == id {
			return r, nil
		}
		ids = append(ids, r.ID)
	}
	return Run{}, fmt.Errorf("no end-to-end run %q: use one of %s", id, strings.Join(ids, ", "))
}

// smokeTimeout bounds each smoke check: a freshly brought up gateway can
// take a while to be programmed and to pass traffic.
const (
	smokeTimeout        = 5 * time.Minute
	smokeInterval       = 2 * time.Second
	smokeRequestTimeout = 10 * time.Second
)

// SmokeChecks are the checks that prove, before any lab, that every app of
// the run's stack answers through the ingress from the host: the port
// mapping, the gateway and the app's routes all work.
func SmokeChecks(r Run) (*verify.CheckSet, error) {
	s, err := stacks.Load(r.Stack, stacks.Options{Mode: r.Mode, IstioVersion: r.Istio, Provider: "kind", Sets: r.Sets()})
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", r.Stack, err)
	}
	cs := &verify.CheckSet{APIVersion: verify.CheckSetAPIVersion, Kind: verify.CheckSetKind,
		Metadata: verify.Metadata{Name: "e2e-" + r.ID, Description: "every app of stack " + r.Stack + " answers through the ingress"}}
	for _, a := range s.Spec.Apps {
		if a.Ingress == nil {
			continue
		}
		cs.Checks = append(cs.Checks, verify.Spec{
			Name:      a.Name + "-through-ingress",
			Timeout:   verify.Duration{Duration: smokeTimeout},
			Interval:  verify.Duration{Duration: smokeInterval},
			Successes: 3,
			Hint:      fmt.Sprintf("labctl status --name %s shows the ingress URL; are the %s pods and the ingress gateway Ready?", r.EnvName(), a.Name),
			HTTP:      &verify.HTTPSpec{Target: verify.Target{App: a.Name, RequestTimeout: verify.Duration{Duration: smokeRequestTimeout}}, Expect: verify.HTTPExpect{Status: []int{200}}},
		})
	}
	if len(cs.Checks) == 0 {
		return nil, nil
	}
	return cs, nil
}

// Sets are the --set overrides `labctl up` needs for the run.
func (r Run) Sets() []string {
	if r.Ingress == "" || r.Ingress == stacks.IngressIstio {
		return nil
	}
	return []string{"mesh.ingress.mode=" + r.Ingress}
}
