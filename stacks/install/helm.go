package install

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/kube"
	releasei "helm.sh/helm/v4/pkg/release"
	"helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// DigestLabel is the Helm release label holding the digest of the chart and
// values a release was made from; equal digests mean nothing to do.
const DigestLabel = "labctl.dev/digest"

// Action says what Apply did to a release.
type Action string

// Actions.
const (
	ActionInstalled Action = "installed"
	ActionUpgraded  Action = "upgraded"
	ActionUnchanged Action = "unchanged"
	// ActionResumed: a run interrupted mid-install was cleaned up and redone.
	ActionResumed Action = "resumed"
)

// Helm installs, upgrades and uninstalls releases with the Helm v4 SDK.
type Helm struct {
	// Config returns the Helm action configuration for a namespace.
	Config func(namespace string) (*action.Configuration, error)
	Charts *ChartSource
}

// NewHelm returns a Helm that stores releases as Secrets (Helm's default) in
// the cluster reached through getter(namespace), a getter whose default
// namespace is the release's.
func NewHelm(getterFor func(namespace string) genericclioptions.RESTClientGetter, charts *ChartSource, log *slog.Logger) *Helm {
	return &Helm{
		Charts: charts,
		Config: func(namespace string) (*action.Configuration, error) {
			// A fresh getter per release: its namespace is the release's,
			// and its discovery is current, so kinds whose CRDs an earlier
			// component installed (Istio's base chart) can be mapped.
			getter := getterFor(namespace)
			cfg := action.NewConfiguration(action.ConfigurationSetLogger(log.Handler()))
			if err := cfg.Init(getter, namespace, "secret"); err != nil {
				return nil, fmt.Errorf("setting up Helm for namespace %s: %w", namespace, err)
			}
			return cfg, nil
		},
	}
}

// Decision is what Apply will do, decided from the release's last revision.
type Decision string

// Decisions.
const (
	DecideInstall           Decision = "install"
	DecideUpgrade           Decision = "upgrade"
	DecideSkip              Decision = "skip"
	DecideReinstall         Decision = "reinstall"        // pending-install: uninstall, then install
	DecideRollbackToUpgrade Decision = "rollback-upgrade" // pending-upgrade/rollback: roll back, then upgrade
)

// Decide picks the action for a release. last is nil when the release does
// not exist.
func Decide(last *release.Release, digest string) Decision {
	if last == nil || last.Info == nil {
		return DecideInstall
	}
	switch last.Info.Status {
	case common.StatusPendingInstall:
		return DecideReinstall
	case common.StatusPendingUpgrade, common.StatusPendingRollback:
		return DecideRollbackToUpgrade
	case common.StatusUninstalling, common.StatusUninstalled:
		return DecideReinstall
	case common.StatusDeployed:
		if last.Labels[DigestLabel] == digest {
			return DecideSkip
		}
	}
	return DecideUpgrade
}

// Digest identifies a chart (metadata and every file) plus values.
func Digest(c *chart.Chart, vals map[string]any) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", c.Metadata.Name, c.Metadata.Version)
	var files []string
	contents := map[string][]byte{}
	for _, f := range c.Raw {
		files = append(files, f.Name)
		contents[f.Name] = f.Data
	}
	sort.Strings(files)
	for _, name := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(contents[name]))
		h.Write(contents[name])
	}
	// encoding/json sorts map keys, so equal values give equal bytes.
	b, err := json.Marshal(vals)
	if err != nil {
		return "", fmt.Errorf("values cannot be encoded: %w", err)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// Result is what Apply did.
type Result struct {
	Action  Action
	Release *release.Release
}

// Apply reconciles the release of a Helm component and waits until its
// resources are ready (kstatus), within c.Timeout.
func (h *Helm) Apply(ctx context.Context, c Component) (Result, error) {
	ch, err := h.Charts.Load(ctx, c.Chart)
	if err != nil {
		return Result{}, err
	}
	digest, err := Digest(ch, c.Values)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", c.Name, err)
	}
	cfg, err := h.Config(c.Namespace)
	if err != nil {
		return Result{}, err
	}
	last, err := lastRelease(cfg, c.Release)
	if err != nil {
		return Result{}, fmt.Errorf("reading Helm history of release %s/%s: %w", c.Namespace, c.Release, err)
	}
	labels := map[string]string{DigestLabel: digest}
	switch d := Decide(last, digest); d {
	case DecideSkip:
		if err := waitReady(ctx, cfg, last, c.Timeout); err != nil {
			return Result{}, fmt.Errorf("release %s/%s is installed but not ready: %w", c.Namespace, c.Release, err)
		}
		return Result{Action: ActionUnchanged, Release: last}, nil
	case DecideInstall, DecideReinstall:
		if d == DecideReinstall {
			if err := uninstall(ctx, cfg, c.Release, c.Timeout); err != nil {
				return Result{}, fmt.Errorf("cleaning up interrupted install of %s/%s: %w", c.Namespace, c.Release, err)
			}
		}
		rel, err := install(ctx, cfg, c, ch, labels)
		if err != nil {
			return Result{}, err
		}
		a := ActionInstalled
		if d == DecideReinstall {
			a = ActionResumed
		}
		return Result{Action: a, Release: rel}, nil
	default:
		a := ActionUpgraded
		if d == DecideRollbackToUpgrade {
			rb := action.NewRollback(cfg)
			rb.WaitStrategy = kube.HookOnlyStrategy
			rb.Timeout = c.Timeout
			if err := rb.Run(c.Release); err != nil {
				return Result{}, fmt.Errorf("rolling back interrupted upgrade of %s/%s: %w", c.Namespace, c.Release, err)
			}
			a = ActionResumed
		}
		rel, err := upgrade(ctx, cfg, c, ch, labels)
		if err != nil {
			return Result{}, err
		}
		return Result{Action: a, Release: rel}, nil
	}
}

