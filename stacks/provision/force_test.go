package provision

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/progress/progresstest"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

// namedProvider records what Delete was asked to remove; err fails it.
type namedProvider struct {
	name    string
	deleted []*state.Environment
	err     error
}

func (f *namedProvider) Name() string { return f.name }
func (f *namedProvider) Preflight(context.Context, cluster.Request) preflight.Report {
	return nil
}
func (f *namedProvider) Ensure(context.Context, cluster.Request) (*cluster.Cluster, error) {
	return nil, errors.New("not used")
}
func (f *namedProvider) Delete(_ context.Context, env *state.Environment) error {
	f.deleted = append(f.deleted, env)
	return f.err
}

const kubeconfigWithKind = `apiVersion: v1
kind: Config
clusters:
- name: kind-lab
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: kind-lab
  context: {cluster: kind-lab, user: u}
users:
- name: u
  user: {token: x}
current-context: kind-lab
`

func forceFixture(t *testing.T) (*Provisioner, *namedProvider, *namedProvider, *progresstest.Recorder, string) {
	t.Helper()
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	require.NoError(t, os.WriteFile(kc, []byte(kubeconfigWithKind), 0o600))
	kindP := &namedProvider{name: stacks.ProviderKind}
	kwokP := &namedProvider{name: stacks.ProviderKwok}
	out := progresstest.New(0)
	store := &state.Store{Dir: filepath.Join(dir, "state")}
	p := &Provisioner{
		Store:     store,
		Log:       out,
		NewStatus: func() progress.Status { return out },
		Providers: map[string]cluster.Provider{stacks.ProviderKind: kindP, stacks.ProviderKwok: kwokP},
	}
	require.NoError(t, os.MkdirAll(store.Dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(store.Dir, "lab.json"), []byte(`{"name": "lab", "provid`), 0o600))
	return p, kindP, kwokP, out, kc
}

// TestDamagedRecordNamesForceDown: up, status and down refuse a damaged
// record and name the command that gets out of it.
func TestDamagedRecordNamesForceDown(t *testing.T) {
	p, kindP, _, _, _ := forceFixture(t)
	want := "run `labctl down --force --name lab`"
	st := &stacks.Stack{}
	st.Spec.Cluster.Provider = stacks.ProviderKind
	_, err := p.Up(t.Context(), UpOptions{Name: "lab", Stack: st})
	require.ErrorIs(t, err, state.ErrDamaged)
	assert.ErrorContains(t, err, want)
	_, err = p.Status(t.Context(), "lab")
	assert.ErrorContains(t, err, want)
	err = p.Down(t.Context(), "lab")
	assert.ErrorContains(t, err, want)
	assert.Empty(t, kindP.deleted, "nothing is removed without --force")
}

func TestForceDown(t *testing.T) {
	p, kindP, kwokP, out, kc := forceFixture(t)
	require.NoError(t, p.ForceDown(t.Context(), "lab", kc))
	require.Len(t, kindP.deleted, 1)
	assert.Equal(t, state.Environment{Name: "lab", Provider: "kind", ClusterCreated: true, Context: "kind-lab", Kubeconfig: kc}, *kindP.deleted[0])
	require.Len(t, kwokP.deleted, 1)
	assert.Equal(t, "kwok-lab", kwokP.deleted[0].Context)
	assert.Contains(t, out.String(), `Deleted kind cluster of "lab" (context kind-lab)`)
	assert.Contains(t, out.String(), "No kwok context kwok-lab")
	assert.Contains(t, out.String(), `Removed the damaged record of "lab"`)
	_, err := p.Store.Load("lab")
	assert.ErrorIs(t, err, state.ErrNotFound)
	assert.NoFileExists(t, filepath.Join(p.Store.(*state.Store).Dir, "lab.lock"))

	// Again: nothing left, nothing fails.
	require.NoError(t, p.ForceDown(t.Context(), "lab", kc))
}

func TestForceDownFailures(t *testing.T) {
	// The cluster whose context exists cannot be deleted: the record stays
	// so the command can be repeated, and the error says so.
	p, kindP, _, _, kc := forceFixture(t)
	kindP.err = errors.New("docker: connection refused")
	err := p.ForceDown(t.Context(), "lab", kc)
	require.ErrorContains(t, err, "deleting the kind cluster of environment \"lab\" (context kind-lab): docker: connection refused")
	assert.ErrorContains(t, err, "labctl down --force --name lab")
	_, lerr := p.Store.Load("lab")
	assert.ErrorIs(t, lerr, state.ErrDamaged, "the record stays until the cluster is gone")

	// A provider that cannot look, with no context of its kind, is skipped.
	p, _, kwokP, out, kc := forceFixture(t)
	kwokP.err = errors.New("kwokctl not found")
	require.NoError(t, p.ForceDown(t.Context(), "lab", kc))
	assert.Contains(t, out.String(), `No kwok cluster of "lab" found (kwokctl not found)`)

	// Another labctl holding the environment wins.
	p, kindP, _, _, kc = forceFixture(t)
	unlock, err := p.Store.Lock("lab")
	require.NoError(t, err)
	defer unlock()
	require.ErrorIs(t, p.ForceDown(t.Context(), "lab", kc), state.ErrLocked)
	assert.Empty(t, kindP.deleted)
}
