package kind

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

// markerPath is where labctl records, inside the control-plane node, that it
// created the cluster and with which ingress ports.
const markerPath = "/etc/labctl/environment.json"

// marker is the content of markerPath.
type marker struct {
	Environment string          `json:"environment"`
	NodeImage   string          `json:"nodeImage,omitempty"`
	Ingress     cluster.Ingress `json:"ingress"`
	CreatedAt   time.Time       `json:"createdAt"`
}

const statusKey = "kind-cluster"

// Ensure implements cluster.Provider. A kind cluster named req.Name is
// reused when it exists (Created=false; Owned=true when labctl made it) and
// created otherwise. A failed create keeps the nodes just long enough to
// collect their logs under WorkDir, then deletes them; the error says where
// the logs are.
//
// Ctrl-C: kind's Create cannot be interrupted. On cancellation Ensure says
// so, waits for Create to return and deletes the partly made cluster, then
// returns the context's error. If labctl is killed meanwhile, a marker file
// in WorkDir tells the next Ensure that the cluster is a leftover: it is
// deleted and created again rather than reused.
//
// The kubeconfig the context goes into ends up owner-only (0600), whatever
// mode it had: kind keeps an existing file's mode.
func (p *Provider) Ensure(ctx context.Context, req cluster.Request) (*cluster.Cluster, error) {
	kubeconfig := cluster.KubeconfigPath(req.Kubeconfig)
	if err := cluster.RestrictFile(kubeconfig); err != nil {
		return nil, err
	}
	c, err := p.ensure(ctx, req)
	if err != nil {
		return nil, err
	}
	// kind may have created the file (0600 too, but a umask or a kind
	// change must not leave the admin key readable).
	if err := cluster.RestrictFile(kubeconfig); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *Provider) ensure(ctx context.Context, req cluster.Request) (*cluster.Cluster, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := p.backend()
	if err != nil {
		return nil, err
	}
	log := p.opts.Log
	spec := p.resolve(req.Spec)
	ing := IngressFor(spec)
	names, err := b.List()
	if err != nil {
		return nil, fmt.Errorf("listing kind clusters: %w", commandError(err))
	}
	if contains(names, req.Name) {
		if !p.leftover(req.Name) {
			return p.reuse(b, req, spec, ing, log)
		}
		log.Warnf("kind cluster %q is left over from an interrupted `labctl up`: deleting it and creating it again", req.Name)
		if err := b.Delete(req.Name, req.Kubeconfig); err != nil {
			return nil, fmt.Errorf("deleting the leftover kind cluster %q: %w (delete it with `kind delete cluster --name %s`)", req.Name, commandError(err), req.Name)
		}
	}
	return p.create(ctx, b, req, spec, ing, log)
}

// reuse adopts an existing kind cluster.
func (p *Provider) reuse(b backend, req cluster.Request, spec stacks.Cluster, ing cluster.Ingress, log progress.Logger) (*cluster.Cluster, error) {
	name := req.Name
	nodes, err := b.Nodes(name)
	if err != nil {
		return nil, fmt.Errorf("listing the nodes of kind cluster %q: %w", name, commandError(err))
	}
	cp, members, err := roles(nodes)
	if err != nil {
		return nil, fmt.Errorf("kind cluster %q: %w", name, err)
	}
	if cp == nil {
		return nil, fmt.Errorf("kind cluster %q has no control-plane node: delete it with `kind delete cluster --name %s` and run `labctl up` again", name, name)
	}
	raw, err := cp.ReadFile(markerPath)
	if err != nil {
		return nil, fmt.Errorf("kind cluster %q exists but labctl cannot run commands in its node %s (%v): if its nodes are stopped, start them with `docker start %s`; or delete the cluster with `kind delete cluster --name %s`",
			name, cp.Name(), err, strings.Join(nodeNames(nodes), " "), name)
	}
	owned := false
	var m marker
	if raw != "" && json.Unmarshal([]byte(raw), &m) == nil && m.Environment == name {
		owned = true
		if m.Ingress.HTTPPort != 0 && (m.Ingress.HTTPPort != ing.HTTPPort || m.Ingress.HTTPSPort != ing.HTTPSPort) {
			log.Warnf("kind cluster %q publishes the ingress on ports %d/%d, not %d/%d: ports are fixed when the cluster is created (`labctl down` and `up` again to change them)",
				name, m.Ingress.HTTPPort, m.Ingress.HTTPSPort, ing.HTTPPort, ing.HTTPSPort)
		}
		if m.Ingress.HTTPPort != 0 {
			ing = m.Ingress
		}
	} else {
		log.Warnf("using kind cluster %q, which labctl did not create: `labctl down` will leave the cluster; the ingress is assumed on 127.0.0.1:%d/%d", name, ing.HTTPPort, ing.HTTPSPort)
	}
	if want := 1 + max(spec.Workers, 0); members != want {
		log.Warnf("kind cluster %q has %d nodes, the stack asks for %d: nodes are fixed when the cluster is created (`labctl down` and `up` again to change them)", name, members, want)
	}
	if err := b.ExportKubeConfig(name, req.Kubeconfig); err != nil {
		return nil, fmt.Errorf("writing the kubeconfig of kind cluster %q: %w", name, commandError(err))
	}
	if err := applyMirror(nodes, spec.RegistryMirror); err != nil {
		return nil, fmt.Errorf("kind cluster %q: %w", name, err)
	}
	req.Progress().Skip(statusKey, fmt.Sprintf("Using existing kind cluster %q", name))
	return &cluster.Cluster{Kubeconfig: req.Kubeconfig, Context: ContextName(name), Owned: owned, Ingress: ing}, nil
}

