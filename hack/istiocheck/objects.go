package main

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/stacks/install"
)

// Object is one Kubernetes object and where it came from: a lab manifest
// ("labs/bookinfo/request-routing/manifests/vs.yaml") or a part of the
// stack ("stack bookinfo: chart bookinfo").
type Object struct {
	Source string
	U      *unstructured.Unstructured
}

// key identifies an object the way the API server does: group, kind,
// namespace and name (the version does not matter).
func key(u *unstructured.Unstructured) string {
	gvk := u.GroupVersionKind()
	return gvk.Group + "/" + gvk.Kind + "/" + u.GetNamespace() + "/" + u.GetName()
}

// describe names an object as istioctl does: "VirtualService bookinfo/reviews".
func describe(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + " " + u.GetName()
	}
	return u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
}

// clusterScoped are the cluster-scoped kinds the checked manifests can hold;
// every other kind gets the default namespace when it names none.
var clusterScoped = map[string]bool{
	"/Namespace": true, "rbac.authorization.k8s.io/ClusterRole": true,
	"rbac.authorization.k8s.io/ClusterRoleBinding": true, "apiextensions.k8s.io/CustomResourceDefinition": true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":   true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration": true,
	"gateway.networking.k8s.io/GatewayClass":                      true, "scheduling.k8s.io/PriorityClass": true,
	"storage.k8s.io/StorageClass": true,
}

func isClusterScoped(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return clusterScoped[gvk.Group+"/"+gvk.Kind]
}

// decode parses a multi-document manifest, giving namespaced objects that
// name no namespace the namespace ns. source names the manifest in errors.
func decode(source string, data []byte, ns string) ([]Object, error) {
	us, err := install.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	var out []Object
	for i, u := range us {
		if u.GetKind() == "" || u.GetAPIVersion() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("%s: document %d: an object needs apiVersion, kind and metadata.name", source, i)
		}
		if strings.HasSuffix(u.GetKind(), "List") {
			return nil, fmt.Errorf("%s: document %d: %s: write the objects one per document instead of a List", source, i, u.GetKind())
		}
		if !isClusterScoped(u) && u.GetNamespace() == "" {
			if ns == "" {
				ns = "default"
			}
			u.SetNamespace(ns)
		}
		out = append(out, Object{Source: source, U: u})
	}
	return out, nil
}

// Set is the objects present in the cluster at one point: applying an object
// replaces the one with the same key.
type Set struct {
	order []string
	objs  map[string]Object
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{objs: map[string]Object{}} }

// Apply adds or replaces objects.
func (s *Set) Apply(objs ...Object) {
	for _, o := range objs {
		k := key(o.U)
		if _, ok := s.objs[k]; !ok {
			s.order = append(s.order, k)
		}
		s.objs[k] = o
	}
}

// Delete removes the objects with the same keys; missing ones are fine.
func (s *Set) Delete(objs ...Object) {
	for _, o := range objs {
		delete(s.objs, key(o.U))
	}
}

// Get returns the object with the key of u.
func (s *Set) Get(group, kind, namespace, name string) (Object, bool) {
	o, ok := s.objs[group+"/"+kind+"/"+namespace+"/"+name]
	return o, ok
}

// Objects returns the objects in the order they were first applied.
func (s *Set) Objects() []Object {
	out := make([]Object, 0, len(s.objs))
	for _, k := range s.order {
		if o, ok := s.objs[k]; ok {
			out = append(out, o)
		}
	}
	return out
}

// Clone returns an independent copy (objects are deep-copied).
func (s *Set) Clone() *Set {
	c := NewSet()
	for _, o := range s.Objects() {
		c.Apply(Object{Source: o.Source, U: o.U.DeepCopy()})
	}
	return c
}

// bySource groups objects into one YAML stream per source, sources sorted.
func bySource(objs []Object) (names []string, streams map[string]string, err error) {
	streams = map[string]string{}
	for _, o := range objs {
		b, err := yaml.Marshal(o.U.Object)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", o.Source, describe(o.U), err)
		}
		if _, ok := streams[o.Source]; !ok {
			names = append(names, o.Source)
		}
		streams[o.Source] += "---\n" + string(b)
	}
	sort.Strings(names)
	return names, streams, nil
}
