package scope

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// Scope is what a lab may touch and prune.
type Scope struct {
	Namespaces []string
	Kinds      []schema.GroupKind
}

// Key identifies an object independent of its API version.
type Key struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// KeyOf returns obj's key.
func KeyOf(obj *unstructured.Unstructured) Key {
	gvk := obj.GroupVersionKind()
	return Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// GroupKind returns the key's group-kind.
func (k Key) GroupKind() schema.GroupKind { return schema.GroupKind{Group: k.Group, Kind: k.Kind} }

func (k Key) String() string {
	kind := k.Kind
	if k.Group != "" {
		kind += "." + k.Group
	}
	if k.Namespace == "" {
		return kind + " " + k.Name
	}
	return kind + " " + k.Namespace + "/" + k.Name
}

// Object is one object of a snapshot.
type Object struct {
	Key        Key    `json:"key"`
	APIVersion string `json:"apiVersion"`
	// Content is the object with server-managed fields removed (Normalize).
	Content map[string]any `json:"content"`
}

// Unstructured returns the object as applyable content.
func (o Object) Unstructured() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: deepCopy(o.Content)}
}

// Snapshot is the state of a scope at one time.
type Snapshot struct {
	Taken   time.Time `json:"taken"`
	Scope   Scope     `json:"scope"`
	Objects []Object  `json:"objects"`
}

// Index returns the objects by key.
func (s *Snapshot) Index() map[Key]Object {
	m := make(map[Key]Object, len(s.Objects))
	for _, o := range s.Objects {
		m[o.Key] = o
	}
	return m
}

// Lister reads a scope from a cluster.
type Lister struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// Ignore, when set, leaves objects out of every listing (the ApplySet
	// parent, which the engine manages itself).
	Ignore func(Key) bool
}

var namespaces = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// List returns the live objects of sc: its namespaces (those that exist)
// and every object of its kinds in them (cluster-scoped kinds: all of
// them). Objects a controller owns (ownerReferences) and the objects
// Kubernetes and Istio put in every namespace are left out: they are not
// the lab's to compare or prune.
func (l *Lister) List(ctx context.Context, sc Scope) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, ns := range sc.Namespaces {
		u, err := l.Dynamic.Resource(namespaces).Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading namespace %s: %w", ns, err)
		}
		out = append(out, u)
	}
	for _, gk := range sc.Kinds {
		if gk.Group == "" && gk.Kind == "Namespace" {
			continue // the scope's namespaces are listed above
		}
		m, err := l.Mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue // a CRD not installed (yet): nothing of that kind exists
		}
		if err != nil {
			return nil, fmt.Errorf("looking up kind %s of the lab's scope: %w", gk, err)
		}
		nss := sc.Namespaces
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			nss = []string{""}
		}
		for _, ns := range nss {
			items, err := l.Dynamic.Resource(m.Resource).Namespace(ns).List(ctx, metav1.ListOptions{})
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("listing %s in namespace %q: %w", gk, ns, err)
			}
			for i := range items.Items {
				u := &items.Items[i]
				if l.skip(u) {
					continue
				}
				out = append(out, u)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(KeyOf(out[i]), KeyOf(out[j])) })
	return out, nil
}

func (l *Lister) skip(u *unstructured.Unstructured) bool {
	if len(u.GetOwnerReferences()) > 0 || Builtin(u) {
		return true
	}
	return l.Ignore != nil && l.Ignore(KeyOf(u))
}

// Builtin reports objects Kubernetes or Istio create in every namespace.
func Builtin(u *unstructured.Unstructured) bool {
	switch u.GetKind() {
	case "ConfigMap":
		n := u.GetName()
		return n == "kube-root-ca.crt" || n == "istio-ca-root-cert"
	case "ServiceAccount":
		return u.GetName() == "default"
	case "Secret":
		t, _, _ := unstructured.NestedString(u.Object, "type")
		return t == "kubernetes.io/service-account-token"
	}
	return false
}

// Take lists sc and records it.
func (l *Lister) Take(ctx context.Context, sc Scope, now time.Time) (*Snapshot, error) {
	items, err := l.List(ctx, sc)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Taken: now, Scope: sc}
	for _, u := range items {
		s.Objects = append(s.Objects, Object{Key: KeyOf(u), APIVersion: u.GetAPIVersion(), Content: Normalize(u)})
	}
	return s, nil
}

func less(a, b Key) bool {
	return strings.Join([]string{a.Group, a.Kind, a.Namespace, a.Name}, "\x00") <
		strings.Join([]string{b.Group, b.Kind, b.Namespace, b.Name}, "\x00")
}
