package provision

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster/kind"
	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// namedClusters are the providers whose cluster and kube context are named
// after the environment, so they can be found without a record.
var namedClusters = []struct {
	provider string
	context  func(env string) string
}{
	{stacks.ProviderKind, kind.ContextName},
	{stacks.ProviderKwok, kwok.ClusterName},
}

// ForceDown removes an environment whose record is damaged (or missing
// after an interrupted start): it finds the kind and simulated clusters
// named after the environment through their providers and kube contexts in
// kubeconfig ("" = default rules), deletes them, and removes the record.
// With a readable record it is Down. An environment on an existing cluster
// cannot be undone without its record (what labctl installed there is
// listed only in it): ForceDown says so and removes only the record.
func (p *Provisioner) ForceDown(ctx context.Context, name, kubeconfig string) error {
	if _, err := p.Store.Load(name); err == nil {
		return p.Down(ctx, name)
	}
	unlock, err := p.Store.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	_, loadErr := p.Store.Load(name)
	damaged := errors.Is(loadErr, state.ErrDamaged)
	if loadErr != nil && !damaged && !errors.Is(loadErr, state.ErrNotFound) {
		return loadErr
	}
	contexts := kubeContexts(kubeconfig)
	status := p.newStatus()
	defer status.Close()
	for _, nc := range namedClusters {
		pr, ok := p.Providers[nc.provider]
		if !ok {
			continue
		}
		ctxName := nc.context(name)
		_, found := contexts[ctxName]
		key := "force-" + nc.provider
		status.Start(key, fmt.Sprintf("Looking for %s cluster of environment %q (context %s)", nc.provider, name, ctxName))
		env := &state.Environment{Name: name, Provider: nc.provider, ClusterCreated: true, Context: ctxName, Kubeconfig: kubeconfig}
		err := pr.Delete(ctx, env)
		switch {
		case err != nil && ctx.Err() != nil:
			status.Fail(key, "Interrupted")
			return err
		case err != nil && found:
			status.Fail(key, fmt.Sprintf("Deleting %s cluster of %q failed", nc.provider, name))
			return fmt.Errorf("deleting the %s cluster of environment %q (context %s): %w; fix that and run `labctl down --force --name %s` again", nc.provider, name, ctxName, err, name)
		case err != nil:
			// No context and the provider cannot even look (Docker not
			// running): there is nothing of this kind to remove.
			status.Skip(key, fmt.Sprintf("No %s cluster of %q found (%v)", nc.provider, name, err))
		case found:
			status.Done(key, fmt.Sprintf("Deleted %s cluster of %q (context %s)", nc.provider, name, ctxName))
		default:
			status.Skip(key, fmt.Sprintf("No %s context %s; removed any %s cluster left of %q", nc.provider, ctxName, nc.provider, name))
		}
	}
	if damaged {
		status.Info(fmt.Sprintf(" • if %q ran on an existing cluster, what labctl installed there is listed only in the damaged record: uninstall those Helm releases and namespaces by hand", name))
	}
	if err := p.Store.Delete(name); err != nil {
		return err
	}
	if damaged {
		status.Info(fmt.Sprintf(" ✓ Removed the damaged record of %q", name))
	}
	return nil
}

// kubeContexts are the context names of the kubeconfig; none when it
// cannot be read (then only the providers can find a cluster).
func kubeContexts(kubeconfig string) map[string]struct{} {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	out := map[string]struct{}{}
	raw, err := rules.Load()
	if err != nil {
		return out
	}
	for n := range raw.Contexts {
		out[n] = struct{}{}
	}
	return out
}
