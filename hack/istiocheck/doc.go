// Command istiocheck runs Istio's own configuration checks over labctl's lab
// manifests, the way a learner's cluster would judge them:
//
//   - validation, as `istioctl validate` and istiod's validating webhook do
//     (istio.io/istio/pkg/config/validation through each kind's schema), and
//   - the offline analyzers of `istioctl analyze --use-kube=false`
//     (istio.io/istio/pkg/config/analysis/local with every analyzer),
//
// always together with the objects the lab's stack deploys (its namespaces
// and their mesh labels, the embedded app charts, Istio's ingress gateway
// chart and the mesh config of the istiod chart), so that references to
// Services, subsets, gateways and workloads resolve as they would in the
// cluster. Pods are synthesised from the workloads' pod templates, with the
// istio-proxy container where the namespace injects sidecars.
//
// For a lab, the objects present at step N are the stack, the baseline and
// the reference solutions of steps 1..N (applies add or replace objects,
// deletes remove them, namespace labels change). Every validation error and
// every analyzer message of level Error or Warning fails, unless the step (or
// an earlier one) lists it in istioMessages because it teaches it.
//
// It is a separate module so that istio.io/istio never becomes a dependency
// of the labctl binary; see README.md for how CI runs it.
package main
