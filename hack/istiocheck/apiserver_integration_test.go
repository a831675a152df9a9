//go:build integration

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"istio.io/istio/manifests"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/testenv"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/install"
)

// Named timeouts of the API-server test.
const (
	crdEstablishTimeout = 2 * time.Minute
	applyTimeout        = 5 * time.Minute
)

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// TestIntegrationLabManifestsAccepted server-side applies (dry run) every
// object every Bookinfo lab applies, on a real kube-apiserver with Istio's
// CRDs (the base chart's) and the Gateway API CRDs of the version lock, so
// the CRDs' OpenAPI schemas and CEL rules judge them as a cluster would.
func TestIntegrationLabManifestsAccepted(t *testing.T) {
	c := testenv.SharedCluster(t, "apply the labs' manifests to")
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	installCRDs(ctx, t, c)

	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Kube.Discovery()))
	cat, err := labs.LoadCatalog(nil, "../../labs/bookinfo")
	if err != nil {
		t.Fatal(err)
	}
	if p := cat.Problems(); len(p) > 0 {
		t.Fatalf("labs do not load: %v", p)
	}
	applied := 0
	for _, l := range cat.List() {
		var acts []labs.Action
		acts = append(acts, l.Spec.Baseline.Setup...)
		for _, s := range l.Spec.Steps {
			acts = append(acts, s.Solution...)
		}
		for i, a := range acts {
			var objs []*unstructured.Unstructured
			switch {
			case a.Apply != nil:
				lobjs, err := actionObjects(l, a, fmt.Sprintf("action %d", i))
				if err != nil {
					t.Errorf("lab %s: %v", l.ID(), err)
					continue
				}
				for _, o := range lobjs {
					objs = append(objs, o.U)
				}
			case a.Waypoint != nil && a.Waypoint.Action != "remove":
				set := NewSet()
				applyWaypoint(set, a.Waypoint, l.ID())
				if o, ok := set.Get("gateway.networking.k8s.io", "Gateway", a.Waypoint.Namespace, orName(a.Waypoint.Name)); ok {
					objs = append(objs, o.U)
				}
			}
			for _, o := range objs {
				if err := dryRunApply(ctx, c, mapper, o); err != nil {
					t.Errorf("lab %s: %s (%s): the API server refuses it: %v", l.ID(), describe(o), a, err)
					continue
				}
				applied++
			}
		}
	}
	if applied == 0 {
		t.Fatal("no objects applied: the labs apply nothing?")
	}
	t.Logf("the API server accepted all %d objects the Bookinfo labs apply", applied)
}

func orName(n string) string {
	if n == "" {
		return "waypoint"
	}
	return n
}

// dryRunApply makes sure the object's namespace exists (for real), then
// server-side applies the object with dryRun=All.
func dryRunApply(ctx context.Context, c *kube.Clients, mapper *restmapper.DeferredDiscoveryRESTMapper, o *unstructured.Unstructured) error {
	gvk := o.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return err
	}
	if ns := o.GetNamespace(); ns != "" {
		_, err := c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			nsObj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
			_, err = c.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Create(ctx, nsObj, metav1.CreateOptions{})
		}
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("namespace %s: %w", ns, err)
		}
	}
	body, err := o.MarshalJSON()
	if err != nil {
		return err
	}
	force := true
	ri := c.Dynamic.Resource(m.Resource)
	opts := metav1.PatchOptions{FieldManager: "istiocheck", Force: &force, DryRun: []string{metav1.DryRunAll}}
	if o.GetNamespace() != "" {
		_, err = ri.Namespace(o.GetNamespace()).Patch(ctx, o.GetName(), types.ApplyPatchType, body, opts)
	} else {
		_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, body, opts)
	}
	return err
}

// installCRDs applies Istio's CRDs from the base chart of istio.io/istio's
// manifests and the Gateway API bundle the version lock names (served by
// the test chart repository `make testenv` builds), and waits until they
// are Established.
func installCRDs(ctx context.Context, t *testing.T, c *kube.Clients) {
	t.Helper()
	istioCRDs, err := fs.ReadFile(manifests.BuiltinOrDir(""), "charts/base/files/crd-all.gen.yaml")
	if err != nil {
		t.Fatalf("Istio CRDs: %v", err)
	}
	v, err := stacks.LoadVersions()
	if err != nil {
		t.Fatal(err)
	}
	charts, err := testenv.ChartsDir()
	if err != nil {
		t.Skipf("no test chart repository with the Gateway API CRDs (%v): run `make testenv`", err)
	}
	u, err := url.Parse(v.GatewayAPIURL())
	if err != nil {
		t.Fatal(err)
	}
	gwCRDs, err := os.ReadFile(filepath.Join(charts, "manifests", u.Host, filepath.FromSlash(u.Path)))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the test chart repository %s has no Gateway API CRDs for %s: run `make testenv`", charts, v.GatewayAPIURL())
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, data := range [][]byte{istioCRDs, gwCRDs} {
		objs, err := install.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.GetKind() != "CustomResourceDefinition" {
				continue
			}
			body, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			force := true
			if _, err := c.Dynamic.Resource(crdGVR).Patch(ctx, o.GetName(), types.ApplyPatchType, body,
				metav1.PatchOptions{FieldManager: "istiocheck", Force: &force}); err != nil {
				t.Fatalf("applying CRD %s: %v", o.GetName(), err)
			}
			names = append(names, o.GetName())
		}
	}
	err = wait.PollUntilContextTimeout(ctx, time.Second, crdEstablishTimeout, true, func(ctx context.Context) (bool, error) {
		for _, n := range names {
			crd, err := c.Dynamic.Resource(crdGVR).Get(ctx, n, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			ok := false
			for _, cd := range conds {
				m, _ := cd.(map[string]any)
				ok = ok || (m["type"] == "Established" && m["status"] == "True")
			}
			if !ok {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("CRDs not Established within %s: %v", crdEstablishTimeout, err)
	}
}
