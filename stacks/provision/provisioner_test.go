package provision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/progress/progresstest"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
	"github.com/labctl/labctl/stacks/preflight"
)

// fakeReleases keeps releases in memory and decides what to do with
// install.Decide, as Helm does, from a digest of the component's values.
type fakeReleases struct {
	mu            sync.Mutex
	last          map[string]*release.Release // by namespace/name
	calls         []string
	failApply     map[string]error // by component
	failUninstall map[string]error // by release
	// store, when set, is checked at each Apply: the release must already
	// be in the saved record, so that down finds it after a crash.
	store Store
}

func newFakeReleases() *fakeReleases {
	return &fakeReleases{last: map[string]*release.Release{}, failApply: map[string]error{}, failUninstall: map[string]error{}}
}

func fakeDigest(c install.Component) string {
	b, _ := json.Marshal(c.Values)
	return fmt.Sprintf("%x", b)
}

func (f *fakeReleases) Apply(_ context.Context, c install.Component) (install.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := c.Namespace + "/" + c.Release
	digest := fakeDigest(c)
	if f.store != nil {
		env, err := f.store.Load("lab")
		if err != nil || !slices.ContainsFunc(env.Releases, func(r state.Release) bool { return r.Name == c.Release }) {
			f.calls = append(f.calls, "apply "+c.Name+": release not recorded before install")
		}
	}
	if err := f.failApply[c.Name]; err != nil {
		f.calls = append(f.calls, "apply "+c.Name+": failed")
		f.last[key] = &release.Release{Name: c.Release, Namespace: c.Namespace, Info: &release.Info{Status: common.StatusFailed}}
		return install.Result{}, err
	}
	action := install.ActionInstalled
	switch install.Decide(f.last[key], digest) {
	case install.DecideSkip:
		action = install.ActionUnchanged
	case install.DecideUpgrade, install.DecideRollbackToUpgrade:
		action = install.ActionUpgraded
	}
	f.calls = append(f.calls, fmt.Sprintf("apply %s: %s", c.Name, action))
	rel := &release.Release{Name: c.Release, Namespace: c.Namespace, Info: &release.Info{Status: common.StatusDeployed},
		Chart: &chart.Chart{Metadata: &chart.Metadata{Name: c.Chart.Name, Version: "1.0.0"}}, Labels: map[string]string{install.DigestLabel: digest}}
	f.last[key] = rel
	return install.Result{Action: action, Release: rel}, nil
}

func (f *fakeReleases) Uninstall(_ context.Context, name, namespace string, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "uninstall "+namespace+"/"+name)
	if err := f.failUninstall[name]; err != nil {
		return err
	}
	delete(f.last, namespace+"/"+name)
	return nil
}

func (f *fakeReleases) Status(namespace, name string) (*release.Release, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return nil, nil
}

func (f *fakeReleases) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// adoptProvider adopts a cluster it did not create, as the existing
// provider does, so down uninstalls releases one by one.
type adoptProvider struct{}

func (adoptProvider) Name() string { return stacks.ProviderExisting }
func (adoptProvider) Preflight(context.Context, cluster.Request) preflight.Report {
	return nil
}
func (adoptProvider) Ensure(context.Context, cluster.Request) (*cluster.Cluster, error) {
	return &cluster.Cluster{Kubeconfig: "kubeconfig", Context: "lab-context"}, nil
}
func (adoptProvider) Delete(context.Context, *state.Environment) error { return nil }

// fakeProvisioner is a provisioner on fake clients, releases and provider,
// with a real state store in a temporary directory.
func fakeProvisioner(t *testing.T) (*Provisioner, *fakeReleases) {
	t.Helper()
	v, err := stacks.LoadVersions()
	require.NoError(t, err)
	rels := newFakeReleases()
	clients := &kube.Clients{
		Kube: fake.NewClientset(),
		Dynamic: dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
			map[schema.GroupVersionResource]string{nsGVR: "NamespaceList"}),
	}
	out := progresstest.New(0)
	p := &Provisioner{
		Store:     &state.Store{Dir: t.TempDir()},
		Log:       out,
		NewStatus: func() progress.Status { return out },
		Providers: map[string]cluster.Provider{stacks.ProviderExisting: adoptProvider{}},
		Versions:  v,
		Clients:   func(string, string) (*kube.Clients, error) { return clients, nil },
		Parallel:  1,
		NewReleases: func(c *kube.Clients) Releases {
			if c != clients {
				t.Errorf("releases asked for clients %p, not the environment's", c)
			}
			return rels
		},
		Mapper: func(*kube.Clients) (meta.RESTMapper, error) {
			m := meta.NewDefaultRESTMapper(nil)
			m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
			return m, nil
		},
	}
	rels.store = p.Store
	return p, rels
}

// testStack plans istio-base, then istiod, then prometheus.
func testStack(t *testing.T, v *stacks.Versions) *stacks.Stack {
	t.Helper()
	s := &stacks.Stack{Metadata: stacks.Metadata{Name: "test"}}
	s.Spec.Cluster.Provider = stacks.ProviderExisting
	s.Spec.Mesh.Ingress.Disabled = true
	s.Spec.Addons = []stacks.Addon{{Name: "prometheus"}}
	s.Default(v)
	return s
}

