package provision

import (
	"context"
	"fmt"
	"time"

	"github.com/labctl/labctl/internal/apply"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/install"
)

// DefaultTrafficRate is the rate `labctl traffic on` uses when none was set:
// enough for Kiali (which needs 2 requests in its window), light on laptops.
const DefaultTrafficRate = 1.0

// maxTrafficRate bounds the in-cluster generator; labs that need more use
// `labctl load`.
const maxTrafficRate = 100.0

// TrafficChange is what `labctl traffic` asks for; nil fields keep the
// current setting.
type TrafficChange struct {
	Enabled *bool
	Rate    *float64
}

// applyTrafficSetting lets a setting chosen with `labctl traffic` survive a
// re-run of `up`.
func applyTrafficSetting(s *stacks.Stack, t *state.Traffic) {
	if t == nil {
		return
	}
	if s.Spec.Traffic == nil {
		s.Spec.Traffic = &stacks.Traffic{}
	}
	s.Spec.Traffic.Enabled = t.Enabled
	s.Spec.Traffic.Rate = t.Rate
	if len(s.Spec.Traffic.Targets) == 0 {
		for _, a := range s.Spec.Apps {
			if a.Ingress != nil {
				s.Spec.Traffic.Targets = append(s.Spec.Traffic.Targets, a.Name)
			}
		}
	}
}

// Traffic turns the background traffic generator on or off or changes its
// rate, and records the choice so later `up` runs keep it.
func (p *Provisioner) Traffic(ctx context.Context, name string, ch TrafficChange) (*state.Traffic, error) {
	unlock, err := p.Store.Lock(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	env, err := p.Store.Load(name)
	if err != nil {
		return nil, err
	}
	cur := state.Traffic{Rate: DefaultTrafficRate}
	if env.Traffic != nil {
		cur = *env.Traffic
	} else {
		for _, r := range env.Releases {
			if r.Component == install.TrafficRelease {
				cur.Enabled = true
			}
		}
	}
	if ch.Enabled != nil {
		cur.Enabled = *ch.Enabled
	}
	if ch.Rate != nil {
		if *ch.Rate <= 0 || *ch.Rate > maxTrafficRate {
			return nil, fmt.Errorf("rate %g is out of range: give requests per second above 0 and at most %g (use `labctl load` for more)", *ch.Rate, maxTrafficRate)
		}
		cur.Rate = *ch.Rate
	}
	var targets []install.TrafficTarget
	for _, a := range env.Apps {
		path := a.Path
		if path == "" {
			path = "/"
		}
		targets = append(targets, install.TrafficTarget{Name: a.Name, Path: path})
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("environment %q has no app behind the ingress gateway to send traffic to", name)
	}
	c, err := p.Clients(env.Kubeconfig, env.Context)
	if err != nil {
		return nil, err
	}
	comp := install.TrafficComponent(env.Mode, cur.Rate, targets, cur.Enabled)
	status := p.newStatus()
	defer status.Close()
	status.Start("traffic", fmt.Sprintf("Setting background traffic: enabled=%t, %g requests/s per app", cur.Enabled, cur.Rate))
	start := time.Now()
	save := func() error {
		env.UpdatedAt = p.now()
		return p.Store.Save(env)
	}
	// Namespaces and labels, then the release, are recorded before they are
	// made, so `down` removes them even if this run is interrupted.
	if err := p.trafficNamespaces(ctx, c, env, comp, save); err != nil {
		status.Fail("traffic", "")
		return nil, err
	}
	env.SetRelease(state.Release{Component: comp.Name, Name: comp.Release, Namespace: comp.Namespace, Chart: comp.Chart.Name, Version: chartVersion(comp)})
	if err := save(); err != nil {
		status.Fail("traffic", "")
		return nil, err
	}
	res, err := p.helm(c).Apply(ctx, comp)
	if err != nil {
		status.Fail("traffic", "")
		return nil, err
	}
	env.SetRelease(state.Release{Component: comp.Name, Name: comp.Release, Namespace: comp.Namespace, Chart: comp.Chart.Name,
		Version: res.Release.Chart.Metadata.Version, Digest: res.Release.Labels[install.DigestLabel]})
	env.Traffic = &cur
	env.UpdatedAt = p.now()
	if err := p.Store.Save(env); err != nil {
		return nil, err
	}
	status.Done("traffic", fmt.Sprintf("Background traffic %s (%s, %s)", onOff(cur.Enabled), res.Action, since(start)))
	return &cur, nil
}

// trafficNamespaces creates or labels the generator's namespaces with the
// same recorded apply as up.
func (p *Provisioner) trafficNamespaces(ctx context.Context, c *kube.Clients, env *state.Environment, comp install.Component, save func() error) error {
	if len(comp.Namespaces) == 0 {
		return nil
	}
	m, err := p.manifests(c)
	if err != nil {
		return err
	}
	a := &apply.Applier{Dynamic: c.Dynamic, Mapper: m.Mapper}
	_, err = applyNamespaces(ctx, a, c.Kube, env.Name, comp.Namespaces, apply.EnvRecorder(env, save))
	return err
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
