package lab

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"

	"github.com/labctl/labctl/internal/checkenv"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/stacks/provision"
	"github.com/labctl/labctl/verify"
)

// NewEngine wires the lab engine for environment name to labctl's
// environment record, kube clients, apply helper, check environment and
// traffic control. The cluster is the record's, unless --kubeconfig or
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
		Apply: func(ctx context.Context, env *state.Environment, objs []*unstructured.Unstructured, fm string, force bool) error {
			c, err := cluster(ctx, env)
			if err != nil {
				return err
			}
			return serverSideApply(ctx, c, objs, fm, force)
		},
		Traffic: func(ctx context.Context, name string, on bool, rate float64) (*state.Traffic, error) {
			p, err := provision.New(d, "")
			if err != nil {
				return nil, err
			}
			ch := provision.TrafficChange{Enabled: &on}
			if rate > 0 {
				ch.Rate = &rate
			}
			return p.Traffic(ctx, name, ch)
		},
		ChecksEnv: func(ctx context.Context, env *state.Environment, specs []verify.Spec) (verify.Env, error) {
			return checkenv.Build(ctx, specs, checkenv.Options{Record: env,
				Clients: func(ctx context.Context) (*kube.Clients, error) { return connect(ctx, env) }})
		},
	}
}

// serverSideApply applies objs one by one.
func serverSideApply(ctx context.Context, c *engine.Cluster, objs []*unstructured.Unstructured, fm string, force bool) error {
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return fmt.Errorf("applying %s %s: %w", gvk.Kind, o.GetName(), err)
		}
		ri := c.Dynamic.Resource(m.Resource).Namespace(o.GetNamespace())
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			ri = c.Dynamic.Resource(m.Resource)
		}
		if _, err := ri.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: fm, Force: force}); err != nil {
			return fmt.Errorf("applying %s %s/%s: %w", gvk.Kind, o.GetNamespace(), o.GetName(), err)
		}
	}
	return nil
}
