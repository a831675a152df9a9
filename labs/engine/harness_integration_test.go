//go:build integration

package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/internal/testenv"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// fixture is one engine on the shared simulated cluster, with its own
// namespace and state directory.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	c       *kube.Clients
	mapper  meta.RESTMapper
	ns      string
	store   *state.Store
	catalog *mapCatalog
}

type mapCatalog struct{ labs map[string]*labs.Lab }

func (m *mapCatalog) Get(id string) (*labs.Lab, error) {
	l, ok := m.labs[id]
	if !ok {
		return nil, fmt.Errorf("no lab %q", id)
	}
	return l, nil
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := testenv.SharedCluster(t, "run the lab engine against")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	f := &fixture{t: t, ctx: ctx, c: c, ns: fmt.Sprintf("le-%d", rand.IntN(1_000_000)),
		store:   &state.Store{Dir: t.TempDir()},
		mapper:  restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Kube.Discovery())),
		catalog: &mapCatalog{labs: map[string]*labs.Lab{}}}
	require.NoError(t, f.store.Save(&state.Environment{Name: "it", Stack: "minimal", Mode: "sidecar", Phase: state.PhaseReady, Simulated: true}))
	_, err := c.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: f.ns,
		Labels: map[string]string{"istio-injection": "enabled"}}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Kube.CoreV1().Namespaces().Delete(context.Background(), f.ns, metav1.DeleteOptions{})
	})
	return f
}

// engine returns a fresh engine, as a new labctl process would build it.
func (f *fixture) engine() *Engine {
	return &Engine{
		Store: &state.Store{Dir: f.store.Dir}, EnvName: "it", Catalog: f.catalog,
		Cluster: func(context.Context, *state.Environment) (*Cluster, error) {
			return &Cluster{Kube: f.c.Kube, Dynamic: f.c.Dynamic, Mapper: f.mapper}, nil
		},
		ChecksEnv: func(context.Context, *state.Environment, []verify.Spec) (verify.Env, error) {
			return verify.Env{Kube: f.c.Kube, Dynamic: f.c.Dynamic, Mapper: f.mapper, Simulated: true}, nil
		},
	}
}

// addLab loads a lab from files (NS in them becomes the fixture's
// namespace) into the catalogue.
func (f *fixture) addLab(files map[string]string) *labs.Lab {
	f.t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(body, "NS", f.ns))}
	}
	l, err := labs.Load(fsys, "test", "")
	require.NoError(f.t, err)
	f.catalog.labs[l.ID()] = l
	return l
}

func (f *fixture) configMap(name string) (*corev1.ConfigMap, bool) {
	cm, err := f.c.Kube.CoreV1().ConfigMaps(f.ns).Get(f.ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, false
	}
	require.NoError(f.t, err)
	return cm, true
}

func (f *fixture) nsLabels() map[string]string {
	n, err := f.c.Kube.CoreV1().Namespaces().Get(f.ctx, f.ns, metav1.GetOptions{})
	require.NoError(f.t, err)
	return n.Labels
}

// threeSteps is a lab of ConfigMaps and namespace labels.
var threeSteps = map[string]string{
	"lab.yaml": `apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: three, title: Three steps}
spec:
  stack: minimal
  scope:
    namespaces: [NS]
    kinds: [ConfigMap, apps/Deployment]
  baseline:
    setup:
      - apply: {file: base.yaml}
    ready:
      - name: base
        resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: base}
  steps:
    - id: one
      title: Step one
      text: Make ConfigMap one.
      hints: [first hint, second hint]
      solution:
        - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: one, namespace: NS}, data: {v: '1'}}"}
      checks:
        - {name: one, timeout: 5s, resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: one}}
    - id: two
      title: Step two
      text: Take the namespace out of the mesh and make ConfigMap two.
      solution:
        - unlabel: {namespace: NS, keys: [istio-injection]}
        - label: {namespace: NS, labels: {team: blue}}
        - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: two, namespace: NS}, data: {v: '2'}}"}
      checks:
        - {name: two, timeout: 5s, resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: two}}
    - id: three
      title: Step three
      text: Change ConfigMap one.
      solution:
        - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: one, namespace: NS}, data: {v: '3'}}"}
      checks:
        - name: one-is-3
          timeout: 5s
          resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: one, match: {data: {v: "3"}}}
`,
	"base.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: base}
data: {v: base}
`,
}
