// Package kind is the default cluster provider: it creates a kind cluster
// with the sigs.k8s.io/kind library (never the kind binary) from a config
// generated per stack (Config): one control plane plus the stack's workers,
// a pinned node image, the ingress published on 127.0.0.1 through
// extraPortMappings to fixed gateway nodePorts (NodePortHTTP/HTTPS), and an
// optional registry mirror (containerd certs.d hosts.toml written into every
// node). The kube context is kind-<name>.
//
// Ensure reuses a cluster that exists and creates it otherwise; a failed
// create collects the node logs, deletes the cluster and says where the logs
// are. Delete removes only clusters labctl created.
package kind
