package kind

import (
	"fmt"
	"net/url"
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

// Ingress defaults. The gateway Service is a NodePort Service with these
// nodePorts; the ingress node's container publishes them on
// 127.0.0.1:HTTP/HTTPS (extraPortMappings, containerPort = nodePort). The
// host ports (the stack defaults, 8080/8443) are unprivileged so rootless
// Docker/Podman can publish them and they rarely clash with a local web
// server on 80/443.
const (
	NodePortHTTP     = 30080
	NodePortHTTPS    = 30443
	DefaultHTTPPort  = stacks.DefaultHTTPPort
	DefaultHTTPSPort = stacks.DefaultHTTPSPort
	// ListenAddress keeps the ingress off the network.
	ListenAddress = "127.0.0.1"
)

// IngressNodeLabel marks the ingress node: the node whose container
// publishes the ingress ports. It is the first worker, or the control plane
// when there are no workers, so a gateway pinned there with this
// nodeSelector needs no toleration for the control-plane taint.
const (
	IngressNodeLabel      = "ingress-ready"
	IngressNodeLabelValue = "true"
)

// Registry mirror configuration inside the nodes.
const (
	// CertsDir is containerd's registry host configuration directory.
	CertsDir = "/etc/containerd/certs.d"
	// containerdRegistryPatch points containerd's CRI registry config at
	// CertsDir. Node images from kind v0.27 on do this already; the patch
	// keeps older pinned images working the same way.
	containerdRegistryPatch = `[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "` + CertsDir + `"`
)

// MirroredRegistries returns the registries the built-in stacks pull from;
// with a registry mirror each gets a hosts.toml that tries the mirror first
// and falls back to the registry itself. A function, so no caller can
// change the list for everyone.
func MirroredRegistries() []string {
	return []string{
		"docker.io",
		"registry.istio.io",
		"quay.io",
		"gcr.io",
		"ghcr.io",
		"registry.k8s.io",
		"us-central1-docker.pkg.dev",
	}
}

// ContextName is the kube context kind writes for a cluster.
func ContextName(name string) string { return "kind-" + name }

// IngressFor returns how the host reaches the gateway of a kind cluster made
// from spec: a NodePort Service on NodePortHTTP/HTTPS pinned to the ingress
// node, published on 127.0.0.1 at the spec's host ports (defaults
// DefaultHTTPPort / DefaultHTTPSPort).
func IngressFor(spec stacks.Cluster) cluster.Ingress {
	ing := cluster.Ingress{
		ServiceType:   "NodePort",
		Host:          ListenAddress,
		HTTPPort:      spec.Ports.HTTP,
		HTTPSPort:     spec.Ports.HTTPS,
		NodePortHTTP:  NodePortHTTP,
		NodePortHTTPS: NodePortHTTPS,
		NodeSelector:  map[string]string{IngressNodeLabel: IngressNodeLabelValue},
	}
	if ing.HTTPPort == 0 {
		ing.HTTPPort = DefaultHTTPPort
	}
	if ing.HTTPSPort == 0 {
		ing.HTTPSPort = DefaultHTTPSPort
	}
	return ing
}

// Config is the kind cluster configuration for an environment: one control
// plane plus spec.Workers workers, all on spec.NodeImage (when set). The
// ingress node (the first worker, else the control plane) carries the
// ingress port mappings and the ingress-ready label. With
// spec.RegistryMirror it adds the containerd registry patch. It is a pure
// function of its arguments.
func Config(name string, spec stacks.Cluster, ing cluster.Ingress) *v1alpha4.Cluster {
	cfg := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Name:     name,
	}
	cfg.Nodes = append(cfg.Nodes, v1alpha4.Node{Role: v1alpha4.ControlPlaneRole, Image: spec.NodeImage})
	for range max(spec.Workers, 0) {
		cfg.Nodes = append(cfg.Nodes, v1alpha4.Node{Role: v1alpha4.WorkerRole, Image: spec.NodeImage})
	}
	in := &cfg.Nodes[min(1, len(cfg.Nodes)-1)]
	in.Labels = map[string]string{IngressNodeLabel: IngressNodeLabelValue}
	for _, m := range []struct{ node, host int }{
		{ing.NodePortHTTP, ing.HTTPPort},
		{ing.NodePortHTTPS, ing.HTTPSPort},
	} {
		if m.node == 0 || m.host == 0 {
			continue
		}
		in.ExtraPortMappings = append(in.ExtraPortMappings, v1alpha4.PortMapping{
			ContainerPort: int32(m.node),
			HostPort:      int32(m.host),
			ListenAddress: ListenAddress,
			Protocol:      v1alpha4.PortMappingProtocolTCP,
		})
	}
	if spec.RegistryMirror != "" {
		cfg.ContainerdConfigPatches = []string{containerdRegistryPatch}
	}
	return cfg
}

// HostsTOML is containerd's hosts.toml for registry when pulling through
// mirror: the mirror first, then the registry itself (containerd falls back
// to server when the mirror fails).
func HostsTOML(registry, mirror string) string {
	server := "https://" + registry
	if registry == "docker.io" {
		server = "https://registry-1.docker.io"
	}
	return fmt.Sprintf(`# Written by labctl: pull %s images through the mirror, else from the registry.
server = %q

[host.%q]
  capabilities = ["pull", "resolve"]
`, registry, server, strings.TrimSuffix(mirror, "/"))
}

// MirrorProblem validates a registry mirror URL. It returns "" when the
// mirror is usable; fatal is true when the URL cannot be used at all.
func MirrorProblem(mirror string) (problem string, fatal bool) {
	if mirror == "" {
		return "", false
	}
	u, err := url.Parse(mirror)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("registry mirror %q is not an http:// or https:// URL", mirror), true
	}
	switch h := u.Hostname(); {
	case h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1":
		return fmt.Sprintf("registry mirror %q points at localhost, which inside a kind node is the node itself: images will come from the registries directly", mirror), false
	}
	return "", false
}
