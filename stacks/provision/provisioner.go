package provision

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	release "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// Store keeps environment records; *state.Store is the one labctl uses.
type Store interface {
	// Lock takes the environment's lock; the returned func releases it.
	Lock(name string) (func(), error)
	// Load returns state.ErrNotFound for an environment with no record.
	Load(name string) (*state.Environment, error)
	Save(env *state.Environment) error
	Delete(name string) error
}

// Releases installs, reads and removes the Helm releases of one cluster;
// *install.Helm is the one labctl uses.
type Releases interface {
	// Apply reconciles a Helm component's release (install, upgrade,
	// resume or leave it unchanged) and waits until it is ready.
	Apply(ctx context.Context, c install.Component) (install.Result, error)
	Uninstall(ctx context.Context, name, namespace string, timeout time.Duration) error
	// Status returns a release's last revision, nil when it does not exist.
	Status(namespace, name string) (*release.Release, error)
}

// Provisioner holds what up, down and status share.
type Provisioner struct {
	Store Store
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
	// NewReleases returns the release installer for a cluster (nil: Helm
	// through the cluster's clients and Charts).
	NewReleases func(c *kube.Clients) Releases
	// Mapper maps kinds to resources for a cluster (nil: the cluster's
	// discovery, refreshed first).
	Mapper func(c *kube.Clients) (meta.RESTMapper, error)
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

func (p *Provisioner) helm(c *kube.Clients) Releases {
	if p.NewReleases != nil {
		return p.NewReleases(c)
	}
	return install.NewHelm(c.NamespacedGetter, p.Charts, progress.Slog(p.Log))
}

func (p *Provisioner) manifests(c *kube.Clients) (*install.Manifests, error) {
	var mapper meta.RESTMapper
	var err error
	if p.Mapper != nil {
		mapper, err = p.Mapper(c)
	} else {
		install.ResetDiscovery(c.Getter)
		mapper, err = c.Getter.ToRESTMapper()
	}
	if err != nil {
		return nil, fmt.Errorf("discovering the cluster's API resources: %w", err)
	}
	return &install.Manifests{Dynamic: c.Dynamic, Mapper: mapper, Source: p.Charts}, nil
}
