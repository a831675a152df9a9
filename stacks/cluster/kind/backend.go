package kind

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	"sigs.k8s.io/kind/pkg/exec"
	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/labctl/labctl/stacks/preflight"
)

// backend is the part of the kind library the provider uses. The real one
// wraps *kindcluster.Provider; tests use a fake.
type backend interface {
	List() ([]string, error)
	Create(name string, c createRequest) error
	Delete(name, kubeconfig string) error
	CollectLogs(name, dir string) error
	ExportKubeConfig(name, kubeconfig string) error
	Nodes(name string) ([]node, error)
}

// createRequest is what Create passes to kind.
type createRequest struct {
	Config       *v1alpha4.Cluster
	NodeImage    string
	WaitForReady time.Duration
	Kubeconfig   string
}

// node is one kind node container.
type node interface {
	Name() string
	// Role is control-plane, worker or external-load-balancer.
	Role() (string, error)
	// WriteFile writes content to path on the node, creating directories.
	WriteFile(path, content string) error
	// ReadFile returns the file's content, "" with no error when it does
	// not exist; an error means the node could not be asked (stopped).
	ReadFile(path string) (string, error)
}

// kindBackend is the real backend.
type kindBackend struct{ p *kindcluster.Provider }

// newKindBackend makes a kind provider for the runtime preflight detected
// (the same order as kind: KIND_EXPERIMENTAL_PROVIDER, docker, nerdctl,
// podman).
func newKindBackend(runtime string, logger kindlog.Logger) (backend, error) {
	var opt kindcluster.ProviderOption
	switch runtime {
	case preflight.RuntimeDocker:
		opt = kindcluster.ProviderWithDocker()
	case preflight.RuntimePodman:
		opt = kindcluster.ProviderWithPodman()
	case preflight.RuntimeNerdctl:
		opt = kindcluster.ProviderWithNerdctl("")
	default:
		return nil, fmt.Errorf("no container runtime found for kind (docker, podman or nerdctl): install Docker, or use `--provider existing --context NAME`")
	}
	return kindBackend{p: kindcluster.NewProvider(kindcluster.ProviderWithLogger(logger), opt)}, nil
}

func (k kindBackend) List() ([]string, error) { return k.p.List() }

func (k kindBackend) Create(name string, c createRequest) error {
	opts := []kindcluster.CreateOption{
		kindcluster.CreateWithV1Alpha4Config(c.Config),
		kindcluster.CreateWithWaitForReady(c.WaitForReady),
		kindcluster.CreateWithKubeconfigPath(c.Kubeconfig),
		// Keep the nodes on failure so their logs can be collected; the
		// provider deletes them afterwards.
		kindcluster.CreateWithRetain(true),
		kindcluster.CreateWithDisplayUsage(false),
		kindcluster.CreateWithDisplaySalutation(false),
	}
	if c.NodeImage != "" {
		opts = append(opts, kindcluster.CreateWithNodeImage(c.NodeImage))
	}
	return k.p.Create(name, opts...)
}

func (k kindBackend) Delete(name, kubeconfig string) error { return k.p.Delete(name, kubeconfig) }

func (k kindBackend) CollectLogs(name, dir string) error { return k.p.CollectLogs(name, dir) }

func (k kindBackend) ExportKubeConfig(name, kubeconfig string) error {
	return k.p.ExportKubeConfig(name, kubeconfig, false)
}

func (k kindBackend) Nodes(name string) ([]node, error) {
	ns, err := k.p.ListNodes(name)
	if err != nil {
		return nil, err
	}
	out := make([]node, 0, len(ns))
	for _, n := range ns {
		out = append(out, kindNode{n})
	}
	return out, nil
}

type kindNode struct{ n nodes.Node }

func (k kindNode) Name() string { return k.n.String() }

func (k kindNode) Role() (string, error) { return k.n.Role() }

func (k kindNode) WriteFile(path, content string) error {
	return nodeutils.WriteFile(k.n, path, content)
}

func (k kindNode) ReadFile(path string) (string, error) {
	var out bytes.Buffer
	// `test -f || exit 0` tells a missing file (empty output) from a node
	// that cannot run commands (an error).
	cmd := k.n.Command("sh", "-c", `test -f "$1" || exit 0; cat "$1"`, "sh", path).SetStdout(&out)
	if err := cmd.Run(); err != nil {
		return "", commandError(err)
	}
	return out.String(), nil
}

// commandError adds the output of a failed command to its error: kind's
// RunError hides it.
func commandError(err error) error {
	if re := exec.RunErrorForError(err); re != nil && len(re.Output) > 0 {
		return fmt.Errorf("%w: %s", err, lastLines(string(re.Output), 10))
	}
	return err
}

// lastLines keeps the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
