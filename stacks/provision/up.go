package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/labctl/labctl/internal/apply"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// UpOptions are the inputs of Up.
type UpOptions struct {
	// Name is the environment name.
	Name  string
	Stack *stacks.Stack
	// Kubeconfig and Context select the cluster for the existing provider,
	// and where kind/kwok write their kubeconfig.
	Kubeconfig string
	Context    string
}

// Up makes the environment match the stack: cluster, mesh, addons, apps,
// traffic. Re-running it reconciles; after an interruption it resumes.
func (p *Provisioner) Up(ctx context.Context, o UpOptions) (*state.Environment, error) {
	unlock, err := p.Store.Lock(o.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()

	spec := o.Stack.Spec
	env, err := p.Store.Load(o.Name)
	switch {
	case errors.Is(err, state.ErrNotFound):
		env = &state.Environment{Name: o.Name, CreatedAt: p.now()}
	case err != nil:
		return nil, err
	default:
		if env.Provider != spec.Cluster.Provider {
			return nil, fmt.Errorf("environment %q already runs on provider %s, not %s: run `labctl down --name %s` first, or pick another --name", o.Name, env.Provider, spec.Cluster.Provider, o.Name)
		}
		if o.Context != "" && env.Context != "" && o.Context != env.Context {
			return nil, fmt.Errorf("environment %q uses context %s, not %s: run `labctl down --name %s` first, or pick another --name", o.Name, env.Context, o.Context, o.Name)
		}
	}
	pr, err := p.provider(spec.Cluster.Provider)
	if err != nil {
		return nil, err
	}
	status := p.newStatus()
	defer status.Close()
	req := cluster.Request{Name: o.Name, Spec: spec.Cluster, Mode: spec.Mesh.Mode, Kubeconfig: o.Kubeconfig, Context: o.Context, Status: status}
	if env.Kubeconfig != "" && req.Kubeconfig == "" {
		req.Kubeconfig = env.Kubeconfig
	}
	if env.Context != "" && req.Context == "" {
		req.Context = env.Context
	}

	status.Start("preflight", "Running preflight checks")
	report := pr.Preflight(ctx, req)
	for _, w := range report.Warnings() {
		p.log().Warnf("%s", w.String())
	}
	if err := report.Err(); err != nil {
		status.Fail("preflight", "Preflight checks failed")
		return nil, err
	}
	status.Done("preflight", "Preflight checks passed")

	if err := p.recordBeforeStart(env, pr, o, req.Kubeconfig); err != nil {
		return nil, err
	}
	cl, err := pr.Ensure(ctx, req)
	if err != nil {
		if env.ClusterCreated {
			return nil, fmt.Errorf("%w\nto remove what was started: labctl down --name %s", err, o.Name)
		}
		return nil, err
	}
	env.Stack = o.Stack.Metadata.Name
	env.Provider = pr.Name()
	env.Kubeconfig = cl.Kubeconfig
	env.Context = cl.Context
	env.Simulated = cl.Simulated
	env.ClusterCreated = env.ClusterCreated || cl.Owned
	env.Mode = spec.Mesh.Mode
	env.IstioVersion = spec.Mesh.Version
	env.Phase = state.PhaseProvisioning
	env.UpdatedAt = p.now()
	if err := p.Store.Save(env); err != nil {
		return nil, err
	}

	runner, _ := pr.(cluster.ControlPlaneRunner)
	if runner != nil {
		cp, why, err := runner.ReserveControlPlane(ctx, o.Name, spec.Mesh.Mode)
		if err != nil {
			return nil, fmt.Errorf("reserving istiod's ports: %w", err)
		}
		if cp == nil {
			status.Info(fmt.Sprintf(" • no Istio control plane next to the simulated cluster: %s; without it, sidecar injection, Istio's validation of applied objects, waypoints and Gateway status cannot be checked", why))
			runner = nil
		}
		cl.ControlPlane = cp
	}

	clients, err := p.Clients(cl.Kubeconfig, cl.Context)
	if err != nil {
		return nil, err
	}
	applyTrafficSetting(o.Stack, env.Traffic)
	comps, err := install.Plan(o.Stack, p.Versions, *cl)
	if err != nil {
		return nil, err
	}
	r := &run{p: p, env: env, clients: clients, status: status, helm: p.helm(clients), controlPlane: runner}
	if r.manifests, err = p.manifests(clients); err != nil {
		return nil, err
	}
	par := p.Parallel
	if par == 0 {
		par = install.DefaultParallelism
	}
	runErr := install.Run(ctx, comps, par, r.apply, func(c install.Component, why string) {
		status.Skip(c.Name, fmt.Sprintf("%s %s", c.Name, why))
	})
	setIngress(ctx, env, o.Stack, cl, clients)
	if runErr != nil {
		env.Phase = state.PhaseFailed
		if ctx.Err() != nil {
			env.Phase = state.PhaseProvisioning
		}
		r.save()
		if ctx.Err() != nil {
			return env, fmt.Errorf("interrupted: run `labctl up` again to resume, or `labctl down` to remove what was made: %w", ctx.Err())
		}
		return env, runErr
	}
	env.Phase = state.PhaseReady
	if err := r.save(); err != nil {
		return env, err
	}
	return env, nil
}

// run is one Up's shared, mutex-guarded progress.
type run struct {
	p         *Provisioner
	mu        sync.Mutex
	env       *state.Environment
	clients   *kube.Clients
	status    progress.Status
	helm      Releases
	manifests *install.Manifests
	// controlPlane runs istiod as a process (kwok); nil when istiod runs
	// in the cluster or not at all.
	controlPlane cluster.ControlPlaneRunner
}

func (r *run) save() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.env.UpdatedAt = r.p.now()
	return r.p.Store.Save(r.env)
}

