package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/scope"
)

func testLab(t *testing.T) *labs.Lab {
	t.Helper()
	fsys := fstest.MapFS{
		"lab.yaml": {Data: []byte(`apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: unit, title: Unit}
spec:
  stack: minimal
  modes: [sidecar, ambient]
  scope: {namespaces: [demo], kinds: [ConfigMap]}
  baseline:
    setup:
      - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: base}}"}
  steps:
    - id: a
      title: A
      text: a
      solution:
        - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}"}
        - label: {namespace: demo, labels: {istio-injection: enabled}}
        - scale: {namespace: demo, name: web, replicas: 2}
      checks: [{name: a, resource: {apiVersion: v1, kind: ConfigMap, namespace: demo, name: a}}]
    - id: b
      title: B
      text: b
      solution:
        - delete: {apiVersion: v1, kind: ConfigMap, namespace: demo, name: a}
        - unlabel: {namespace: demo, keys: [istio-injection]}
        - waypoint: {namespace: demo, action: deploy, enroll: true}
        - traffic: {state: "off"}
      checks: [{name: b, resource: {apiVersion: v1, kind: ConfigMap, namespace: demo, name: a, absent: true}}]
`)},
	}
	l, err := labs.Load(fsys, "unit", "")
	require.NoError(t, err)
	return l
}

func testMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	return m
}

func TestDesiredStateAtEachStep(t *testing.T) {
	l := testLab(t)
	cm := func(name string) scope.Key { return scope.Key{Kind: "ConfigMap", Namespace: "demo", Name: name} }
	gw := scope.Key{Group: "gateway.networking.k8s.io", Kind: "Gateway", Namespace: "demo", Name: "waypoint"}
	enabled, waypoint := "enabled", "waypoint"
	tests := []struct {
		step    int
		has     []scope.Key
		hasNot  []scope.Key
		labels  map[string]*string
		scales  int
		traffic bool
	}{
		{1, []scope.Key{cm("base")}, []scope.Key{cm("a"), gw}, nil, 0, false},
		{2, []scope.Key{cm("base"), cm("a")}, []scope.Key{gw}, map[string]*string{"istio-injection": &enabled}, 1, false},
		{3, []scope.Key{cm("base"), gw}, []scope.Key{cm("a")},
			map[string]*string{"istio-injection": nil, useWaypointLabel: &waypoint}, 1, true},
	}
	for _, tt := range tests {
		d, err := stateAt(l, nil, testMapper(), tt.step)
		require.NoError(t, err)
		for _, k := range tt.has {
			require.True(t, d.has(k), "step %d has %s", tt.step, k)
		}
		for _, k := range tt.hasNot {
			require.False(t, d.has(k), "step %d lacks %s", tt.step, k)
		}
		require.Equal(t, tt.labels, nilIfEmpty(d.labels["demo"]), "step %d", tt.step)
		require.Len(t, d.scales, tt.scales)
		require.Equal(t, tt.traffic, d.traffic != nil)
		if tt.step == 3 {
			require.True(t, d.deleted[cm("a")], "a delete is remembered, so reset prunes the object")
		}
	}
	d, err := stateAt(l, nil, testMapper(), 1)
	require.NoError(t, err)
	require.Equal(t, "demo", d.live()[0].GetNamespace(), "objects without a namespace go to the first scope namespace")
}

func nilIfEmpty(m map[string]*string) map[string]*string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func TestMatchSaysWhichUpCommand(t *testing.T) {
	l := testLab(t)
	require.NoError(t, Match(&state.Environment{Name: "e", Stack: "minimal", Mode: "ambient"}, l))
	require.NoError(t, Match(&state.Environment{Name: "e", Stack: "minimal"}, l), "no mode recorded is sidecar")
	err := Match(&state.Environment{Name: "e", Stack: "bookinfo", Mode: "sidecar"}, l)
	require.ErrorIs(t, err, ErrEnvMismatch)
	require.ErrorContains(t, err, "run `labctl up --name e --stack minimal --mode sidecar`")
}

func TestOnceMakesOneQuickAttempt(t *testing.T) {
	l := testLab(t)
	got := once(l.Spec.Steps[0].Checks)
	require.Equal(t, FailBeforeTimeout, got[0].Timeout.Duration)
	require.Equal(t, FailBeforeTimeout, got[0].Interval.Duration)
	require.Zero(t, l.Spec.Steps[0].Checks[0].Timeout.Duration, "the lab's own specs are not changed")
}

func TestWaypointObject(t *testing.T) {
	gw := waypointObject(&labs.WaypointAction{Namespace: "demo", Action: labs.WaypointDeploy, For: "workload"})
	require.Equal(t, "waypoint", gw.GetName())
	require.Equal(t, "workload", gw.GetLabels()["istio.io/waypoint-for"])
	cls, _, _ := unstructured.NestedString(gw.Object, "spec", "gatewayClassName")
	require.Equal(t, "istio-waypoint", cls)
}

