package provision

import (
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/cluster"
)

// recordBeforeStart saves a new environment before the provider starts a
// cluster labctl will own (cluster.Owner), so that `down` finds and removes
// it whatever happens next: Ctrl-C, a failed start, a crash. An existing
// record is left to the usual save after Ensure.
func (p *Provisioner) recordBeforeStart(env *state.Environment, pr cluster.Provider, o UpOptions, kubeconfig string) error {
	owner, ok := pr.(cluster.Owner)
	if env.Phase != "" || !ok || !owner.OwnsClusters() {
		return nil
	}
	env.Stack = o.Stack.Metadata.Name
	env.Provider = pr.Name()
	env.Kubeconfig = kubeconfig
	env.ClusterCreated = true
	env.Mode = o.Stack.Spec.Mesh.Mode
	env.IstioVersion = o.Stack.Spec.Mesh.Version
	env.Phase = state.PhaseProvisioning
	env.UpdatedAt = p.now()
	return p.Store.Save(env)
}
