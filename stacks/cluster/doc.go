// Package cluster defines the cluster Provider interface and the request and
// result types shared by the providers: kind (creates a kind cluster with the
// sigs.k8s.io/kind library), existing (any kubeconfig context, never created
// or deleted) and kwok (a local simulated control plane).
package cluster
