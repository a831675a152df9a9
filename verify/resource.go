package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// ResourceSpec checks any object, Istio and Gateway API kinds included: it
// exists, is absent, or partially matches the given fields.
type ResourceSpec struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Namespace is ignored for cluster-scoped kinds.
	Namespace string `json:"namespace,omitempty"`
	// Name picks one object; Selector (labels) picks every matching one.
	Name     string `json:"name,omitempty"`
	Selector string `json:"selector,omitempty"`
	// Absent wants no such object.
	Absent bool `json:"absent,omitempty"`
	// Match is a fragment every selected object must contain: maps are
	// subsets, lists match element-wise in order, scalars are equal.
	Match map[string]any `json:"match,omitempty"`
}

func (r *ResourceSpec) validate() error {
	if r.APIVersion == "" || r.Kind == "" {
		return errors.New("apiVersion and kind are required")
	}
	if _, err := schema.ParseGroupVersion(r.APIVersion); err != nil {
		return fmt.Errorf("apiVersion %q: %w", r.APIVersion, err)
	}
	if (r.Name == "") == (r.Selector == "") {
		return errors.New("set exactly one of name or selector")
	}
	if _, err := labels.Parse(r.Selector); err != nil {
		return fmt.Errorf("selector %q: %w", r.Selector, err)
	}
	if r.Absent && len(r.Match) > 0 {
		return errors.New("absent and match exclude each other")
	}
	return nil
}

type resourceProber struct {
	spec   *ResourceSpec
	client dynamic.Interface
	mapper meta.RESTMapper
}

func newResourceProber(s *ResourceSpec, env *Env) (prober, error) {
	if env.Dynamic == nil {
		return nil, errMissing("a Kubernetes dynamic client", "point labctl at a cluster (--kubeconfig/--context or --name)")
	}
	mapper := env.Mapper
	if mapper == nil {
		if env.Kube == nil {
			return nil, errMissing("a REST mapper or Kubernetes client", "point labctl at a cluster")
		}
		mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(env.Kube.Discovery()))
	}
	return resourceProber{spec: s, client: env.Dynamic, mapper: mapper}, nil
}

func (p resourceProber) ref() string {
	s := p.spec
	what := s.Kind + " " + s.Name
	if s.Name == "" {
		what = s.Kind + " objects with labels " + s.Selector
	}
	if s.Namespace != "" {
		what += " in namespace " + s.Namespace
	}
	return what
}

func (p resourceProber) expected() string {
	switch {
	case p.spec.Absent:
		return p.ref() + " absent"
	case len(p.spec.Match) > 0:
		return p.ref() + " matching the given fields"
	}
	return p.ref() + " present"
}

func (p resourceProber) probe(ctx context.Context) (attempt, error) {
	s := p.spec
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	gv, _ := schema.ParseGroupVersion(s.APIVersion)
	gk := schema.GroupKind{Group: gv.Group, Kind: s.Kind}
	a := attempt{expected: p.expected()}
	mapping, err := p.mapper.RESTMapping(gk, gv.Version)
	if meta.IsNoMatchError(err) {
		// Discovery may predate a CRD installed by this very step.
		if r, ok := p.mapper.(interface{ Reset() }); ok {
			r.Reset()
			mapping, err = p.mapper.RESTMapping(gk, gv.Version)
		}
	}
	if meta.IsNoMatchError(err) {
		a.observed = fmt.Sprintf("kind %s is not served by the cluster", gk)
		if s.Absent {
			a.pass = true
			return a, nil
		}
		a.message = fmt.Sprintf("the API server does not know %s %s: is its CRD installed?", s.APIVersion, s.Kind)
		return a, nil
	}
	if err != nil {
		return attempt{}, fmt.Errorf("resolving %s %s: %w", s.APIVersion, s.Kind, err)
	}
	var ri dynamic.ResourceInterface = p.client.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = p.client.Resource(mapping.Resource).Namespace(s.Namespace)
	}
	var objs []unstructured.Unstructured
	if s.Name != "" {
		obj, err := ri.Get(ctx, s.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return attempt{}, fmt.Errorf("getting %s: %w", p.ref(), err)
		default:
			objs = append(objs, *obj)
		}
	} else {
		list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: s.Selector})
		if err != nil {
			return attempt{}, fmt.Errorf("listing %s: %w", p.ref(), err)
		}
		objs = list.Items
	}
	return p.evaluate(a, objs), nil
}

func (p resourceProber) evaluate(a attempt, objs []unstructured.Unstructured) attempt {
	s := p.spec
	names := make([]string, 0, len(objs))
	for _, o := range objs {
		names = append(names, o.GetName())
	}
	switch {
	case s.Absent && len(objs) == 0:
		a.observed, a.pass = "absent", true
	case s.Absent:
		a.observed = "present: " + strings.Join(names, ", ")
		a.message = fmt.Sprintf("%s still exists", p.ref())
	case len(objs) == 0:
		a.observed = "absent"
		a.message = fmt.Sprintf("%s not found", p.ref())
	default:
		a.observed = "present: " + strings.Join(names, ", ")
		var problems []string
		for _, o := range objs {
			for _, m := range partialMatch("", s.Match, o.Object) {
				problems = append(problems, o.GetName()+": "+m)
			}
		}
		if len(problems) > 0 {
			a.observed = strings.Join(firstN(problems, 5), "; ")
			a.message = fmt.Sprintf("%s does not match the expected fields", p.ref())
			return a
		}
		a.pass = true
	}
	return a
}