// fakeRevisions records the istioRevision calls it gets.
type fakeRevisions struct {
	calls []string
	err   error
}

func (f *fakeRevisions) InstallRevision(_ context.Context, env string, a labs.IstioRevisionAction) error {
	f.calls = append(f.calls, fmt.Sprintf("install %s %s %s %v", env, a.Revision, a.Version, a.Tags))
	return f.err
}

func (f *fakeRevisions) RemoveRevision(_ context.Context, env, rev string) error {
	f.calls = append(f.calls, fmt.Sprintf("remove %s %s", env, rev))
	return f.err
}

func revisionLab(t *testing.T) *labs.Lab {
	t.Helper()
	fsys := fstest.MapFS{"lab.yaml": {Data: []byte(`apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: rev, title: Rev}
spec:
  stack: bookinfo
  scope: {namespaces: [bookinfo]}
  steps:
    - {id: a, title: A, text: a, solution: [istioRevision: {revision: canary, version: "1.32"}], checks: [{name: a, pods: {namespace: bookinfo}}]}
    - {id: b, title: B, text: b, solution: [istioRevision: {revision: canary, version: "1.32", tags: [prod]}], checks: [{name: b, pods: {namespace: bookinfo}}]}
    - {id: c, title: C, text: c, solution: [istioRevision: {revision: canary, remove: true}], checks: [{name: c, pods: {namespace: bookinfo}}]}
    - {id: d, title: D, text: d, solution: [istioRevision: {revision: other}], checks: [{name: d, pods: {namespace: bookinfo}}]}
`)}}
	l, err := labs.Load(fsys, "rev", "")
	require.NoError(t, err)
	return l
}

// Reset to a step installs the revisions the steps before it installed
// (as the last of them left each) and removes the lab's others.
func TestConvergeRevisionsAtEachStep(t *testing.T) {
	l := revisionLab(t)
	tests := []struct {
		step int
		want []string
	}{
		{1, []string{"remove env canary", "remove env other"}},
		{2, []string{"install env canary 1.32 []", "remove env other"}},
		{3, []string{"install env canary 1.32 [prod]", "remove env other"}},
		{4, []string{"remove env canary", "remove env other"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.step), func(t *testing.T) {
			f := &fakeRevisions{}
			s := &session{e: &Engine{Revisions: f}, env: &state.Environment{Name: "env"}, lab: l}
			d, err := stateAt(l, nil, testMapper(), tt.step)
			require.NoError(t, err)
			require.NoError(t, s.convergeRevisions(context.Background(), d, true))
			require.NoError(t, s.convergeRevisions(context.Background(), d, false))
			require.Equal(t, tt.want, f.calls)
		})
	}
	require.Equal(t, []string{"canary", "other"}, labRevisions(l, nil))
}

func TestRevisionActionErrors(t *testing.T) {
	l := revisionLab(t)
	d, err := stateAt(l, nil, testMapper(), 2)
	require.NoError(t, err)
	s := &session{e: &Engine{}, env: &state.Environment{Name: "env"}, lab: l}
	require.ErrorContains(t, s.convergeRevisions(context.Background(), d, true), "cannot install Istio revisions")
	s.e.Revisions = &fakeRevisions{err: errors.New("helm broke")}
	require.ErrorContains(t, s.convergeRevisions(context.Background(), d, true), "helm broke")
}

type oneLab struct{ l *labs.Lab }

func (o oneLab) Get(string) (*labs.Lab, error) { return o.l, nil }

// A lab that needs a real cluster is refused on a simulated one, with its
// reason, before anything is touched; elsewhere it is not refused for it.
func TestStartRefusesRealClusterLabOnSimulated(t *testing.T) {
	l := revisionLab(t)
	l.Spec.NeedsRealCluster = "one istiod injects every pod there"
	store := &state.Store{Dir: t.TempDir()}
	require.NoError(t, store.Save(&state.Environment{Name: "env", Stack: "bookinfo", Mode: "sidecar", Simulated: true}))
	e := &Engine{Store: store, EnvName: "env", Catalog: oneLab{l},
		Cluster: func(context.Context, *state.Environment) (*Cluster, error) { return nil, errors.New("connected") }}
	_, err := e.Start(context.Background(), "rev", StartOptions{})
	var real *NeedsRealClusterError
	require.ErrorAs(t, err, &real)
	require.Contains(t, err.Error(), "one istiod injects every pod there")

	require.NoError(t, store.Save(&state.Environment{Name: "env", Stack: "bookinfo", Mode: "sidecar"}))
	_, err = e.Start(context.Background(), "rev", StartOptions{})
	require.ErrorContains(t, err, "connected", "a real cluster gets as far as connecting")
}
