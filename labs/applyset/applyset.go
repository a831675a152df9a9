package applyset

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// Label and annotation keys of the ApplySet specification (KEP-3659).
const (
	IDLabel                        = "applyset.kubernetes.io/id"
	PartOfLabel                    = "applyset.kubernetes.io/part-of"
	ToolingAnnotation              = "applyset.kubernetes.io/tooling"
	GroupKindsAnnotation           = "applyset.kubernetes.io/contains-group-kinds"
	AdditionalNamespacesAnnotation = "applyset.kubernetes.io/additional-namespaces"
)

// Tooling is the value of the tooling annotation on parents labctl owns;
// the specification wants <tool>/<version>.
const Tooling = "labctl/v1alpha1"

// FieldManager is the server-side apply field manager of the parent.
const FieldManager = "labctl-lab"

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// Parent names the parent object. labctl uses a ConfigMap, one of the two
// built-in parent types kubectl accepts.
type Parent struct {
	Name, Namespace string
}

// ParentFor returns the parent of a lab's set: ConfigMap labctl-lab-<lab> in
// namespace ns (the lab's first scope namespace).
func ParentFor(lab, ns string) Parent {
	return Parent{Name: "labctl-lab-" + lab, Namespace: ns}
}

// ID is the set's id: "applyset-" + base64url(sha256(name.namespace.kind.group))
// + "-v1", as the specification requires (kind ConfigMap, core group "").
func (p Parent) ID() string {
	sum := sha256.Sum256([]byte(strings.Join([]string{p.Name, p.Namespace, "ConfigMap", ""}, ".")))
	return "applyset-" + base64.RawURLEncoding.EncodeToString(sum[:]) + "-v1"
}

func (p Parent) String() string { return "ConfigMap " + p.Namespace + "/" + p.Name }

// Set is one ApplySet on a cluster.
type Set struct {
	Parent  Parent
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
}

// Contents is what the parent says the set contains.
type Contents struct {
	GroupKinds []schema.GroupKind
	// Namespaces are the parent's namespace plus the additional ones.
	Namespaces []string
}

// Label marks obj as a member of the set.
func (s *Set) Label(obj *unstructured.Unstructured) {
	l := obj.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[PartOfLabel] = s.Parent.ID()
	obj.SetLabels(l)
}

// Selector selects the set's members.
func (s *Set) Selector() string { return PartOfLabel + "=" + s.Parent.ID() }

// Read returns what the parent records; ok is false when there is no parent.
// A parent another tool manages is an error: the set is not labctl's to change.
func (s *Set) Read(ctx context.Context) (c Contents, ok bool, err error) {
	u, err := s.Dynamic.Resource(configMaps).Namespace(s.Parent.Namespace).Get(ctx, s.Parent.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Contents{}, false, nil
	}
	if err != nil {
		return Contents{}, false, fmt.Errorf("reading ApplySet parent %s: %w", s.Parent, err)
	}
	ann := u.GetAnnotations()
	if t := ann[ToolingAnnotation]; !strings.HasPrefix(t, "labctl/") {
		return Contents{}, false, fmt.Errorf("ApplySet parent %s is managed by %q, not labctl: rename or delete it", s.Parent, t)
	}
	if id := u.GetLabels()[IDLabel]; id != s.Parent.ID() {
		return Contents{}, false, fmt.Errorf("ApplySet parent %s has label %s=%q, want %q: delete it and start the lab again", s.Parent, IDLabel, id, s.Parent.ID())
	}
	for _, gk := range splitList(ann[GroupKindsAnnotation]) {
		c.GroupKinds = append(c.GroupKinds, schema.ParseGroupKind(gk))
	}
	c.Namespaces = append([]string{s.Parent.Namespace}, splitList(ann[AdditionalNamespacesAnnotation])...)
	return c, true, nil
}

// Write creates or updates the parent so it records c (the union of what
// it recorded and c: the specification wants the parent to list a superset
// of the members before they are applied; Shrink narrows it after a prune).
func (s *Set) Write(ctx context.Context, c Contents) error {
	old, _, err := s.Read(ctx)
	if err != nil {
		return err
	}
	return s.put(ctx, union(old, c))
}

// Shrink replaces the parent's record with exactly c.
func (s *Set) Shrink(ctx context.Context, c Contents) error { return s.put(ctx, c) }

func (s *Set) put(ctx context.Context, c Contents) error {
	gks := make([]string, 0, len(c.GroupKinds))
	for _, gk := range c.GroupKinds {
		gks = append(gks, gk.String())
	}
	var extra []string
	for _, ns := range c.Namespaces {
		if ns != "" && ns != s.Parent.Namespace {
			extra = append(extra, ns)
		}
	}
	ann := map[string]any{
		ToolingAnnotation:    Tooling,
		GroupKindsAnnotation: strings.Join(uniqSorted(gks), ","),
	}
	if len(extra) > 0 {
		ann[AdditionalNamespacesAnnotation] = strings.Join(uniqSorted(extra), ",")
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{
			"name": s.Parent.Name, "namespace": s.Parent.Namespace,
			"labels":      map[string]any{IDLabel: s.Parent.ID(), "app.kubernetes.io/managed-by": "labctl"},
			"annotations": ann,
		},
	}}
	_, err := s.Dynamic.Resource(configMaps).Namespace(s.Parent.Namespace).Apply(ctx, s.Parent.Name, obj,
		metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return fmt.Errorf("writing ApplySet parent %s: %w", s.Parent, err)
	}
	return nil
}

// Members lists the objects labelled as the set's members, of the kinds and
// in the namespaces the parent records. Kinds the cluster no longer serves
// (a CRD the lab removed) have no members.
func (s *Set) Members(ctx context.Context) ([]*unstructured.Unstructured, error) {
	c, ok, err := s.Read(ctx)
	if err != nil || !ok {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, gk := range c.GroupKinds {
		m, err := s.Mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ApplySet %s lists kind %s: %w", s.Parent, gk, err)
		}
		nss := c.Namespaces
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			nss = []string{""}
		}
		for _, ns := range nss {
			l, err := s.Dynamic.Resource(m.Resource).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: s.Selector()})
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("listing members of ApplySet %s (%s in %q): %w", s.Parent, gk, ns, err)
			}
			for i := range l.Items {
				out = append(out, &l.Items[i])
			}
		}
	}
	return out, nil
}

// Delete removes the parent; a missing parent is not an error.
func (s *Set) Delete(ctx context.Context) error {
	err := s.Dynamic.Resource(configMaps).Namespace(s.Parent.Namespace).Delete(ctx, s.Parent.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting ApplySet parent %s: %w", s.Parent, err)
	}
	return nil
}

// ContentsOf returns the group-kinds and namespaces of objs.
func ContentsOf(objs []*unstructured.Unstructured) Contents {
	var c Contents
	seen := map[schema.GroupKind]bool{}
	nss := map[string]bool{}
	for _, o := range objs {
		gk := o.GroupVersionKind().GroupKind()
		if !seen[gk] {
			seen[gk] = true
			c.GroupKinds = append(c.GroupKinds, gk)
		}
		if ns := o.GetNamespace(); ns != "" && !nss[ns] {
			nss[ns] = true
			c.Namespaces = append(c.Namespaces, ns)
		}
	}
	return c
}

func union(a, b Contents) Contents {
	out := Contents{GroupKinds: append(append([]schema.GroupKind{}, a.GroupKinds...), b.GroupKinds...)}
	out.Namespaces = append(append([]string{}, a.Namespaces...), b.Namespaces...)
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func uniqSorted(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}
