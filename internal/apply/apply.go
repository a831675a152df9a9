package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/labctl/labctl/internal/state"
)

// DefaultFieldManager is the server-side apply field manager of labctl's
// installer.
const DefaultFieldManager = "labctl"

// Plan is what an Apply is about to change, handed to the Recorder before
// the first write.
type Plan struct {
	// New are the objects that do not exist yet (Namespaces included): the
	// apply creates them, so they are the environment's to delete.
	New []state.ObjectRef
	// Labels are the labels the apply sets or changes on Namespaces that
	// exist already, so cleanup can take them off again.
	Labels []state.NamespaceLabel
}

// Recorder persists a Plan (in the environment record) before Apply writes
// anything; an error stops the apply.
type Recorder func(ctx context.Context, p Plan) error

// Options tune one Apply.
type Options struct {
	// FieldManager owns the applied fields; "" means DefaultFieldManager.
	FieldManager string
	// Force takes over fields other managers own (kubectl, a controller)
	// instead of failing with a conflict.
	Force bool
	// Record is called with the Plan before the first write; nil records
	// nothing (only for callers that clean up by other means).
	Record Recorder
}

// Result is what an Apply did.
type Result struct {
	Plan Plan
	// Applied are the objects applied, in order (all of them on success).
	Applied []state.ObjectRef
}

// Applier applies objects to one cluster.
type Applier struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
}

// target is one object with its client and what exists of it now.
type target struct {
	obj     *unstructured.Unstructured
	ref     state.ObjectRef
	ri      dynamic.ResourceInterface
	current *unstructured.Unstructured // nil when it does not exist
}

// Apply records objs (Options.Record) and then server-side applies each. An
// object without a namespace of a namespaced kind goes to "default".
func (a *Applier) Apply(ctx context.Context, objs []*unstructured.Unstructured, o Options) (Result, error) {
	var res Result
	targets, err := a.prepare(ctx, objs)
	if err != nil {
		return res, err
	}
	res.Plan = plan(targets)
	if o.Record != nil {
		if err := o.Record(ctx, res.Plan); err != nil {
			return res, fmt.Errorf("recording the objects before applying them: %w", err)
		}
	}
	manager := o.FieldManager
	if manager == "" {
		manager = DefaultFieldManager
	}
	for _, t := range targets {
		if err := write(ctx, t, manager, o.Force); err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, t.ref)
	}
	return res, nil
}

// write applies one object. Namespaces are the exception to server-side
// apply: one that exists gets its labels merged in, a new one is created
// (merged into if another run created it meanwhile). Two applies of the same
// manager could otherwise take each other's labels off a shared namespace.
func write(ctx context.Context, t target, manager string, force bool) error {
	if isNamespace(t.ref) {
		if t.current == nil {
			_, err := t.ri.Create(ctx, t.obj, metav1.CreateOptions{FieldManager: manager})
			if err == nil {
				return nil
			}
			if !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("creating %s: %w", describe(t.ref), err)
			}
		}
		if len(t.obj.GetLabels()) == 0 {
			return nil
		}
		body, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": t.obj.GetLabels()}})
		if err != nil {
			return err
		}
		if _, err := t.ri.Patch(ctx, t.ref.Name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: manager}); err != nil {
			return fmt.Errorf("labelling %s: %w", describe(t.ref), err)
		}
		return nil
	}
	js, err := t.obj.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s: %w", describe(t.ref), err)
	}
	if _, err := t.ri.Patch(ctx, t.ref.Name, types.ApplyPatchType, js, metav1.PatchOptions{FieldManager: manager, Force: &force}); err != nil {
		if apierrors.IsConflict(err) && !force {
			return fmt.Errorf("applying %s: %w (another field manager owns these fields: apply with force to take them over)", describe(t.ref), err)
		}
		return fmt.Errorf("applying %s: %w", describe(t.ref), err)
	}
	return nil
}

// prepare maps and reads every object, so a bad one stops the apply before
// anything is written.
func (a *Applier) prepare(ctx context.Context, objs []*unstructured.Unstructured) ([]target, error) {
	targets := make([]target, 0, len(objs))
	var errs []error
	for _, obj := range objs {
		t, err := a.target(ctx, obj)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		targets = append(targets, t)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("nothing was applied: %w", errors.Join(errs...))
	}
	return targets, nil
}

func (a *Applier) target(ctx context.Context, obj *unstructured.Unstructured) (target, error) {
	ref := state.ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Name: obj.GetName(), Namespace: obj.GetNamespace()}
	if ref.Kind == "" || ref.APIVersion == "" || ref.Name == "" {
		return target{}, fmt.Errorf("%s: an object needs apiVersion, kind and metadata.name", describe(ref))
	}
	gvk := obj.GroupVersionKind()
	mapping, err := a.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return target{}, fmt.Errorf("%s: the cluster does not serve %s (is its CRD installed?): %w", describe(ref), gvk, err)
	}
	var ri dynamic.ResourceInterface = a.Dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if ref.Namespace == "" {
			ref.Namespace = metav1.NamespaceDefault
		}
		if obj.GetNamespace() == "" {
			obj = obj.DeepCopy()
			obj.SetNamespace(ref.Namespace)
		}
		ri = a.Dynamic.Resource(mapping.Resource).Namespace(ref.Namespace)
	} else {
		ref.Namespace = ""
	}
	cur, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		cur = nil
	case err != nil:
		return target{}, fmt.Errorf("reading %s: %w", describe(ref), err)
	case cur.GetDeletionTimestamp() != nil:
		return target{}, fmt.Errorf("%s is being deleted: wait for it to go (a previous `labctl down` or reset may still be finishing), then run again", describe(ref))
	}
	return target{obj: obj, ref: ref, ri: ri, current: cur}, nil
}

// plan lists the objects to create and the labels to add to namespaces
// that exist.
func plan(targets []target) Plan {
	var p Plan
	for _, t := range targets {
		if t.current == nil {
			p.New = append(p.New, t.ref)
			continue
		}
		if !isNamespace(t.ref) {
			continue
		}
		have := t.current.GetLabels()
		for k, v := range t.obj.GetLabels() {
			if cur, ok := have[k]; !ok || cur != v {
				p.Labels = append(p.Labels, state.NamespaceLabel{Namespace: t.ref.Name, Key: k, Value: v})
			}
		}
	}
	sortLabels(p.Labels)
	return p
}

func isNamespace(r state.ObjectRef) bool { return r.Kind == "Namespace" && r.APIVersion == "v1" }

func describe(r state.ObjectRef) string {
	name := r.Name
	if name == "" {
		name = "(no name)"
	}
	if r.Namespace != "" {
		name = r.Namespace + "/" + name
	}
	return fmt.Sprintf("%s %s", r.Kind, name)
}
