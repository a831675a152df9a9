// Package open implements `labctl open NAME`: a port-forward on 127.0.0.1 to
// one of the environment's dashboards (kiali, grafana, prometheus, jaeger,
// zipkin) or to its app, printing the URL on stdout and keeping the tunnel up
// until Ctrl-C. The tunnel itself is package internal/portforward; this package
// only turns flags into options and opens a browser when asked.
package open
