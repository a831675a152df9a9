// Package existing is the cluster provider for any kubeconfig context
// (minikube, Docker Desktop, GKE, EKS, AKS, OpenShift, a kind cluster made
// elsewhere). It never creates or deletes the cluster: Ensure checks the
// context and that its API server answers within ReachTimeout, and picks how
// the ingress gateway is reached (LoadBalancer, or NodePort on known local
// clusters); Delete does nothing, and `labctl down` removes only what labctl
// installed.
package existing
