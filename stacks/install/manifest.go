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
	"k8s.io/apimachinery/pkg/types"
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

	nudgeAfter time.Duration // CRDNudgeAfter when zero (tests shorten it)
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

// CRDNudgeAfter is how long a deleted CRD may linger before WaitGone nudges
// the API server's CRD finalizer, and how often it does so again. The
// finalizer can fail once with "storage is (re)initializing" when many CRDs
// go at once, and then miss its own retry until its informer resyncs, five
// minutes later (kubernetes crd_finalizer.go: an update that only changes
// the Terminating condition is not requeued). Any other change to the CRD
// requeues it.
const CRDNudgeAfter = 3 * time.Second

// nudgeAnnotation is what WaitGone sets on a lingering deleted CRD; it goes
// with the CRD.
const nudgeAnnotation = "labctl.dev/finalize-retry"

// WaitGone waits until every object is deleted (CRDs linger while their
// custom resources are cleaned up), so that `down` returns only when the
// cluster is as it was. A request that fails while waiting is retried at
// the next poll (one that is refused ends the wait); the timeout error
// names what was left and the last error.
func (m *Manifests) WaitGone(ctx context.Context, refs []state.ObjectRef, timeout time.Duration) error {
	var left []string
	var lastErr error
	nudged := map[string]time.Time{}
	start := time.Now()
	after := m.nudgeAfter
	if after == 0 {
		after = CRDNudgeAfter
	}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		var now []string
		for _, ref := range refs {
			ri, err := m.refResource(ref)
			if isNoMatch(err) {
				continue // its kind is no longer served: gone
			}
			if err != nil {
				return false, err
			}
			obj, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				continue
			}
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				return false, err // waiting would not help
			}
			if err != nil {
				lastErr = err
				return false, nil // keep the last complete list of what is left
			}
			now = append(now, ref.Kind+" "+ref.Name+terminatingReason(obj))
			if obj.GetKind() == "CustomResourceDefinition" && obj.GetDeletionTimestamp() != nil &&
				time.Since(later(start, nudged[ref.Name])) >= after {
				nudged[ref.Name] = time.Now()
				if err := nudge(ctx, ri, ref.Name); err != nil && !apierrors.IsNotFound(err) {
					lastErr = err
				}
			}
		}
		left = now
		return len(left) == 0, nil
	})
	if err != nil {
		if lastErr != nil {
			err = fmt.Errorf("%w (last error: %v)", err, lastErr)
		}
		return fmt.Errorf("%v still present after %s: %w", left, timeout, err)
	}
	return nil
}

// nudge changes an annotation of the deleted CRD name, which requeues it
// in the API server's CRD finalizer.
func nudge(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, nudgeAnnotation, time.Now().UTC().Format(time.RFC3339Nano))
	_, err := ri.Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// terminatingReason is why a deleted CRD is still there, from the
// Terminating condition the API server's CRD finalizer keeps (for example
// "InstanceDeletionCheck: could not confirm zero CustomResources
// remaining"), with what to look at; "" for other objects.
func terminatingReason(obj *unstructured.Unstructured) string {
	if obj.GetKind() != "CustomResourceDefinition" {
		return ""
	}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		cm, _ := c.(map[string]any)
		if cm["type"] != "Terminating" {
			continue
		}
		if cm["status"] != "True" { // the finalizer is done with it
			return fmt.Sprintf(" (%v: %v)", cm["reason"], cm["message"])
		}
		plural, _, _ := unstructured.NestedString(obj.Object, "spec", "names", "plural")
		group, _, _ := unstructured.NestedString(obj.Object, "spec", "group")
		return fmt.Sprintf(" (%v: %v; its custom resources may have finalizers: kubectl get %s.%s -A)",
			cm["reason"], cm["message"], plural, group)
	}
	if obj.GetDeletionTimestamp() != nil {
		return " (deleting; the API server's CRD finalizer has not started on it yet)"
	}
	return ""
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