// create makes the cluster.
func (p *Provider) create(ctx context.Context, b backend, req cluster.Request, spec stacks.Cluster, ing cluster.Ingress, log progress.Logger) (*cluster.Cluster, error) {
	name := req.Name
	if err := p.markCreating(name); err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Creating kind cluster %q (%s, %s)", name, describeNodes(spec.Workers), shortImage(spec.NodeImage))
	req.Progress().Start(statusKey, msg)
	cr := createRequest{Config: Config(name, spec, ing), NodeImage: spec.NodeImage, WaitForReady: WaitForReady, Kubeconfig: req.Kubeconfig}
	done := make(chan error, 1)
	go func() { done <- b.Create(name, cr) }()

	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		log.Warnf("interrupted: kind cannot stop half-way; waiting for it to finish with cluster %q, then deleting it", name)
		<-done
		req.Progress().Fail(statusKey, msg)
		if derr := b.Delete(name, req.Kubeconfig); derr != nil {
			return nil, fmt.Errorf("interrupted while creating kind cluster %q, and deleting it failed: %w (delete it with `kind delete cluster --name %s`)", name, commandError(derr), name)
		}
		p.unmarkCreating(name)
		return nil, fmt.Errorf("interrupted: the partly created kind cluster %q was deleted: %w", name, ctx.Err())
	}
	if err != nil {
		req.Progress().Fail(statusKey, msg)
		return nil, p.failed(b, req, spec, err)
	}
	req.Progress().Done(statusKey, fmt.Sprintf("Created kind cluster %q (%s)", name, describeNodes(spec.Workers)))

	nodes, err := b.Nodes(name)
	if err != nil {
		return nil, fmt.Errorf("listing the nodes of kind cluster %q: %w", name, commandError(err))
	}
	cp, _, err := roles(nodes)
	if err == nil && cp != nil {
		m, _ := json.MarshalIndent(marker{Environment: name, NodeImage: spec.NodeImage, Ingress: ing, CreatedAt: p.now().UTC()}, "", "  ")
		err = cp.WriteFile(markerPath, string(m)+"\n")
	}
	if err != nil {
		log.Warnf("could not mark kind cluster %q as made by labctl (%v): a later `labctl up` will treat it as a cluster it did not create", name, err)
	}
	p.unmarkCreating(name)
	if err := applyMirror(nodes, spec.RegistryMirror); err != nil {
		return nil, fmt.Errorf("kind cluster %q: %w", name, err)
	}
	return &cluster.Cluster{Kubeconfig: req.Kubeconfig, Context: ContextName(name), Created: true, Owned: true, Ingress: ing}, nil
}

// failed collects the node logs of a failed create, deletes the cluster and
// explains.
func (p *Provider) failed(b backend, req cluster.Request, spec stacks.Cluster, cause error) error {
	name := req.Name
	var b2 strings.Builder
	fmt.Fprintf(&b2, "creating kind cluster %q failed: %v", name, commandError(cause))
	if hint := causeHint(cause.Error(), spec.NodeImage); hint != "" {
		b2.WriteString("\n" + hint)
	}
	dir := filepath.Join(p.opts.WorkDir, fmt.Sprintf("kind-logs-%s-%s", name, p.now().Format("20060102-150405")))
	if err := b.CollectLogs(name, dir); err != nil {
		fmt.Fprintf(&b2, "\nsome logs could not be collected (%s)", truncate(commandError(err).Error(), 200))
	}
	fmt.Fprintf(&b2, "\n%s", describeLogs(dir))
	if err := b.Delete(name, req.Kubeconfig); err != nil {
		fmt.Fprintf(&b2, "\ndeleting the failed cluster failed too (%v): delete it with `kind delete cluster --name %s`", commandError(err), name)
	} else {
		p.unmarkCreating(name)
		b2.WriteString("\nthe failed cluster was deleted; fix the cause and run `labctl up` again")
	}
	return &CreateError{Cluster: name, LogsDir: dir, Err: cause, msg: b2.String()}
}

// CreateError is returned when kind could not create the cluster.
type CreateError struct {
	Cluster string
	// LogsDir holds the node logs collected after the failure.
	LogsDir string
	Err     error
	msg     string
}

func (e *CreateError) Error() string { return e.msg }

func (e *CreateError) Unwrap() error { return e.Err }

// describeLogs says what the logs directory holds: per-node directories
// when nodes were started, else only kind's and the runtime's details.
func describeLogs(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Sprintf("no logs could be written to %s (%v)", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			return "node logs (journal, kubelet, containerd, pods) are in " + dir
		}
	}
	return "no node was started; kind's and the container runtime's details are in " + dir
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// causeHint recognises common kind failures.
func causeHint(msg, image string) string {
	switch {
	case strings.Contains(msg, "failed to pull image") || strings.Contains(msg, "ensure node image"):
		return fmt.Sprintf("the node image %s could not be pulled: check the network (or a proxy), or pre-pull it with `docker pull %s`", image, image)
	case strings.Contains(msg, "port is already allocated") || strings.Contains(msg, "address already in use"):
		return "a host port is taken: pick others with `labctl up --set cluster.ports.http=N --set cluster.ports.https=M`"
	case strings.Contains(msg, "timed out waiting for the condition") || strings.Contains(msg, "kubeadm init"):
		return "kubeadm did not finish: often too little memory/CPU for the container runtime or low inotify limits (see `labctl up` preflight warnings)"
	}
	return ""
}
