package kwok

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

// Timeouts of the simulated cluster's lifecycle.
const (
	// CreateTimeout bounds `kwokctl create cluster`: starting etcd and the
	// control plane takes seconds; a first download of the binaries longer.
	CreateTimeout = 5 * time.Minute
	// ScaleTimeout bounds `kwokctl scale node`.
	ScaleTimeout = time.Minute
	// DeleteTimeout bounds `kwokctl delete cluster`.
	DeleteTimeout = time.Minute
	// stopGrace is how long kwokctl gets to clean up after Ctrl-C before
	// it is killed.
	stopGrace = 10 * time.Second
)

// Ingress of a simulated cluster: recorded like kind's (NodePort on
// 127.0.0.1) so plans and URLs look the same, though nothing listens.
const (
	NodePortHTTP  = 30080
	NodePortHTTPS = 30443
)

// Options configure the provider.
type Options struct {
	// CacheDir is labctl's cache directory: kwokctl's workdir is
	// <CacheDir>/kwok and `make testenv` binaries are in <CacheDir>/testenv/bin.
	CacheDir string
	// Binaries are explicit paths by component name (Kwokctl,
	// KubeAPIServer, ...), e.g. from flags; they win over everything.
	Binaries map[string]string
	// Log receives warnings and kwokctl's output at verbosity 2 (nil:
	// discarded).
	Log progress.Logger
}

// Provider runs simulated clusters with kwokctl's binary runtime.
type Provider struct {
	opts   Options
	finder finder
	// run executes kwokctl; replaceable in tests.
	run func(ctx context.Context, kwokctl string, env []string, args ...string) ([]byte, error)
	// probe checks that kwokctl could download binaries; replaceable in tests.
	probe func(ctx context.Context) error
	// listNodes waits for the fake nodes to be listed; replaceable in tests.
	listNodes func(ctx context.Context, kubeconfig, context string, nodes int) error
	// apiReady waits for the cluster's apiserver after kwokctl started it;
	// replaceable in tests.
	apiReady func(ctx context.Context, clusterDir string) error
	// portLock is the machine-wide lock file held while a cluster starts.
	portLock string
}

var _ cluster.Provider = (*Provider)(nil)

// New returns the kwok provider.
func New(opts Options) *Provider {
	opts.Log = progress.OrDiscard(opts.Log)
	return &Provider{
		opts:      opts,
		finder:    newFinder(opts.Binaries, opts.CacheDir),
		run:       runKwokctl,
		probe:     probeDownloads,
		listNodes: waitNodes,
		apiReady:  waitAPIServer,
		portLock:  PortLockPath(),
	}
}

// Name implements cluster.Provider.
func (p *Provider) Name() string { return stacks.ProviderKwok }

// Workdir is the provider's KWOK_WORKDIR.
func (p *Provider) Workdir() string { return Workdir(p.opts.CacheDir) }

// Binaries returns where each component's binary was found.
func (p *Provider) Binaries() Binaries { return p.finder.resolve() }

// Ensure implements cluster.Provider: it starts (or restarts, or reuses) the
// simulated cluster named after the environment, scales it to 1+Workers
// fake nodes, and writes context kwok-<name>
// into req.Kubeconfig (default: $KUBECONFIG's first file or ~/.kube/config).
func (p *Provider) Ensure(ctx context.Context, req cluster.Request) (*cluster.Cluster, error) {
	if err := state.ValidateName(req.Name); err != nil {
		return nil, err
	}
	bins := p.Binaries()
	kwokctl := bins[Kwokctl]
	if kwokctl.Path == "" {
		return nil, fmt.Errorf("kwokctl not found: %s", kwokctlFix(p.opts.CacheDir))
	}
	workdir := p.Workdir()
	dir := ClusterDir(workdir, req.Name)
	_, err := os.Stat(filepath.Join(dir, "kwok.yaml"))
	existed := err == nil
	env := commandEnv(os.Environ(), workdir, bins)
	name := ClusterName(req.Name)

	req.Progress().Start("kwok", "Starting simulated control plane "+name)
	out, err := p.create(ctx, req.Name, kwokctl.Path, env, bins, existed)
	p.logOutput("create", out)
	if err != nil {
		req.Progress().Fail("kwok", "Starting simulated control plane "+name)
		if out == nil {
			return nil, err
		}
		return nil, kwokctlError("starting simulated cluster "+name, err, out, dir)
	}
	if err := p.apiReady(ctx, dir); err != nil {
		req.Progress().Fail("kwok", "Starting simulated control plane "+name)
		return nil, err
	}
	nodes := 1 + req.Spec.Workers
	sctx, cancel := context.WithTimeout(ctx, ScaleTimeout)
	out, err = p.run(sctx, kwokctl.Path, env, scaleArgs(req.Name, nodes)...)
	cancel()
	p.logOutput("scale", out)
	if err != nil {
		req.Progress().Fail("kwok", "Starting simulated control plane "+name)
		return nil, kwokctlError(fmt.Sprintf("scaling simulated cluster %s to %d nodes", name, nodes), err, out, dir)
	}
	if err := restrictSecrets(dir); err != nil {
		req.Progress().Fail("kwok", "Starting simulated control plane "+name)
		return nil, err
	}
	kubeconfig := req.Kubeconfig
	if kubeconfig == "" {
		kubeconfig = DefaultKubeconfig()
	}
	if err := writeContext(filepath.Join(dir, kwokctlKubeconfig), kubeconfig, name); err != nil {
		req.Progress().Fail("kwok", "Starting simulated control plane "+name)
		return nil, err
	}
	if err := p.listNodes(ctx, kubeconfig, name, nodes); err != nil {
		req.Progress().Fail("kwok", "Starting simulated control plane "+name)
		return nil, err
	}
	verb := "Started"
	if existed {
		verb = "Reused"
	}
	req.Progress().Done("kwok", fmt.Sprintf("%s simulated control plane %s (%d fake nodes)", verb, name, nodes))
	ing := cluster.Ingress{
		ServiceType: "NodePort", Host: "127.0.0.1",
		HTTPPort: req.Spec.Ports.HTTP, HTTPSPort: req.Spec.Ports.HTTPS,
		NodePortHTTP: NodePortHTTP, NodePortHTTPS: NodePortHTTPS,
	}
	if ing.HTTPPort == 0 {
		ing.HTTPPort = stacks.DefaultHTTPPort
	}
	if ing.HTTPSPort == 0 {
		ing.HTTPSPort = stacks.DefaultHTTPSPort
	}
	return &cluster.Cluster{
		Kubeconfig: kubeconfig, Context: name,
		Created: !existed, Owned: true, Simulated: true,
		Ingress: ing,
	}, nil
}

