// Package stacks defines the Stack spec (apiVersion labctl.dev/v1alpha1,
// kind Stack): the cluster, the mesh, the addons, the demo apps and the
// background traffic of one lab environment. Built-in stacks are embedded
// from the *.yaml files next to this file; pinned versions of everything
// come from versions.yaml, the one version lock.
//
// Subpackages provision a stack: cluster (providers), preflight, install
// (the Helm component graph) and provision (up/down/status).
package stacks
