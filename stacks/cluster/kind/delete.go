package kind

import (
	"context"
	"fmt"
	"strings"

	"github.com/labctl/labctl/internal/state"
)

// Delete implements cluster.Provider: it deletes the kind cluster when
// labctl created it (env.ClusterCreated) and leaves it otherwise. A missing
// cluster is not an error.
func (p *Provider) Delete(ctx context.Context, env *state.Environment) error {
	if env == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	name := clusterName(env)
	if !env.ClusterCreated {
		p.opts.Log.V(1).Infof("kind cluster %q was not created by labctl: leaving it", name)
		return nil
	}
	b, err := p.backend()
	if err != nil {
		return err
	}
	names, err := b.List()
	if err != nil {
		return fmt.Errorf("listing kind clusters: %w", commandError(err))
	}
	if !contains(names, name) {
		return nil
	}
	if err := b.Delete(name, env.Kubeconfig); err != nil {
		return fmt.Errorf("deleting kind cluster %q: %w", name, commandError(err))
	}
	p.unmarkCreating(name)
	return nil
}

// clusterName is the kind cluster of an environment: its context without
// "kind-", else the environment name.
func clusterName(env *state.Environment) string {
	if n, ok := strings.CutPrefix(env.Context, "kind-"); ok && n != "" {
		return n
	}
	return env.Name
}
