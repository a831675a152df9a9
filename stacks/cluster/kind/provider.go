package kind

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/defaults"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

// Timeouts.
const (
	// WaitForReady bounds kind's wait for the control plane to be Ready.
	WaitForReady = 3 * time.Minute
	// ListTimeout bounds listing clusters during preflight (a hung daemon).
	ListTimeout = 3 * time.Second
)

// CheckRegistryMirror names registry mirror findings.
const CheckRegistryMirror = "registry-mirror"

// Options configure the kind provider.
type Options struct {
	// Log receives kind's own messages (its progress lines from -v 1).
	// Nil discards them.
	Log progress.Logger
	// DefaultNodeImage is the node image when the stack pins none: the
	// version lock's. Empty means kind's built-in default.
	DefaultNodeImage string
	// WorkDir keeps node logs of failed creates and a marker of creates in
	// progress. Empty means $TMPDIR/labctl.
	WorkDir string
	// SlimHint is the last line of the memory/CPU warning: how to select
	// a lighter profile. Empty means preflight.DefaultSlimHint.
	SlimHint string
}

// Provider creates kind clusters with the sigs.k8s.io/kind library.
type Provider struct {
	opts Options

	// Host access, replaced in tests.
	env        preflight.Env
	prober     preflight.Prober
	newEngine  func(endpoint string) (preflight.Engine, error)
	newBackend func(runtime string) (backend, error)
	now        func() time.Time

	mu sync.Mutex
	b  backend
}

var _ cluster.Provider = (*Provider)(nil)

// New returns the kind provider. It touches nothing until used.
func New(o Options) *Provider {
	o.Log = progress.OrDiscard(o.Log)
	if o.WorkDir == "" {
		o.WorkDir = filepath.Join(os.TempDir(), "labctl")
	}
	p := &Provider{
		opts:   o,
		env:    preflight.HostEnv(),
		prober: preflight.LocalProber{},
		newEngine: func(endpoint string) (preflight.Engine, error) {
			return preflight.NewEngine(endpoint, os.Getenv)
		},
		now: time.Now,
	}
	p.newBackend = func(runtime string) (backend, error) {
		return newKindBackend(runtime, logAdapter{o.Log})
	}
	return p
}

// Name implements cluster.Provider.
func (p *Provider) Name() string { return stacks.ProviderKind }

// backend returns the kind library for the detected runtime, made once.
func (p *Provider) backend() (backend, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b != nil {
		return p.b, nil
	}
	b, err := p.newBackend(preflight.DetectRuntime(p.env).Name)
	if err != nil {
		return nil, err
	}
	p.b = b
	return b, nil
}

// resolve applies the provider's defaults to a stack's cluster section.
func (p *Provider) resolve(spec stacks.Cluster) stacks.Cluster {
	if spec.NodeImage == "" {
		spec.NodeImage = p.opts.DefaultNodeImage
	}
	if spec.NodeImage == "" {
		spec.NodeImage = defaults.Image
	}
	ing := IngressFor(spec)
	spec.Ports.HTTP, spec.Ports.HTTPS = ing.HTTPPort, ing.HTTPSPort
	return spec
}

// Preflight implements cluster.Provider: the container runtime answers
// (and, rootless, has cgroup delegation), the ingress host ports are free
// (unless the cluster already exists and publishes them), the runtime has
// the memory and CPUs the stack requires, the inotify limits (when the
// runtime runs on this Linux host) and the registry mirror URL. With the
// runtime down it returns in milliseconds; every probe has its own timeout.
func (p *Provider) Preflight(ctx context.Context, req cluster.Request) preflight.Report {
	log := p.opts.Log
	spec := p.resolve(req.Spec)
	rt := preflight.DetectRuntime(p.env)
	var eng preflight.Engine
	if rt.Endpoint != "" {
		e, err := p.newEngine(rt.Endpoint)
		if err != nil {
			log.V(1).Infof("not probing the %s API: %v", rt.Name, err)
		} else {
			eng = e
		}
	}
	info, rep := preflight.ContainerRuntime(ctx, rt, eng)
	rep = append(rep, preflight.Rootless(rt, info)...)

	exists := false
	if rt.Name != "" && len(rep.Errors()) == 0 {
		var err error
		exists, err = p.exists(ctx, req.Name)
		if err != nil {
			log.V(1).Infof("could not list kind clusters: %v", err)
		}
	}
	if exists {
		log.V(1).Infof("kind cluster %q exists: its ingress ports are already published, not checking them", req.Name)
	} else {
		rep = append(rep, preflight.Ports([]preflight.Port{
			{Name: "http", Number: spec.Ports.HTTP, SetPath: "cluster.ports.http"},
			{Name: "https", Number: spec.Ports.HTTPS, SetPath: "cluster.ports.https"},
		}, p.prober)...)
	}
	rep = append(rep, preflight.RuntimeResources(rt, info, spec.Requires, p.opts.SlimHint)...)
	if localLinux(rt, info) {
		rep = append(rep, preflight.Inotify(p.env.ReadFile)...)
	}
	if problem, fatal := MirrorProblem(spec.RegistryMirror); problem != "" {
		f := preflight.Finding{Check: CheckRegistryMirror, Severity: preflight.Warning, Problem: problem,
			Fix: "use an address the nodes can reach: the mirror container's name on the `kind` Docker network (e.g. http://kind-registry:5000) or this host's LAN IP: `labctl up --set cluster.registryMirror=URL`"}
		if fatal {
			f.Severity = preflight.Error
			f.Fix = "set a URL such as http://kind-registry:5000: `labctl up --set cluster.registryMirror=URL`"
		}
		rep = append(rep, f)
	}
	return rep
}

// localLinux reports whether the runtime's nodes share this Linux host's
// kernel (so its inotify limits apply): not Docker Desktop's VM, not a
// remote DOCKER_HOST.
func localLinux(rt preflight.Runtime, info *preflight.EngineInfo) bool {
	if rt.GOOS != "linux" || (info != nil && info.DockerDesktop()) {
		return false
	}
	return rt.Endpoint == "" || strings.HasPrefix(rt.Endpoint, "unix://")
}

// exists reports whether a kind cluster of that name exists, within
// ListTimeout (kind's List is not context-aware; a hung `docker ps` is left
// to finish on its own).
func (p *Provider) exists(ctx context.Context, name string) (bool, error) {
	b, err := p.backend()
	if err != nil {
		return false, err
	}
	type result struct {
		names []string
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		names, err := b.List()
		ch <- result{names, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, ListTimeout)
	defer cancel()
	select {
	case r := <-ch:
		return contains(r.names, name), r.err
	case <-ctx.Done():
		return false, fmt.Errorf("listing kind clusters took longer than %s", ListTimeout)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
