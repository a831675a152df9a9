package install

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/labctl/labctl/internal/state"
)

func TestTerminatingReason(t *testing.T) {
	crd := func(deleting bool, conds ...any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": map[string]any{"name": "trafficextensions.extensions.istio.io"},
			"spec":     map[string]any{"group": "extensions.istio.io", "names": map[string]any{"plural": "trafficextensions"}},
			"status":   map[string]any{"conditions": conds},
		}}
		if deleting {
			now := metav1.Now()
			u.SetDeletionTimestamp(&now)
		}
		return u
	}
	established := map[string]any{"type": "Established", "status": "True"}
	for _, tc := range []struct {
		name string
		obj  *unstructured.Unstructured
		want string
	}{
		{"finalizer at work", crd(true, established, map[string]any{"type": "Terminating", "status": "True",
			"reason": "InstanceDeletionCheck", "message": "could not confirm zero CustomResources remaining"}),
			" (InstanceDeletionCheck: could not confirm zero CustomResources remaining; its custom resources may have finalizers: kubectl get trafficextensions.extensions.istio.io -A)"},
		{"finalizer done", crd(true, established, map[string]any{"type": "Terminating", "status": "False",
			"reason": "InstanceDeletionCompleted", "message": "removed all instances"}),
			" (InstanceDeletionCompleted: removed all instances)"},
		{"finalizer not started", crd(true, established), " (deleting; the API server's CRD finalizer has not started on it yet)"},
		{"not deleted", crd(false, established), ""},
		{"not a CRD", &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, terminatingReason(tc.obj))
		})
	}
}

func TestWaitGoneNudgesALingeringCRD(t *testing.T) {
	for _, tc := range []struct {
		name         string
		goneOnNudge  bool
		failFirstGet bool
		getErr       error // every Get fails with it
		wantGets     int   // 0: any number
		wantErr      string
	}{
		{name: "finalizer missed its retry: the nudge requeues it", goneOnNudge: true},
		{name: "a failed poll is retried", goneOnNudge: true, failFirstGet: true},
		{name: "refused: no waiting", getErr: apierrors.NewForbidden(crdGVR.GroupResource(), "x", errors.New("no")),
			wantGets: 1, wantErr: "forbidden"},
		{name: "still there at the timeout", wantErr: "[CustomResourceDefinition trafficextensions.extensions.istio.io (deleting; the API server's CRD finalizer has not started on it yet)] still present after 2s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crd := &unstructured.Unstructured{}
			crd.SetAPIVersion("apiextensions.k8s.io/v1")
			crd.SetKind("CustomResourceDefinition")
			crd.SetName("trafficextensions.extensions.istio.io")
			now := metav1.Now()
			crd.SetDeletionTimestamp(&now)
			mapper := meta.NewDefaultRESTMapper(nil)
			mapper.Add(crd.GroupVersionKind(), meta.RESTScopeRoot)
			dc := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
				map[schema.GroupVersionResource]string{crdGVR: "CustomResourceDefinitionList"}, crd)
			var patches []string
			dc.PrependReactor("patch", "customresourcedefinitions", func(a k8stesting.Action) (bool, runtime.Object, error) {
				pa := a.(k8stesting.PatchAction)
				patches = append(patches, string(pa.GetPatch()))
				if !tc.goneOnNudge {
					return false, nil, nil
				}
				return true, crd, dc.Tracker().Delete(crdGVR, "", pa.GetName())
			})
			failed, gets := false, 0
			dc.PrependReactor("get", "customresourcedefinitions", func(k8stesting.Action) (bool, runtime.Object, error) {
				gets++
				if tc.getErr != nil {
					return true, nil, tc.getErr
				}
				if tc.failFirstGet && !failed {
					failed = true
					return true, nil, errors.New("connection reset by peer")
				}
				return false, nil, nil
			})
			m := &Manifests{Dynamic: dc, Mapper: mapper, nudgeAfter: 100 * time.Millisecond}
			refs := []state.ObjectRef{{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition", Name: crd.GetName()}}
			err := m.WaitGone(t.Context(), refs, 2*time.Second)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			if tc.wantGets > 0 {
				assert.Equal(t, tc.wantGets, gets)
				return
			}
			require.NotEmpty(t, patches, "a lingering deleted CRD is nudged")
			assert.Contains(t, patches[0], `"labctl.dev/finalize-retry"`)
		})
	}
}
