//go:build integration

package charts

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v4/pkg/action"
	helmkube "helm.sh/helm/v4/pkg/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/internal/kube"
)

// Timeouts against a live (kwok) control plane.
const (
	integrationTimeout = 3 * time.Minute
	installTimeout     = 2 * time.Minute
)

func integrationClients(t *testing.T) *kube.Clients {
	t.Helper()
	kubeconfig := os.Getenv("LABCTL_TEST_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("LABCTL_TEST_KUBECONFIG is not set: no cluster to test against")
	}
	c, err := kube.Load(kubeconfig, "")
	require.NoError(t, err)
	return c
}

func ensureNamespace(ctx context.Context, t *testing.T, c *kube.Clients, name string) {
	t.Helper()
	_, err := c.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
}

// TestIntegrationServerDryRun sends every object of every golden case to a
// real kube-apiserver as a server-side dry-run create with strict field
// validation: unknown or misplaced fields fail. Kinds the cluster does not
// serve are listed and skipped; set LABCTL_TEST_CRDS to CRD files or
// directories (Istio's crd-all.gen.yaml, Gateway API's config/crd/standard)
// to have them installed first and the Istio and Gateway API objects checked too.
func TestIntegrationServerDryRun(t *testing.T) {
	c := integrationClients(t)
	ctx, cancel := context.WithTimeout(context.Background(), integrationTimeout)
	defer cancel()
	installCRDs(ctx, t, c)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Kube.Discovery()))
	skipped := map[string]int{}
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := Load(tc.chart)
			require.NoError(t, err)
			out, err := Render(ch, tc.chart, tc.namespace, parseValues(t, tc.values))
			require.NoError(t, err)
			for _, doc := range splitDocs(out) {
				obj := &unstructured.Unstructured{}
				require.NoError(t, yaml.Unmarshal([]byte(doc), &obj.Object))
				gvk := obj.GroupVersionKind()
				m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
				if meta.IsNoMatchError(err) {
					skipped[gvk.Kind]++
					continue
				}
				require.NoError(t, err)
				ri := c.Dynamic.Resource(m.Resource)
				opts := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}
				if m.Scope.Name() == meta.RESTScopeNameNamespace {
					ns := obj.GetNamespace()
					if ns == "" {
						ns = tc.namespace
					}
					ensureNamespace(ctx, t, c, ns)
					_, err = ri.Namespace(ns).Create(ctx, obj, opts)
				} else {
					_, err = ri.Create(ctx, obj, opts)
				}
				if gvk.Kind == "Namespace" && apierrors.IsAlreadyExists(err) {
					err = nil // validated; it exists because another case created it
				}
				require.NoError(t, err, "%s %s/%s", gvk.Kind, obj.GetNamespace(), obj.GetName())
			}
		})
	}
	var kinds []string
	for k, n := range skipped {
		kinds = append(kinds, fmt.Sprintf("%s (%d)", k, n))
	}
	sort.Strings(kinds)
	t.Logf("kinds the cluster does not serve, not validated: %v", kinds)
}

// TestIntegrationHelmInstall installs charts with Helm's SDK the way labctl
// does (server-side apply, kstatus wait) and waits for every Deployment to
// become Available; on kwok the pods are simulated.
func TestIntegrationHelmInstall(t *testing.T) {
	c := integrationClients(t)
	cases := []struct {
		chart, values string
	}{
		{"bookinfo", `resources: {profile: slim}`},
		{"httpbin", ``},
		{"fortio-client", ``},
		{"traffic", ``},
		{"boutique", `mesh: {mode: none}`},
		{"travels", `namespaces: {create: true, agency: it-agency, portal: it-portal, control: it-control}
loadtester: {enabled: true}`},
	}
	for _, tc := range cases {
		t.Run(tc.chart, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), integrationTimeout)
			defer cancel()
			ns := fmt.Sprintf("it-%s-%d", tc.chart, time.Now().UnixNano()%100000)
			ensureNamespace(ctx, t, c, ns)
			defer func() { _ = c.Kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) }()

			cfg := action.NewConfiguration()
			require.NoError(t, cfg.Init(c.Getter, ns, "secret"))
			in := action.NewInstall(cfg)
			in.ReleaseName = tc.chart
			in.Namespace = ns
			in.ServerSideApply = true
			in.WaitStrategy = helmkube.StatusWatcherStrategy
			in.Timeout = installTimeout
			ch, err := Load(tc.chart)
			require.NoError(t, err)
			_, err = in.RunWithContext(ctx, ch, parseValues(t, tc.values))
			require.NoError(t, err)
			if tc.chart == "travels" {
				for _, n := range []string{"it-agency", "it-portal", "it-control"} {
					defer func(n string) {
						_ = c.Kube.CoreV1().Namespaces().Delete(context.Background(), n, metav1.DeleteOptions{})
					}(n)
				}
			}
		})
	}
}
