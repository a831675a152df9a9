// Package values holds the Helm values labctl passes to the official charts it
// installs next to Istio: kiali-server, prometheus (prometheus-community),
// grafana (grafana-community), jaeger (jaegertracing, v2 all-in-one), zipkin
// (openzipkin) and istiod (lab mesh config), plus overlays (zipkin, slim).
// The values are tuned for labs: anonymous dashboards, explicit addon URLs,
// 100% trace sampling, access logs, small resource requests.
package values
