package kind

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// roles finds the control-plane node and counts the Kubernetes nodes
// (control planes and workers; not kind's external load balancer).
func roles(nodes []node) (cp node, members int, err error) {
	for _, n := range nodes {
		r, err := n.Role()
		if err != nil {
			return nil, 0, fmt.Errorf("reading the role of node %s: %w", n.Name(), commandError(err))
		}
		switch r {
		case "control-plane":
			if cp == nil {
				cp = n
			}
			members++
		case "worker":
			members++
		}
	}
	return cp, members, nil
}

// applyMirror writes a hosts.toml per mirrored registry into every node;
// containerd reads them on the next pull, no restart needed. It is
// idempotent, so a re-run of `labctl up` repairs a partial write.
func applyMirror(nodes []node, mirror string) error {
	if mirror == "" {
		return nil
	}
	for _, n := range nodes {
		r, err := n.Role()
		if err != nil {
			return fmt.Errorf("reading the role of node %s: %w", n.Name(), commandError(err))
		}
		if r != "control-plane" && r != "worker" {
			continue
		}
		for _, reg := range MirroredRegistries() {
			if err := n.WriteFile(path.Join(CertsDir, reg, "hosts.toml"), HostsTOML(reg, mirror)); err != nil {
				return fmt.Errorf("configuring registry mirror %s for %s on node %s: %w", mirror, reg, n.Name(), commandError(err))
			}
		}
	}
	return nil
}

func nodeNames(nodes []node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, n.Name())
	}
	return out
}

// creatingMarker is a host file present while a create is in progress.
func (p *Provider) creatingMarker(name string) string {
	return filepath.Join(p.opts.WorkDir, "kind-"+name+".creating")
}

func (p *Provider) markCreating(name string) error {
	if err := os.MkdirAll(p.opts.WorkDir, 0o755); err != nil {
		return fmt.Errorf("creating labctl's work directory: %w", err)
	}
	if err := os.WriteFile(p.creatingMarker(name), []byte(p.now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return fmt.Errorf("marking the kind cluster create in progress: %w", err)
	}
	return nil
}

func (p *Provider) unmarkCreating(name string) {
	if err := os.Remove(p.creatingMarker(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		p.opts.Log.V(1).Infof("removing %s: %v", p.creatingMarker(name), err)
	}
}

func (p *Provider) leftover(name string) bool {
	_, err := os.Stat(p.creatingMarker(name))
	return err == nil
}

func describeNodes(workers int) string {
	switch workers {
	case 0:
		return "1 control plane"
	case 1:
		return "1 control plane + 1 worker"
	}
	return fmt.Sprintf("1 control plane + %d workers", workers)
}

// shortImage drops the digest of a node image for status lines.
func shortImage(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[:i]
	}
	return image
}