type releaseRow struct{ Component, Digested string }

func releaseRows(env *state.Environment) []releaseRow {
	var out []releaseRow
	for _, r := range env.Releases {
		d := "no digest"
		if r.Digest != "" {
			d = "digest"
		}
		out = append(out, releaseRow{r.Component, d})
	}
	return out
}

func TestUp(t *testing.T) {
	all := []releaseRow{{"istio-base", "digest"}, {"istiod", "digest"}, {"prometheus", "digest"}}
	cases := []struct {
		name string
		// first runs an up that fails at failAt ("" : none) before the one
		// under test.
		failFirstAt string
		// change alters the stack of the up under test.
		change    func(*stacks.Stack)
		failAt    string
		wantErr   string
		wantCalls []string
		wantPhase string
		wantRels  []releaseRow
	}{
		{
			name:      "fresh environment installs in plan order",
			wantCalls: []string{"apply istio-base: installed", "apply istiod: installed", "apply prometheus: installed"},
			wantPhase: state.PhaseReady, wantRels: all,
		},
		{
			// The failing release is recorded (without a digest) so that
			// down removes it; what depends on it is not started.
			name:      "install failure mid-plan leaves a record",
			failAt:    "istiod",
			wantErr:   "component istiod: chart says no",
			wantCalls: []string{"apply istio-base: installed", "apply istiod: failed"},
			wantPhase: state.PhaseFailed, wantRels: []releaseRow{{"istio-base", "digest"}, {"istiod", "no digest"}},
		},
		{
			name:        "up after a failure resumes from the record",
			failFirstAt: "istiod",
			wantCalls:   []string{"apply istio-base: unchanged", "apply istiod: upgraded", "apply prometheus: installed"},
			wantPhase:   state.PhaseReady, wantRels: all,
		},
		{
			name:        "resume skips every component whose digest matches",
			failFirstAt: "-",
			wantCalls:   []string{"apply istio-base: unchanged", "apply istiod: unchanged", "apply prometheus: unchanged"},
			wantPhase:   state.PhaseReady, wantRels: all,
		},
		{
			name:        "a changed component is upgraded, the rest left unchanged",
			failFirstAt: "-",
			change:      func(s *stacks.Stack) { s.Spec.Addons[0].Values = map[string]any{"retention": "1d"} },
			wantCalls:   []string{"apply istio-base: unchanged", "apply istiod: unchanged", "apply prometheus: upgraded"},
			wantPhase:   state.PhaseReady, wantRels: all,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, rels := fakeProvisioner(t)
			var created time.Time
			if tc.failFirstAt != "" {
				if tc.failFirstAt != "-" {
					rels.failApply[tc.failFirstAt] = errors.New("first run fails")
				}
				env, _ := p.Up(t.Context(), UpOptions{Name: "lab", Stack: testStack(t, p.Versions)})
				require.NotNil(t, env)
				created = env.CreatedAt
				delete(rels.failApply, tc.failFirstAt)
				rels.takeCalls()
			}
			if tc.failAt != "" {
				rels.failApply[tc.failAt] = errors.New("chart says no")
			}
			s := testStack(t, p.Versions)
			if tc.change != nil {
				tc.change(s)
			}
			env, err := p.Up(t.Context(), UpOptions{Name: "lab", Stack: s})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantCalls, rels.takeCalls())
			saved, err := p.Store.Load("lab")
			require.NoError(t, err)
			assert.Equal(t, tc.wantPhase, saved.Phase)
			assert.Equal(t, tc.wantRels, releaseRows(saved))
			assert.Equal(t, []string{install.IstioNamespace}, saved.Namespaces, "namespaces recorded")
			assert.Equal(t, "lab-context", saved.Context)
			if !created.IsZero() {
				assert.True(t, created.Equal(saved.CreatedAt), "the resumed record keeps its creation time")
			}
			assert.Equal(t, env.Phase, saved.Phase)
		})
	}
}

func TestUpRefusesAnotherProvider(t *testing.T) {
	p, rels := fakeProvisioner(t)
	require.NoError(t, p.Store.Save(&state.Environment{Name: "lab", Provider: stacks.ProviderKind, Phase: state.PhaseReady}))
	_, err := p.Up(t.Context(), UpOptions{Name: "lab", Stack: testStack(t, p.Versions)})
	require.ErrorContains(t, err, "already runs on provider kind, not existing: run `labctl down --name lab` first")
	assert.Empty(t, rels.takeCalls())
}

