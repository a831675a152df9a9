// Package charts holds the Helm charts labctl writes itself (Bookinfo, Travels,
// Online Boutique, httpbin, a fortio client and a background traffic generator)
// and loads them from the binary with Helm v4's chart loader, so labctl never
// needs a chart repository or network access for its own apps.
//
// Every chart follows the same conventions: app/version labels on every object,
// image.registry to point at a mirror, resources.profile slim|default,
// ingress.enabled with ingress.mode istio|gatewayapi, and mesh.mode
// sidecar|ambient|none. Namespace labels that enrol workloads in the mesh are
// applied by labctl, not by the charts (travels can create its namespaces and
// label them only when asked). See each chart's README.md.
package charts
