// Package portforward opens local tunnels to in-cluster dashboards (Kiali,
// Grafana, Prometheus, Jaeger, Zipkin) and apps through the Kubernetes API
// server, like `kubectl port-forward svc/NAME`, but as a library.
//
// A Service is resolved to one Ready pod behind its selector and to the pod
// port its targetPort names. Tunnels listen on 127.0.0.1 only: the bind
// address is a constant, not an option, because dashboards run with anonymous
// admin access. Local port 0 picks a free port; the returned Session carries
// the URL to open and ends when its context is cancelled.
//
// The package also holds the registry of dashboards labctl knows (service,
// namespace, port, path).
package portforward