// Delete implements cluster.Provider: `kwokctl delete cluster` stops every
// process and removes the cluster directory; then the provider checks that
// no recorded process survived, removes what is left of the directory and
// the kube context. A missing cluster is not an error.
func (p *Provider) Delete(ctx context.Context, env *state.Environment) error {
	workdir := p.Workdir()
	dir := ClusterDir(workdir, env.Name)
	name := ClusterName(env.Name)
	kubeconfig := env.Kubeconfig
	if kubeconfig == "" {
		kubeconfig = DefaultKubeconfig()
	}
	if err := p.StopIstiod(ctx, env.Name); err != nil {
		return fmt.Errorf("stopping istiod of simulated cluster %s: %w", name, err)
	}
	procs, err := readPIDs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		bins := p.Binaries()
		kwokctl := bins[Kwokctl]
		if kwokctl.Path == "" {
			return fmt.Errorf("deleting simulated cluster %s: kwokctl not found: %s", name, kwokctlFix(p.opts.CacheDir))
		}
		dctx, cancel := context.WithTimeout(ctx, DeleteTimeout)
		out, err := p.run(dctx, kwokctl.Path, commandEnv(os.Environ(), workdir, bins), deleteArgs(env.Name, kubeconfig)...)
		cancel()
		p.logOutput("delete", out)
		if err != nil {
			return kwokctlError("deleting simulated cluster "+name, err, out, dir)
		}
	}
	if err := waitGone(ctx, procs, ProcessExitTimeout); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing simulated cluster directory %s: %w", dir, err)
	}
	if err := os.Remove(ConfigPath(workdir, env.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing kwokctl configuration: %w", err)
	}
	return removeContext(kubeconfig, name)
}

func (p *Provider) logOutput(what string, out []byte) {
	if len(bytes.TrimSpace(out)) == 0 {
		return
	}
	if v := p.opts.Log.V(2); v.Enabled() {
		v.Infof("kwokctl %s:\n%s", what, strings.TrimRight(string(out), "\n"))
	}
}

// runKwokctl runs kwokctl and returns its combined output. On cancellation
// kwokctl gets SIGTERM and stopGrace to clean up before it is killed.
func runKwokctl(ctx context.Context, kwokctl string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, kwokctl, args...)
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopGrace
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if ctx.Err() != nil {
		return buf.Bytes(), fmt.Errorf("kwokctl %s: %w", strings.Join(args[:2], " "), context.Cause(ctx))
	}
	return buf.Bytes(), err
}

// kwokctlError wraps a failed kwokctl run with the tail of its output and
// where the component logs are.
func kwokctlError(what string, err error, out []byte, dir string) error {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	msg := fmt.Sprintf("%s: %v", what, err)
	if tail := strings.TrimSpace(strings.Join(lines, "\n")); tail != "" {
		msg += "\nkwokctl said:\n  " + strings.ReplaceAll(tail, "\n", "\n  ")
	}
	msg += fmt.Sprintf("\ncomponent logs are in %s", filepath.Join(dir, "logs"))
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return errors.New(msg)
}

func kwokctlFix(cacheDir string) string {
	return fmt.Sprintf("run `make testenv` (builds it into %s), or `go install sigs.k8s.io/kwok/cmd/kwokctl@%s`, or set %s to its path",
		TestenvBinDir(cacheDir), KwokVersion, KwokctlEnv)
}

// KwokVersion is the kwok release the provider is tested with.
const KwokVersion = "v0.8.0"

// OwnsClusters implements cluster.Owner: every simulated cluster runs
// from the provider's own workdir, so whatever Ensure started is labctl's.
func (p *Provider) OwnsClusters() bool { return true }
