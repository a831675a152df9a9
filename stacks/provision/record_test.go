package provision

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

// startingProvider fails in Ensure after "starting processes", as an
// interrupted or failed start of a simulated control plane does.
type startingProvider struct {
	owns    bool
	started bool
	deleted []string
}

func (f *startingProvider) Name() string { return stacks.ProviderKwok }
func (f *startingProvider) Preflight(context.Context, cluster.Request) preflight.Report {
	return nil
}
func (f *startingProvider) Ensure(ctx context.Context, req cluster.Request) (*cluster.Cluster, error) {
	f.started = true
	return nil, context.Canceled
}
func (f *startingProvider) Delete(_ context.Context, env *state.Environment) error {
	f.deleted = append(f.deleted, env.Name)
	return nil
}
func (f *startingProvider) OwnsClusters() bool { return f.owns }

// TestUpRecordsBeforeStart: a start that fails half-way leaves a record
// `down` finds, and the error names the command that cleans up.
func TestUpRecordsBeforeStart(t *testing.T) {
	for _, owns := range []bool{true, false} {
		fp := &startingProvider{owns: owns}
		p := &Provisioner{
			Store:     &state.Store{Dir: t.TempDir()},
			Providers: map[string]cluster.Provider{stacks.ProviderKwok: fp},
		}
		st := &stacks.Stack{}
		st.Metadata.Name = "default"
		st.Spec.Cluster.Provider = stacks.ProviderKwok
		_, err := p.Up(context.Background(), UpOptions{Name: "lab", Stack: st, Kubeconfig: "/k/config"})
		require.True(t, fp.started)
		require.True(t, errors.Is(err, context.Canceled), "%v", err)
		env, lerr := p.Store.Load("lab")
		if !owns {
			assert.ErrorIs(t, lerr, state.ErrNotFound, "nothing recorded for a cluster labctl may not own")
			assert.NotContains(t, err.Error(), "labctl down")
			continue
		}
		require.NoError(t, lerr)
		assert.True(t, env.ClusterCreated)
		assert.Equal(t, "/k/config", env.Kubeconfig)
		assert.Equal(t, stacks.ProviderKwok, env.Provider)
		assert.Contains(t, err.Error(), "labctl down --name lab")

		require.NoError(t, p.Down(context.Background(), "lab"))
		assert.Equal(t, []string{"lab"}, fp.deleted, "down stops what the failed start left")
		_, lerr = p.Store.Load("lab")
		assert.ErrorIs(t, lerr, state.ErrNotFound)
	}
}
