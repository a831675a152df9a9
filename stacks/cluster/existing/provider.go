package existing

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/cluster/kwok"
	"github.com/labctl/labctl/stacks/preflight"
)

// Check names of this provider's findings.
const (
	CheckContext = "context"
	CheckCluster = "cluster"
	CheckMode    = "mode"
)

// Options configure the existing provider.
type Options struct {
	// Log receives debug detail (nil: discarded).
	Log progress.Logger
	// Mode is the stack's mesh mode: ambient is refused on Docker
	// Desktop's Kubernetes (istio#47436). cluster.Request does not carry
	// the mode yet.
	Mode string
	// ReachTimeout overrides ReachTimeout (tests).
	ReachTimeout time.Duration
}

// Provider adopts any kubeconfig context. It never creates or deletes the
// cluster: Ensure returns Owned=false and Delete does nothing, so `labctl
// down` removes only what labctl installed.
type Provider struct {
	opts Options
}

var _ cluster.Provider = (*Provider)(nil)

// New returns the existing-cluster provider.
func New(o Options) *Provider {
	o.Log = progress.OrDiscard(o.Log)
	if o.ReachTimeout == 0 {
		o.ReachTimeout = ReachTimeout
	}
	return &Provider{opts: o}
}

// Name implements cluster.Provider.
func (p *Provider) Name() string { return stacks.ProviderExisting }

// target is a resolved context and what is known about it.
type target struct {
	clients *kube.Clients
	cluster string // the context's cluster name in the kubeconfig
	flavor  Flavor
}

// load resolves the context; the error names it and lists the known ones.
func load(req cluster.Request) (*target, error) {
	c, err := kube.Load(req.Kubeconfig, req.Context)
	if err != nil {
		return nil, err
	}
	t := &target{clients: c}
	if raw, err := c.Getter.ToRawKubeConfigLoader().RawConfig(); err == nil {
		if kc := raw.Contexts[c.Context]; kc != nil {
			t.cluster = kc.Cluster
		}
	}
	t.flavor = DetectFlavor(c.Context, t.cluster, c.REST.Host, nil)
	return t, nil
}

// Preflight implements cluster.Provider: the context exists, its API server
// answers within ReachTimeout, and the mode suits the cluster. Host ports
// and the container runtime are not labctl's business here.
func (p *Provider) Preflight(ctx context.Context, req cluster.Request) preflight.Report {
	t, err := load(req)
	if err != nil {
		return preflight.Report{contextFinding(req, err)}
	}
	var rep preflight.Report
	if f := p.modeFinding(p.mode(req), t.flavor, t.clients.Context); f != nil {
		rep = append(rep, *f)
	}
	if _, err := Reachable(ctx, t.clients.REST, t.clients.Context, p.opts.ReachTimeout); err != nil {
		rep = append(rep, reachFinding(err))
	}
	return rep
}

func contextFinding(req cluster.Request, err error) preflight.Finding {
	fix := "list the contexts with `kubectl config get-contexts`, then `labctl up --provider existing --context NAME`"
	if req.Kubeconfig == "" {
		fix += " (add --kubeconfig FILE when it is not in $KUBECONFIG or ~/.kube/config)"
	}
	return preflight.Finding{Check: CheckContext, Severity: preflight.Error, Problem: err.Error(), Fix: fix}
}

func reachFinding(err error) preflight.Finding {
	f := preflight.Finding{Check: CheckCluster, Severity: preflight.Error, Problem: err.Error()}
	var ue *UnreachableError
	if errors.As(err, &ue) {
		f.Fix = ue.Fix()
	}
	return f
}

// mode is the request's mesh mode, else the one given at construction.
func (p *Provider) mode(req cluster.Request) string {
	if req.Mode != "" {
		return req.Mode
	}
	return p.opts.Mode
}

func (p *Provider) modeFinding(mode string, f Flavor, contextName string) *preflight.Finding {
	if mode != stacks.ModeAmbient || f != FlavorDockerDesktop {
		return nil
	}
	return &preflight.Finding{
		Check:    CheckMode,
		Severity: preflight.Error,
		Problem:  fmt.Sprintf("Istio ambient does not work on Docker Desktop's Kubernetes (context %q; istio#47436)", contextName),
		Fix:      "use a kind cluster for ambient (`labctl up --provider kind`), or the sidecar mode on this cluster",
	}
}

// Ensure implements cluster.Provider: it checks the context and that the
// cluster answers, then says how to reach the ingress gateway on it. It
// changes nothing.
func (p *Provider) Ensure(ctx context.Context, req cluster.Request) (*cluster.Cluster, error) {
	t, err := load(req)
	if err != nil {
		return nil, err
	}
	ver, err := Reachable(ctx, t.clients.REST, t.clients.Context, p.opts.ReachTimeout)
	if err != nil {
		var ue *UnreachableError
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("%w; %s", err, ue.Fix())
		}
		return nil, err
	}
	nodes := p.nodes(ctx, t)
	flavor := DetectFlavor(t.clients.Context, t.cluster, t.clients.REST.Host, nodes)
	if f := p.modeFinding(p.mode(req), flavor, t.clients.Context); f != nil {
		return nil, errors.New(f.Problem + ": " + f.Fix)
	}
	nodeIP := ""
	for _, n := range nodes {
		if n.InternalIP != "" {
			nodeIP = n.InternalIP
			break
		}
	}
	ing, why := IngressFor(flavor, nodeIP)
	p.say(req, fmt.Sprintf("Using existing cluster: context %q (Kubernetes %s); labctl will not create or delete it", t.clients.Context, ver))
	p.say(req, why)
	simulated := Simulated(nodes)
	if simulated {
		p.say(req, "Every node is simulated by kwok: the cluster has no data plane (traffic and telemetry checks will be skipped)")
	}
	return &cluster.Cluster{Kubeconfig: req.Kubeconfig, Context: t.clients.Context, Ingress: ing, Simulated: simulated}, nil
}

// say prints a line on the request's status.
func (p *Provider) say(req cluster.Request, msg string) { req.Progress().Info(" • " + msg) }

// nodes lists node names and InternalIPs, best effort (RBAC may forbid it),
// within ReachTimeout.
func (p *Provider) nodes(ctx context.Context, t *target) []Node {
	ctx, cancel := context.WithTimeout(ctx, p.opts.ReachTimeout)
	defer cancel()
	ch := make(chan []Node, 1)
	go func() {
		list, err := t.clients.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			p.opts.Log.V(1).Infof("listing nodes of context %q: %v", t.clients.Context, err)
			ch <- nil
			return
		}
		var out []Node
		for _, n := range list.Items {
			node := Node{Name: n.Name, Fake: kwok.IsFakeNode(n.Annotations)}
			for _, a := range n.Status.Addresses {
				if a.Type == corev1.NodeInternalIP && node.InternalIP == "" {
					node.InternalIP = a.Address
				}
			}
			out = append(out, node)
		}
		ch <- out
	}()
	select {
	case n := <-ch:
		return n
	case <-ctx.Done():
		return nil
	}
}

// Delete implements cluster.Provider: an adopted cluster is never deleted;
// the caller uninstalls what labctl put there.
func (p *Provider) Delete(context.Context, *state.Environment) error { return nil }

// Simulated reports whether a cluster has nodes and all of them are kwok's
// fake nodes: nothing can run there, so labctl treats it like the kwok
// provider's clusters (no webhooks that fail closed, data-plane checks
// skipped).
func Simulated(nodes []Node) bool {
	if len(nodes) == 0 {
		return false
	}
	for _, n := range nodes {
		if !n.Fake {
			return false
		}
	}
	return true
}
