// Command refresh-versions refreshes labctl's version lock
// (stacks/versions.yaml) from upstream, on a machine with internet:
//
//   - the latest patch of each Istio minor, from the istiod chart entries of
//     Istio's Helm repository index (istio.repo of the lock); with -add, a
//     newer minor joins the lock and the oldest leaves it;
//   - for each release, at its tag in istio/istio: the kiali-server,
//     prometheus and grafana chart versions manifests/addons/gen.sh pins, the
//     Jaeger image samples/addons/jaeger.yaml runs (mapped to the newest
//     jaeger chart of the jaegertracing index that ships that app version),
//     and sigs.k8s.io/gateway-api from go.mod;
//   - the Kubernetes minors each release supports, from istio.io's
//     data/compatibility/supportStatus.yml;
//   - that every pinned chart version is in its repository's index.yaml.
//
// It prints one line per change and rewrites the lock in place (comments
// kept); -dry-run only prints. Facts it cannot fetch are reported and left
// as they are. A release whose facts were all fetched loses its
// `unconfirmed` note.
//
// Usage: go run ./hack/refresh-versions [-lock stacks/versions.yaml] [-dry-run] [-add]
package main
