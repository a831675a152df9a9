#!/usr/bin/env bash
# Runs the packages' integration tests that need a real API server
# (charts, port-forward, verify, labctl check/open) against one simulated
# cluster: kwok with its Exec and PortForward CRDs, so `exec` and
# port-forwards reach commands and servers on this machine. Builds nothing:
# `make testenv` provides the binaries. The cluster is always deleted.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}"
bin="$cache/testenv/bin"
for b in kwokctl kwok kube-apiserver kube-controller-manager kube-scheduler etcd; do
  [ -x "$bin/$b" ] || { echo "missing $bin/$b: run 'make testenv'" >&2; exit 1; }
done

work=$(mktemp -d)
export KWOK_WORKDIR="$work/kwok" PATH="$bin:$PATH"
name="labctl-it-$$"
kubeconfig="$work/kubeconfig"
cleanup() {
  "$bin/kwokctl" delete cluster --name "$name" --kubeconfig "$kubeconfig" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Every process on loopback only (kwokctl's default is 0.0.0.0).
printf '%s\n' 'kind: KwokctlConfiguration' 'apiVersion: config.kwok.x-k8s.io/v1alpha1' \
  'options:' '  bindAddress: 127.0.0.1' >"$work/kwokctl.yaml"

echo "starting simulated cluster $name (Exec and PortForward CRDs enabled)"
"$bin/kwokctl" create cluster --name "$name" --runtime binary --kubeconfig "$kubeconfig" --quiet-pull \
  --config "$work/kwokctl.yaml" \
  --enable-crds=Exec --enable-crds=PortForward \
  --kube-apiserver-binary "$bin/kube-apiserver" \
  --kube-controller-manager-binary "$bin/kube-controller-manager" \
  --kube-scheduler-binary "$bin/kube-scheduler" \
  --kwok-controller-binary "$bin/kwok" \
  --etcd-binary "$bin/etcd" >"$work/kwokctl.log" 2>&1 || { cat "$work/kwokctl.log" >&2; exit 1; }
"$bin/kwokctl" scale node --name "$name" --replicas 1 >>"$work/kwokctl.log" 2>&1 || { cat "$work/kwokctl.log" >&2; exit 1; }

LABCTL_TEST_KUBECONFIG="$kubeconfig" go test ${RACE--race} -count=1 -tags integration -timeout 20m \
  ${KUBE_IT_PKGS:-./charts/... ./internal/portforward/... ./verify/... ./cmd/labctl/app/check/... ./cmd/labctl/app/open/... ./labs/...}

# The lab manifests against the same API server, with Istio's and the Gateway
# API's CRDs (hack/istiocheck is its own module).
(cd hack/istiocheck && LABCTL_TEST_KUBECONFIG="$kubeconfig" go test -count=1 -tags integration -run '^TestIntegration' -timeout 10m ${ISTIOCHECK_IT_FLAGS:-} ./...)
