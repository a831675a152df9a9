package provision

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// Provisioner holds what up, down and status share.
type Provisioner struct {
	Store *state.Store
	// Log receives warnings and detail (nil: discarded).
	Log progress.Logger
	// NewStatus makes the status report of one up, down or traffic call
	// (nil: nothing is reported).
	NewStatus func() progress.Status
	// Providers by name: kind, existing, kwok.
	Providers map[string]cluster.Provider
	Versions  *stacks.Versions
	// Charts finds and caches charts.
	Charts *install.ChartSource
	// Clients builds Kubernetes clients for a kubeconfig and context.
	Clients func(kubeconfig, context string) (*kube.Clients, error)
	// Parallel bounds concurrent component installs.
	Parallel int
	Now      func() time.Time
}

func (p *Provisioner) provider(name string) (cluster.Provider, error) {
	pr, ok := p.Providers[name]
	if !ok {
		names := make([]string, 0, len(p.Providers))
		for n := range p.Providers {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown provider %q: use one of %s", name, strings.Join(names, ", "))
	}
	return pr, nil
}

func (p *Provisioner) log() progress.Logger { return progress.OrDiscard(p.Log) }

func (p *Provisioner) newStatus() progress.Status {
	if p.NewStatus == nil {
		return progress.NoStatus()
	}
	return progress.OrNoStatus(p.NewStatus())
}

func (p *Provisioner) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provisioner) helm(c *kube.Clients) *install.Helm {
	return install.NewHelm(c.NamespacedGetter, p.Charts, progress.Slog(p.Log))
}

func (p *Provisioner) manifests(c *kube.Clients) (*install.Manifests, error) {
	install.ResetDiscovery(c.Getter)
	mapper, err := c.Getter.ToRESTMapper()
	if err != nil {
		return nil, fmt.Errorf("discovering the cluster's API resources: %w", err)
	}
	return &install.Manifests{Dynamic: c.Dynamic, Mapper: mapper, Source: p.Charts}, nil
}
