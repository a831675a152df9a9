#!/usr/bin/env bash
# Runs `labctl test --up --provider kwok` of the sample labs (labs/samples)
# on a simulated cluster, as CI does: the charts come from the test chart
# repository `make testenv` generates, served on 127.0.0.1. Reports go to
# $LAB_TEST_OUT (default: a temporary folder). Traffic and telemetry
# checks are reported skipped (no data plane); resource and pod checks run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}"
charts="$cache/testenv/charts"
[[ -f "$charts/index.yaml" ]] || { echo "no chart repository in $charts: run 'make testenv'" >&2; exit 1; }
work="$(mktemp -d)"
out="${LAB_TEST_OUT:-$work/reports}"
mkdir -p "$out"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work/state" "$work/cache" "$work/bin"
}
trap cleanup EXIT
mkdir -p "$work/bin"
(cd "$repo" && go build -o "$work/bin/labctl" ./cmd/labctl)
(cd "$repo/hack/testenv" && go build -o "$work/bin/chartserve" ./chartserve)
"$work/bin/chartserve" -dir "$charts" >"$work/chartserve.url" &
server_pid=$!
for _ in $(seq 50); do [[ -s "$work/chartserve.url" ]] && break; sleep 0.1; done
url="$(cat "$work/chartserve.url")"
[[ -n "$url" ]] || { echo "chart server did not start" >&2; exit 1; }
bin="$cache/testenv/bin"
env LABCTL_KWOKCTL_BINARY="$bin/kwokctl" KWOK_KUBE_APISERVER_BINARY="$bin/kube-apiserver" \
  KWOK_KUBE_CONTROLLER_MANAGER_BINARY="$bin/kube-controller-manager" KWOK_KUBE_SCHEDULER_BINARY="$bin/kube-scheduler" \
  KWOK_CONTROLLER_BINARY="$bin/kwok" KWOK_ETCD_BINARY="$bin/etcd" KWOK_KUBECTL_BINARY="$bin/kubectl" \
  LABCTL_STATE_DIR="$work/state" LABCTL_CACHE_DIR="$work/cache" KUBECONFIG="$work/kubeconfig" \
  LABCTL_CHART_MIRROR="$url" "$work/bin/labctl" test sample-basics sample-ambient sample-traffic --up --provider kwok \
  --junit "$out/labs.junit.xml" --json "$out/labs.json" --diagnostics "$out/diagnostics"
