package lab

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/internal/checkenv"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/stacks/provision"
	"github.com/labctl/labctl/verify"
)

// NewEngine wires the lab engine for environment name to labctl's
// environment record, kube clients, check environment and traffic
// control (the engine applies through internal/apply itself). The cluster is the record's, unless --kubeconfig or
// --context say otherwise.
func NewEngine(d *cli.Deps, name string, cat engine.Catalog) *engine.Engine {
	var mapper meta.RESTMapper
	var clients *kube.Clients
	connect := func(ctx context.Context, env *state.Environment) (*kube.Clients, error) {
		if clients != nil {
			return clients, nil
		}
		var err error
		if env != nil && env.Context != "" && d.Kubeconfig == "" && d.Context == "" {
			clients, err = kube.Load(env.Kubeconfig, env.Context)
		} else {
			clients, err = d.Kube(ctx)
		}
		return clients, err
	}
	cluster := func(ctx context.Context, env *state.Environment) (*engine.Cluster, error) {
		c, err := connect(ctx, env)
		if err != nil {
			return nil, err
		}
		if mapper == nil {
			mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Kube.Discovery()))
		}
		out := &engine.Cluster{Kube: c.Kube, Dynamic: c.Dynamic, Mapper: mapper}
		if c.REST != nil {
			out.Exec = verify.KubeExecutor{Config: c.REST, Kube: c.Kube}
		}
		return out, nil
	}
	return &engine.Engine{
		Store:   d.Store,
		EnvName: name,
		Catalog: cat,
		Cluster: cluster,
		Traffic: func(ctx context.Context, name string, on bool, rate float64) (*state.Traffic, error) {
			p, err := provision.New(provision.Config{Store: d.Store, CacheDir: d.CacheDir, Log: d.Log, NewStatus: d.NewStatus})
			if err != nil {
				return nil, err
			}
			ch := provision.TrafficChange{Enabled: &on}
			if rate > 0 {
				ch.Rate = &rate
			}
			return p.Traffic(ctx, name, ch)
		},
		Revisions: revisions{d},
		ChecksEnv: func(ctx context.Context, env *state.Environment, specs []verify.Spec) (verify.Env, error) {
			return checkenv.Build(ctx, specs, checkenv.Options{Record: env,
				Clients: func(ctx context.Context) (*kube.Clients, error) { return connect(ctx, env) }})
		},
	}
}

// revisions runs istioRevision actions with labctl's provisioner.
type revisions struct{ d *cli.Deps }

func (r revisions) InstallRevision(ctx context.Context, env string, a labs.IstioRevisionAction) error {
	p, err := provision.New(provision.Config{Store: r.d.Store, CacheDir: r.d.CacheDir, Log: r.d.Log, NewStatus: r.d.NewStatus})
	if err != nil {
		return err
	}
	return p.InstallRevision(ctx, env, provision.Revision{Name: a.Revision, Version: a.Version, Tags: a.Tags})
}

func (r revisions) RemoveRevision(ctx context.Context, env, revision string) error {
	p, err := provision.New(provision.Config{Store: r.d.Store, CacheDir: r.d.CacheDir, Log: r.d.Log, NewStatus: r.d.NewStatus})
	if err != nil {
		return err
	}
	return p.RemoveRevision(ctx, env, revision)
}
