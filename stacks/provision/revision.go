package provision

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/install"
)

// Istio control-plane revisions next to the environment's own istiod: what
// a canary upgrade installs with Helm.
const (
	// RevisionComponent is the component name of revision releases in the
	// environment's record (so `down` removes them like its own releases).
	RevisionComponent = "istiod-revision"
	// TimeoutRevisionRemove bounds removing a revision's release.
	TimeoutRevisionRemove = 3 * time.Minute
)

// RevisionRelease is the Helm release of an Istio revision.
func RevisionRelease(revision string) string { return "istiod-" + revision }

// Revision asks for an Istio revision: the istiod chart of an Istio
// version of the lock ("" is the environment's), installed as release
// istiod-<revision> in istio-system with the values of the environment's
// istiod release, plus the revision and the revision tags that point at it.
type Revision struct {
	Name    string
	Version string
	Tags    []string
}

// InstallRevision installs or upgrades an Istio revision in environment
// name and waits until its istiod is ready. It records the release before
// it installs it, so `down` removes it whatever happens.
func (p *Provisioner) InstallRevision(ctx context.Context, name string, r Revision) error {
	unlock, err := p.Store.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	env, err := p.Store.Load(name)
	if err != nil {
		return err
	}
	base, ok := istiodRelease(env)
	if !ok {
		return fmt.Errorf("environment %q has no istiod installed by labctl: an Istio revision is installed next to it (run `labctl up` first)", name)
	}
	version := r.Version
	if version == "" {
		version = env.IstioVersion
	}
	v, err := p.Versions.ForIstio(version)
	if err != nil {
		return fmt.Errorf("Istio revision %s: %w", r.Name, err)
	}
	c, err := p.Clients(env.Kubeconfig, env.Context)
	if err != nil {
		return err
	}
	helm := p.helm(c)
	cur, err := helm.Status(base.Namespace, base.Name)
	if err != nil {
		return fmt.Errorf("reading release %s/%s, the environment's istiod: %w", base.Namespace, base.Name, err)
	}
	comp := revisionComponent(cur.Config, v.Istio.Repo, v.Istio.Version, base.Namespace, r)
	status := p.NewStatus()
	defer status.Close()
	status.Start(comp.Release, fmt.Sprintf("Installing Istio revision %s (istiod %s)", r.Name, v.Istio.Version))
	start := time.Now()
	env.SetRelease(state.Release{Component: RevisionComponent, Name: comp.Release, Namespace: comp.Namespace, Chart: comp.Chart.Name, Version: comp.Chart.Version})
	env.UpdatedAt = p.now()
	if err := p.Store.Save(env); err != nil {
		status.Fail(comp.Release, "")
		return err
	}
	res, err := helm.Apply(ctx, comp)
	if err != nil {
		status.Fail(comp.Release, "")
		return fmt.Errorf("Istio revision %s: %w", r.Name, err)
	}
	env.SetRelease(state.Release{Component: RevisionComponent, Name: comp.Release, Namespace: comp.Namespace, Chart: comp.Chart.Name,
		Version: res.Release.Chart.Metadata.Version, Digest: res.Release.Labels[install.DigestLabel]})
	env.UpdatedAt = p.now()
	if err := p.Store.Save(env); err != nil {
		return err
	}
	status.Done(comp.Release, fmt.Sprintf("Istio revision %s ready (%s, %s)", r.Name, res.Action, since(start)))
	return nil
}

// RemoveRevision uninstalls an Istio revision from environment name; a
// revision that is not installed is fine.
func (p *Provisioner) RemoveRevision(ctx context.Context, name, revision string) error {
	unlock, err := p.Store.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	env, err := p.Store.Load(name)
	if err != nil {
		return err
	}
	rel := RevisionRelease(revision)
	ns := install.IstioNamespace
	if base, ok := istiodRelease(env); ok {
		ns = base.Namespace
	}
	c, err := p.Clients(env.Kubeconfig, env.Context)
	if err != nil {
		return err
	}
	status := p.NewStatus()
	defer status.Close()
	status.Start(rel, fmt.Sprintf("Removing Istio revision %s", revision))
	if err := p.helm(c).Uninstall(ctx, rel, ns, TimeoutRevisionRemove); err != nil {
		status.Fail(rel, "")
		return fmt.Errorf("removing Istio revision %s: %w", revision, err)
	}
	env.RemoveRelease(rel, ns)
	env.UpdatedAt = p.now()
	if err := p.Store.Save(env); err != nil {
		return err
	}
	status.Done(rel, fmt.Sprintf("Removed Istio revision %s", revision))
	return nil
}

// istiodRelease is the environment's own istiod release.
func istiodRelease(env *state.Environment) (state.Release, bool) {
	for _, r := range env.Releases {
		if r.Component == "istiod" {
			return r, true
		}
	}
	return state.Release{}, false
}

// revisionComponent is the istiod chart of a revision: the values the
// environment's istiod was installed with (hub, mesh config, and on a
// simulated cluster the webhook wiring), with the revision, its tags, and
// none of the default revision's duties (the default webhook and the
// validation webhook stay with the environment's istiod).
func revisionComponent(baseValues map[string]any, repo, version, namespace string, r Revision) install.Component {
	vals := maps.Clone(baseValues)
	if vals == nil {
		vals = map[string]any{}
	}
	vals["revision"] = r.Name
	tags := make([]any, 0, len(r.Tags))
	for _, t := range slices.Sorted(slices.Values(r.Tags)) {
		tags = append(tags, t)
	}
	vals["revisionTags"] = tags
	delete(vals, "defaultRevision")
	return install.Component{Name: RevisionRelease(r.Name), Group: install.GroupMesh, Kind: install.KindHelm,
		Release: RevisionRelease(r.Name), Namespace: namespace,
		Chart:  install.ChartRef{Name: "istiod", Repo: repo, Version: version},
		Values: vals, Timeout: install.TimeoutMesh}
}
