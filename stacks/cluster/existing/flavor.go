package existing

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/labctl/labctl/stacks/cluster"
)

// Flavor is the kind of cluster behind a context, as far as it matters for
// reaching the ingress gateway.
type Flavor string

// Flavors labctl tells apart.
const (
	// FlavorGeneric is any cloud or on-prem cluster: LoadBalancer works.
	FlavorGeneric Flavor = "generic"
	// FlavorDockerDesktop is Docker Desktop's Kubernetes: NodePorts are
	// published on localhost; ambient does not work (istio#47436).
	FlavorDockerDesktop Flavor = "docker-desktop"
	// FlavorMinikube has no LoadBalancer without `minikube tunnel`.
	FlavorMinikube Flavor = "minikube"
	// FlavorKind is a kind cluster labctl did not create: no
	// LoadBalancer, and no host ports labctl knows of.
	FlavorKind Flavor = "kind"
)

// Gateway nodePorts used on local clusters (the same as the kind provider).
const (
	NodePortHTTP  = 30080
	NodePortHTTPS = 30443
)

// Node is what flavor detection needs of a node.
type Node struct {
	Name       string
	InternalIP string
	// Fake is true for a node kwok simulates (no kubelet, no data plane).
	Fake bool
}

// DetectFlavor guesses the flavor from the context name, its cluster name,
// the server URL and (when it could list them) the node names.
func DetectFlavor(contextName, clusterName, server string, nodes []Node) Flavor {
	host := ""
	if u, err := url.Parse(server); err == nil {
		host = u.Hostname()
	}
	names := []string{contextName, clusterName}
	for _, n := range nodes {
		names = append(names, n.Name)
	}
	has := func(pred func(string) bool) bool {
		for _, n := range names {
			if n != "" && pred(n) {
				return true
			}
		}
		return false
	}
	switch {
	case host == "kubernetes.docker.internal" || has(func(n string) bool { return n == "docker-desktop" || n == "desktop-control-plane" }):
		return FlavorDockerDesktop
	case has(func(n string) bool { return n == "minikube" || strings.HasPrefix(n, "minikube-m0") }):
		return FlavorMinikube
	case strings.HasPrefix(contextName, "kind-") || strings.HasPrefix(clusterName, "kind-") ||
		(len(nodes) > 0 && has(func(n string) bool { return strings.HasSuffix(n, "-control-plane") })):
		return FlavorKind
	}
	return FlavorGeneric
}

// IngressFor says how the host reaches the gateway on a cluster of flavor
// f, and explains the choice in one line. nodeIP is the InternalIP of a node
// when known (minikube, kind).
func IngressFor(f Flavor, nodeIP string) (cluster.Ingress, string) {
	nodePort := cluster.Ingress{ServiceType: "NodePort", NodePortHTTP: NodePortHTTP, NodePortHTTPS: NodePortHTTPS, HTTPPort: NodePortHTTP, HTTPSPort: NodePortHTTPS, Host: nodeIP}
	switch f {
	case FlavorDockerDesktop:
		nodePort.Host = "127.0.0.1"
		return nodePort, fmt.Sprintf("Docker Desktop's Kubernetes: the ingress gateway is a NodePort Service, reachable on http://127.0.0.1:%d", NodePortHTTP)
	case FlavorMinikube:
		where := "the minikube node"
		if nodeIP != "" {
			where = fmt.Sprintf("http://%s:%d", nodeIP, NodePortHTTP)
		}
		return nodePort, fmt.Sprintf("minikube: the ingress gateway is a NodePort Service, reachable on %s from this host with the Linux drivers (elsewhere use `minikube tunnel` or `minikube service`)", where)
	case FlavorKind:
		where := "the control-plane node's IP"
		if nodeIP != "" {
			where = fmt.Sprintf("http://%s:%d", nodeIP, NodePortHTTP)
		}
		return nodePort, fmt.Sprintf("a kind cluster labctl did not create: the ingress gateway is a NodePort Service, reachable on %s from a Linux host only (use `--provider kind` to get it on 127.0.0.1)", where)
	}
	return cluster.Ingress{ServiceType: "LoadBalancer", HTTPPort: 80, HTTPSPort: 443},
		"the ingress gateway is a LoadBalancer Service; its address is the one the cloud assigns"
}