func lastRelease(cfg *action.Configuration, name string) (*release.Release, error) {
	hist, err := action.NewHistory(cfg).Run(name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var last *release.Release
	for _, r := range hist {
		rel, err := asRelease(r)
		if err != nil {
			return nil, err
		}
		if last == nil || rel.Version > last.Version {
			last = rel
		}
	}
	return last, nil
}

func asRelease(r releasei.Releaser) (*release.Release, error) {
	rel, ok := r.(*release.Release)
	if !ok {
		return nil, fmt.Errorf("unexpected Helm release type %T", r)
	}
	return rel, nil
}

func install(ctx context.Context, cfg *action.Configuration, c Component, ch *chart.Chart, labels map[string]string) (*release.Release, error) {
	in := action.NewInstall(cfg)
	in.ReleaseName = c.Release
	in.Namespace = c.Namespace
	in.Timeout = c.Timeout
	in.WaitStrategy = kube.StatusWatcherStrategy
	in.WaitOptions = []kube.WaitOption{kube.WithWaitContext(ctx)}
	in.WaitForJobs = true
	in.ServerSideApply = true
	// Istio's webhook failurePolicy is also set by istiod at run time; force
	// our field ownership rather than fail on that known conflict.
	in.ForceConflicts = true
	in.Labels = labels
	r, err := in.RunWithContext(ctx, ch, c.Values)
	if err != nil {
		return nil, fmt.Errorf("installing %s (chart %s %s) into namespace %s: %w", c.Release, ch.Metadata.Name, ch.Metadata.Version, c.Namespace, err)
	}
	return asRelease(r)
}

func upgrade(ctx context.Context, cfg *action.Configuration, c Component, ch *chart.Chart, labels map[string]string) (*release.Release, error) {
	up := action.NewUpgrade(cfg)
	up.Namespace = c.Namespace
	up.Timeout = c.Timeout
	up.WaitStrategy = kube.StatusWatcherStrategy
	up.WaitOptions = []kube.WaitOption{kube.WithWaitContext(ctx)}
	up.WaitForJobs = true
	up.ServerSideApply = "true"
	up.ForceConflicts = true
	up.Labels = labels
	up.MaxHistory = 5
	r, err := up.RunWithContext(ctx, c.Release, ch, c.Values)
	if err != nil {
		return nil, fmt.Errorf("upgrading %s (chart %s %s) in namespace %s: %w", c.Release, ch.Metadata.Name, ch.Metadata.Version, c.Namespace, err)
	}
	return asRelease(r)
}

func uninstall(ctx context.Context, cfg *action.Configuration, name string, timeout time.Duration) error {
	un := action.NewUninstall(cfg)
	un.IgnoreNotFound = true
	un.WaitStrategy = kube.StatusWatcherStrategy
	un.WaitOptions = []kube.WaitOption{kube.WithWaitContext(ctx)}
	un.Timeout = timeout
	_, err := un.Run(name)
	return err
}

// waitReady waits for the resources of a deployed release to be ready.
func waitReady(ctx context.Context, cfg *action.Configuration, rel *release.Release, timeout time.Duration) error {
	resources, err := cfg.KubeClient.Build(bytes.NewBufferString(rel.Manifest), false)
	if err != nil {
		return err
	}
	var w kube.Waiter
	if c, ok := cfg.KubeClient.(kube.InterfaceWaitOptions); ok {
		w, err = c.GetWaiterWithOptions(kube.StatusWatcherStrategy, kube.WithWaitContext(ctx))
	} else {
		w, err = cfg.KubeClient.GetWaiter(kube.StatusWatcherStrategy)
	}
	if err != nil {
		return err
	}
	return w.WaitWithJobs(resources, timeout)
}

// Uninstall removes a release and waits for its resources to go. A missing
// release is not an error.
func (h *Helm) Uninstall(ctx context.Context, name, namespace string, timeout time.Duration) error {
	cfg, err := h.Config(namespace)
	if err != nil {
		return err
	}
	if err := uninstall(ctx, cfg, name, timeout); err != nil {
		return fmt.Errorf("uninstalling release %s/%s: %w", namespace, name, err)
	}
	return nil
}

// Status returns the last revision of a release, or nil if it does not exist.
func (h *Helm) Status(namespace, name string) (*release.Release, error) {
	cfg, err := h.Config(namespace)
	if err != nil {
		return nil, err
	}
	return lastRelease(cfg, name)
}

// ResetDiscovery drops the getter's cached API discovery and REST mappings,
// so kinds whose CRDs were just installed can be used.
func ResetDiscovery(getter genericclioptions.RESTClientGetter) {
	if dc, err := getter.ToDiscoveryClient(); err == nil {
		dc.Invalidate()
	}
	if m, err := getter.ToRESTMapper(); err == nil {
		if r, ok := m.(meta.ResettableRESTMapper); ok {
			r.Reset()
		}
	}
}