func TestDown(t *testing.T) {
	cases := []struct {
		name string
		// upFailAt makes the up before down fail at that component.
		upFailAt      string
		failUninstall string
		wantErr       string
		wantCalls     []string
		// wantLeft is the record's releases after down; nil: no record.
		wantLeft []releaseRow
	}{
		{
			name:      "ready environment: newest first, then the record goes",
			wantCalls: []string{"uninstall istio-system/prometheus", "uninstall istio-system/istiod", "uninstall istio-system/istio-base"},
		},
		{
			name:      "partly installed: the release that failed mid-install is removed too",
			upFailAt:  "istiod",
			wantCalls: []string{"uninstall istio-system/istiod", "uninstall istio-system/istio-base"},
		},
		{
			name:          "an uninstall failure stops down and keeps the record",
			failUninstall: "istiod",
			wantErr:       "uninstall refused",
			wantCalls:     []string{"uninstall istio-system/prometheus", "uninstall istio-system/istiod"},
			wantLeft:      []releaseRow{{"istio-base", "digest"}, {"istiod", "digest"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, rels := fakeProvisioner(t)
			if tc.upFailAt != "" {
				rels.failApply[tc.upFailAt] = errors.New("install failed")
			}
			_, err := p.Up(t.Context(), UpOptions{Name: "lab", Stack: testStack(t, p.Versions)})
			require.Equal(t, tc.upFailAt != "", err != nil, "up: %v", err)
			rels.takeCalls()
			if tc.failUninstall != "" {
				rels.failUninstall[tc.failUninstall] = errors.New("uninstall refused")
			}
			err = p.Down(t.Context(), "lab")
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantCalls, rels.takeCalls())
			env, err := p.Store.Load("lab")
			if tc.wantLeft == nil {
				require.ErrorIs(t, err, state.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantLeft, releaseRows(env))
		})
	}
}

func TestDownOfMissingEnvironmentDoesNothing(t *testing.T) {
	p, rels := fakeProvisioner(t)
	require.NoError(t, p.Down(t.Context(), "lab"))
	assert.Empty(t, rels.takeCalls())
}

func TestTraffic(t *testing.T) {
	on, off := true, false
	rate := func(r float64) *float64 { return &r }
	cases := []struct {
		name      string
		before    *state.Traffic
		noApps    bool
		change    TrafficChange
		failApply bool
		wantErr   string
		wantCalls []string
		want      *state.Traffic // recorded after the call
		wantRel   []releaseRow
	}{
		{
			name: "on at the default rate", change: TrafficChange{Enabled: &on},
			wantCalls: []string{"apply traffic: installed"},
			want:      &state.Traffic{Enabled: true, Rate: DefaultTrafficRate}, wantRel: []releaseRow{{"traffic", "digest"}},
		},
		{
			name: "a new rate keeps the generator's state", before: &state.Traffic{Enabled: true, Rate: 1}, change: TrafficChange{Rate: rate(5)},
			wantCalls: []string{"apply traffic: installed"},
			want:      &state.Traffic{Enabled: true, Rate: 5}, wantRel: []releaseRow{{"traffic", "digest"}},
		},
		{
			name: "off keeps the rate", before: &state.Traffic{Enabled: true, Rate: 5}, change: TrafficChange{Enabled: &off},
			wantCalls: []string{"apply traffic: installed"},
			want:      &state.Traffic{Enabled: false, Rate: 5}, wantRel: []releaseRow{{"traffic", "digest"}},
		},
		{
			name: "rate zero is refused", change: TrafficChange{Rate: rate(0)},
			wantErr: "rate 0 is out of range",
		},
		{
			name: "rate above the bound is refused", before: &state.Traffic{Enabled: true, Rate: 1}, change: TrafficChange{Rate: rate(maxTrafficRate + 1)},
			wantErr: "rate 101 is out of range: give requests per second above 0 and at most 100",
			want:    &state.Traffic{Enabled: true, Rate: 1},
		},
		{
			name: "no app to send to", noApps: true, change: TrafficChange{Enabled: &on},
			wantErr: `environment "lab" has no app behind the ingress gateway`,
		},
		{
			// The release is recorded before the install, so down removes
			// it; the setting is not recorded as made.
			name: "install failure keeps the old setting", change: TrafficChange{Enabled: &on}, failApply: true,
			wantErr: "generator broke", wantCalls: []string{"apply traffic: failed"},
			wantRel: []releaseRow{{"traffic", "no digest"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, rels := fakeProvisioner(t)
			env := &state.Environment{Name: "lab", Provider: stacks.ProviderExisting, Mode: stacks.ModeSidecar, Phase: state.PhaseReady, Traffic: tc.before}
			if !tc.noApps {
				env.Apps = []state.App{{Name: "web", Namespace: "web"}}
			}
			require.NoError(t, p.Store.Save(env))
			if tc.failApply {
				rels.failApply[install.TrafficRelease] = errors.New("generator broke")
			}
			got, err := p.Traffic(t.Context(), "lab", tc.change)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
			}
			assert.Equal(t, tc.wantCalls, rels.takeCalls())
			saved, err := p.Store.Load("lab")
			require.NoError(t, err)
			want := tc.want
			if tc.wantErr != "" {
				want = tc.before
			}
			assert.Equal(t, want, saved.Traffic)
			assert.Equal(t, tc.wantRel, releaseRows(saved))
		})
	}
}
