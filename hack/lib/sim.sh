# Sourced by hack/ scripts that run labctl against a simulated cluster
# (`--provider kwok`) with the binaries and the test chart repository that
# `make testenv` put in the cache. `sim_setup DIR` builds labctl and the
# chart server into DIR/bin, serves the charts on 127.0.0.1, and exports the
# environment labctl needs (state, cache and kubeconfig inside DIR);
# `sim_cleanup` stops the chart server. Callers set their own traps.
sim_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sim_cache="${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}"
sim_server_pid=""

sim_setup() {
  local work="$1" charts="$sim_cache/testenv/charts" bin="$sim_cache/testenv/bin"
  [[ -f "$charts/index.yaml" ]] || { echo "no chart repository in $charts: run 'make testenv'" >&2; return 1; }
  mkdir -p "$work/bin"
  (cd "$sim_repo" && go build -o "$work/bin/labctl" ./cmd/labctl)
  (cd "$sim_repo/hack/testenv" && go build -o "$work/bin/chartserve" ./chartserve)
  "$work/bin/chartserve" -dir "$charts" >"$work/chartserve.url" &
  sim_server_pid=$!
  local _
  for _ in $(seq 50); do [[ -s "$work/chartserve.url" ]] && break; sleep 0.1; done
  [[ -s "$work/chartserve.url" ]] || { echo "chart server did not start" >&2; return 1; }
  export LABCTL_KWOKCTL_BINARY="$bin/kwokctl" KWOK_KUBE_APISERVER_BINARY="$bin/kube-apiserver" \
    KWOK_KUBE_CONTROLLER_MANAGER_BINARY="$bin/kube-controller-manager" KWOK_KUBE_SCHEDULER_BINARY="$bin/kube-scheduler" \
    KWOK_CONTROLLER_BINARY="$bin/kwok" KWOK_ETCD_BINARY="$bin/etcd" KWOK_KUBECTL_BINARY="$bin/kubectl" \
    LABCTL_ISTIOD_BINARY="$bin/pilot-discovery" \
    LABCTL_STATE_DIR="$work/state" LABCTL_CACHE_DIR="$work/cache" KUBECONFIG="$work/kubeconfig" \
    LABCTL_CHART_MIRROR="$(cat "$work/chartserve.url")"
  LABCTL="$work/bin/labctl"
}

sim_cleanup() {
  [[ -n "$sim_server_pid" ]] && kill "$sim_server_pid" 2>/dev/null || true
}
