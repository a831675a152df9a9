// Package kube builds the Kubernetes clients labctl uses from a kubeconfig
// file and context, in one bundle shared by the installer, checks, port
// forwards and the load generator's in-cluster mode.
package kube
