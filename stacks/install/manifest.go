package install

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/internal/state"
)

// FieldManager is labctl's server-side apply field manager.
const FieldManager = "labctl"

// pollInterval is how often a context-aware poll re-checks a condition.
const pollInterval = 500 * time.Millisecond

// Manifests applies bundles of objects fetched from a URL (the Gateway API
// CRDs), cached on disk like charts.
type Manifests struct {
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	Source  *ChartSource
}

// ManifestPath is where a manifest URL is cached.
func (m *Manifests) ManifestPath(u string) string {
	return filepath.Join(m.Source.CacheDir, "manifests", cacheKey(u))
}

// fetchURL is where a manifest is downloaded from: with a chart mirror set,
// <mirror>/manifests/<host>/<path> of the original URL.
func (m *Manifests) fetchURL(raw string) string {
	if m.Source.Mirror == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.TrimSuffix(m.Source.Mirror, "/") + "/manifests/" + u.Host + u.Path
}

// Fetch returns the manifest, downloading it on a cache miss.
func (m *Manifests) Fetch(ctx context.Context, raw string) ([]byte, error) {
	p := m.ManifestPath(raw)
	if b, err := os.ReadFile(p); err == nil {
		return b, nil
	}
	src := m.fetchURL(raw)
	b, err := m.Source.get(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w (check the network, or set %s to a mirror)", src, err, MirrorEnv)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	if err := writeAtomic(p, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Decode splits a multi-document YAML manifest into objects.
func Decode(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*unstructured.Unstructured
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj := &unstructured.Unstructured{}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if string(js) == "null" {
			continue
		}
		if err := obj.UnmarshalJSON(js); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		out = append(out, obj)
	}
}

// Objects fetches and decodes the component's manifest. Applying them is
// internal/apply's job (which records them first); WaitEstablished then
// waits for their CRDs.
func (m *Manifests) Objects(ctx context.Context, c Component) ([]*unstructured.Unstructured, error) {
	data, err := m.Fetch(ctx, c.ManifestURL)
	if err != nil {
		return nil, err
	}
	objs, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", c.ManifestURL, err)
	}
	return objs, nil
}

func (m *Manifests) resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, state.ObjectRef, error) {
	gvk := obj.GroupVersionKind()
	ref := state.ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Name: obj.GetName(), Namespace: obj.GetNamespace()}
	mapping, err := m.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, ref, fmt.Errorf("the cluster does not serve %s: %w", gvk, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if ref.Namespace == "" {
			ref.Namespace = "default"
		}
		return m.Dynamic.Resource(mapping.Resource).Namespace(ref.Namespace), ref, nil
	}
	return m.Dynamic.Resource(mapping.Resource), ref, nil
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// WaitEstablished waits until every CRD among objs is Established.
func (m *Manifests) WaitEstablished(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) error {
	for _, obj := range objs {
		if obj.GetKind() != "CustomResourceDefinition" {
			continue
		}
		name := obj.GetName()
		var last string
		err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
			crd, err := m.Dynamic.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				last = err.Error()
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			for _, c := range conds {
				cm, _ := c.(map[string]any)
				if cm["type"] == "Established" && cm["status"] == "True" {
					return true, nil
				}
			}
			last = "not Established yet"
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s did not become established within %s (%s): %w", name, timeout, last, err)
		}
	}
	return nil
}

// Delete removes objects labctl created, CRDs included, ignoring those
// already gone.
func (m *Manifests) Delete(ctx context.Context, refs []state.ObjectRef) error {
	var errs []error
	for _, ref := range refs {
		ri, err := m.refResource(ref)
		if isNoMatch(err) {
			continue // its CRD is gone, and the object with it
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := ri.Delete(ctx, ref.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting %s %s: %w", ref.Kind, ref.Name, err))
		}
	}
	return errors.Join(errs...)
}

// WaitGone waits until every object is deleted (CRDs linger while their
// custom resources are cleaned up), so that `down` returns only when the
// cluster is as it was.
func (m *Manifests) WaitGone(ctx context.Context, refs []state.ObjectRef, timeout time.Duration) error {
	var left []string
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		left = left[:0]
		for _, ref := range refs {
			ri, err := m.refResource(ref)
			if isNoMatch(err) {
				continue // its kind is no longer served: gone
			}
			if err != nil {
				return false, err
			}
			if _, err := ri.Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
				left = append(left, ref.Kind+" "+ref.Name)
			} else if !apierrors.IsNotFound(err) {
				return false, err
			}
		}
		return len(left) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("%v still present after %s: %w", left, timeout, err)
	}
	return nil
}

// refResource is the dynamic client for the object a record names.
func (m *Manifests) refResource(ref state.ObjectRef) (dynamic.ResourceInterface, error) {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion(ref.APIVersion)
	obj.SetKind(ref.Kind)
	obj.SetName(ref.Name)
	obj.SetNamespace(ref.Namespace)
	ri, _, err := m.resource(obj)
	return ri, err
}

// isNoMatch reports whether err says the cluster no longer serves a kind.
func isNoMatch(err error) bool {
	var noKind *meta.NoKindMatchError
	var noRes *meta.NoResourceMatchError
	return errors.As(err, &noKind) || errors.As(err, &noRes)
}