func (r *run) apply(ctx context.Context, c install.Component) error {
	start := time.Now()
	what := c.Name
	switch c.Kind {
	case install.KindHelm:
		what = fmt.Sprintf("%s (%s %s)", c.Name, c.Chart.Name, chartVersion(c))
	case install.KindControlPlane:
		what = c.Name + " (pilot-discovery next to the simulated cluster)"
	}
	r.status.Start(c.Name, "Installing "+what)
	err := r.applyComponent(ctx, c)
	if err != nil {
		r.status.Fail(c.Name, fmt.Sprintf("%s failed after %s", what, time.Since(start).Round(time.Second)))
		namespaces := []string{c.Namespace}
		for _, ns := range c.Namespaces {
			if ns.Name != c.Namespace {
				namespaces = append(namespaces, ns.Name)
			}
		}
		if probs := Diagnose(ctx, r.clients.Kube, namespaces); len(probs) > 0 {
			return fmt.Errorf("component %s: %w\n  %s", c.Name, err, strings.Join(probs, "\n  "))
		}
		return fmt.Errorf("component %s: %w", c.Name, err)
	}
	return nil
}

func chartVersion(c install.Component) string {
	if c.Chart.Embedded {
		return "built-in"
	}
	return c.Chart.Version
}

func (r *run) applyComponent(ctx context.Context, c install.Component) error {
	start := time.Now()
	relabelled, err := applyNamespaces(ctx, r.applier(), r.clients.Kube, r.env.Name, c.Namespaces, r.record)
	if err != nil {
		return err
	}
	switch c.Kind {
	case install.KindControlPlane:
		if r.controlPlane == nil {
			return fmt.Errorf("the %s provider cannot run Istio's control plane as a process", r.env.Provider)
		}
		cctx, cancel := context.WithTimeout(ctx, c.Timeout)
		defer cancel()
		msg, err := r.controlPlane.StartControlPlane(cctx, r.env.Name)
		if err != nil {
			return err
		}
		r.status.Done(c.Name, fmt.Sprintf("%s (%s)", msg, since(start)))
		return nil
	case install.KindManifest:
		objs, err := r.manifests.Objects(ctx, c)
		if err != nil {
			return err
		}
		res, err := r.applier().Apply(ctx, objs, apply.Options{FieldManager: install.FieldManager, Force: true, Record: r.record})
		if err != nil {
			return fmt.Errorf("manifest %s: %w", c.ManifestURL, err)
		}
		if err := r.manifests.WaitEstablished(ctx, objs, c.Timeout); err != nil {
			return err
		}
		r.status.Done(c.Name, fmt.Sprintf("%s applied (%d new objects, %s)", c.Name, len(res.Plan.New), since(start)))
		return nil
	default:
		// Record the release before installing, so an interrupted install
		// is still uninstalled by `down`.
		r.mu.Lock()
		r.env.SetRelease(state.Release{Component: c.Name, Name: c.Release, Namespace: c.Namespace, Chart: c.Chart.Name, Version: chartVersion(c)})
		r.mu.Unlock()
		if err := r.save(); err != nil {
			return err
		}
		res, err := r.helm.Apply(ctx, c)
		if err != nil {
			return err
		}
		r.mu.Lock()
		r.env.SetRelease(state.Release{Component: c.Name, Name: c.Release, Namespace: c.Namespace, Chart: c.Chart.Name,
			Version: res.Release.Chart.Metadata.Version, Digest: res.Release.Labels[install.DigestLabel]})
		r.mu.Unlock()
		if err := r.save(); err != nil {
			return err
		}
		if c.Group == install.GroupApp {
			r.audit(ctx, c, relabelled)
		}
		r.status.Done(c.Name, fmt.Sprintf("%s %s (%s)", c.Name, res.Action, since(start)))
		return nil
	}
}

// record adds what an apply is about to do to the environment record and
// saves it, before anything is written (internal/apply).
func (r *run) record(_ context.Context, p apply.Plan) error {
	r.mu.Lock()
	apply.RecordPlan(r.env, p)
	r.mu.Unlock()
	return r.save()
}

func (r *run) applier() *apply.Applier {
	return &apply.Applier{Dynamic: r.clients.Dynamic, Mapper: r.manifests.Mapper}
}

func since(t time.Time) string {
	d := time.Since(t)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
