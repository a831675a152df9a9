//go:build integration

package charts

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/internal/kube"
)

// crdEstablishTimeout bounds the wait for installed CRDs to be served.
const crdEstablishTimeout = time.Minute

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installCRDs applies the CustomResourceDefinitions found in LABCTL_TEST_CRDS
// (comma-separated files or directories of YAML) and waits until they are
// Established. Other kinds in those files are ignored.
func installCRDs(ctx context.Context, t *testing.T, c *kube.Clients) {
	t.Helper()
	spec := os.Getenv("LABCTL_TEST_CRDS")
	if spec == "" {
		return
	}
	var files []string
	for _, p := range strings.Split(spec, ",") {
		st, err := os.Stat(p)
		require.NoError(t, err, "LABCTL_TEST_CRDS")
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.yaml"))
		require.NoError(t, err)
		files = append(files, matches...)
	}
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, doc := range bytes.Split(data, []byte("\n---")) {
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(doc, &obj.Object); err != nil || obj.GetKind() != "CustomResourceDefinition" {
				continue
			}
			body, err := obj.MarshalJSON()
			require.NoError(t, err)
			force := true
			_, err = c.Dynamic.Resource(crdGVR).Patch(ctx, obj.GetName(), types.ApplyPatchType, body,
				metav1.PatchOptions{FieldManager: "labctl-test", Force: &force})
			require.NoError(t, err, "apply CRD %s from %s", obj.GetName(), f)
			names = append(names, obj.GetName())
		}
	}
	for _, n := range names {
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, crdEstablishTimeout, true, func(ctx context.Context) (bool, error) {
			u, err := c.Dynamic.Resource(crdGVR).Get(ctx, n, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, cnd := range conds {
				m, _ := cnd.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		require.NoError(t, err, "CRD %s not Established", n)
	}
	t.Logf("installed %d CRDs from LABCTL_TEST_CRDS", len(names))
}
