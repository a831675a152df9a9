#!/usr/bin/env bash
# bench-up: how long `labctl up` takes, against a plain Helm baseline.
#
#   labctl:    `labctl up --provider kwok` of the default stack: a fresh
#              simulated cluster, charts downloaded from the local chart
#              repository (LABCTL_CHART_MIRROR) into an empty cache, installed
#              by labctl's dependency graph.
#              This round runs without istiod (LABCTL_ISTIOD_BINARY empty
#              and an empty cache), as for a user who never ran make testenv.
#   istiod:    the same `labctl up` with pilot-discovery from `make testenv`
#              (LABCTL_ISTIOD_BINARY): istiod runs as a process and the mesh
#              charts' webhooks point at it (issue 14 asks for both times).
#   no-op up:  a second `labctl up` of the same stack on that environment,
#              which changes nothing (the integration suite checks that it
#              leaves every release as it was); the goal is <= 5 s.
#   reference: a fresh simulated cluster made with kwokctl, then the same
#              releases, charts, versions and values (read back from labctl's
#              releases with `helm get values`) installed one at a time with
#              the helm v4 CLI and --wait, in labctl's order, from the same
#              repository with an empty Helm cache.
#
# Runs BENCH_ROUNDS rounds (default 3; each: labctl, then reference, on
# fresh clusters) because the machine may be shared, and prints every round
# plus the medians and their ratio labctl/reference; the goal is <= 0.6.
# Needs `make testenv` (binaries and chart repository) and jq.
# Environment: BENCH_ROUNDS, LABCTL_BIN, HELM_BIN to use prebuilt binaries; BENCH_NODES
# (default 2: the default stack's 1+1 nodes); BENCH_KEEP=1 keeps the work
# directory.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-up.XXXXXX")"
log() { printf '%s bench-up: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

command -v jq >/dev/null || { log "jq is required (apt-get install jq)"; exit 1; }

bash "$repo/hack/testenv/build.sh" 2>&1 | grep 'testenv:' >&2
bin="${LABCTL_TESTENV_BIN:-${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}/testenv/bin}"
charts="${LABCTL_TESTENV_CHARTS:-$(dirname "$bin")/charts}"

server_pid=""
cleanup() {
  set +e
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null
  if [[ -d "$work/labctl/state" ]]; then
    env_labctl "$labctl" down --name bench >/dev/null 2>&1
  fi
  delete_ref
  if [[ "${BENCH_KEEP:-}" == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

labctl="${LABCTL_BIN:-}"
if [[ -z "$labctl" ]]; then
  log "building labctl"
  (cd "$repo" && go build -o "$work/labctl-bin" ./cmd/labctl)
  labctl="$work/labctl-bin"
fi
helm="${HELM_BIN:-}"
if [[ -z "$helm" ]]; then
  log "building the helm v4 CLI from the module"
  (cd "$repo/hack/testenv" && go build -o "$work/helm" helm.sh/helm/v4/cmd/helm)
  helm="$work/helm"
fi
(cd "$repo/hack/testenv" && go build -o "$work/chartserve" ./chartserve)
"$work/chartserve" -dir "$charts" >"$work/chartserve.url" &
server_pid=$!
for _ in $(seq 50); do [[ -s "$work/chartserve.url" ]] && break; sleep 0.1; done
url="$(cat "$work/chartserve.url")"
[[ -n "$url" ]] || { log "chart server did not start"; exit 1; }
log "chart repository $url"

kwok_env=(
  LABCTL_KWOKCTL_BINARY="$bin/kwokctl"
  KWOK_KUBE_APISERVER_BINARY="$bin/kube-apiserver"
  KWOK_KUBE_CONTROLLER_MANAGER_BINARY="$bin/kube-controller-manager"
  KWOK_KUBE_SCHEDULER_BINARY="$bin/kube-scheduler"
  KWOK_CONTROLLER_BINARY="$bin/kwok"
  KWOK_ETCD_BINARY="$bin/etcd"
  KWOK_KUBECTL_BINARY="$bin/kubectl"
)
istiod_bin=""  # set by bench_istiod for its round only
env_labctl() {
  env "${kwok_env[@]}" LABCTL_ISTIOD_BINARY="$istiod_bin" LABCTL_STATE_DIR="$work/labctl/state" LABCTL_CACHE_DIR="$work/labctl/cache" \
    KUBECONFIG="$work/labctl/kubeconfig" LABCTL_CHART_MIRROR="$url" "$@"
}

delete_ref() {
  if [[ -f "$work/ref/kubeconfig" ]]; then
    KWOK_WORKDIR="$work/ref/kwok" "$bin/kwokctl" delete cluster --name ref --kubeconfig "$work/ref/kubeconfig" >/dev/null 2>&1 || true
  fi
  rm -rf "$work/ref"
}

# bench_labctl: `labctl up` from empty state and chart cache, then again;
# sets t_labctl and t_noop and, the first time, records the releases and their values for the
# reference. Then `labctl down`.
bench_labctl() {
  rm -rf "$work/labctl" && mkdir -p "$work/labctl"
  local t0
  t0=$(now)
  env_labctl "$labctl" up --provider kwok --name bench >"$work/labctl-up.out" 2>"$work/labctl-up.err" ||
    { cat "$work/labctl-up.err" >&2; exit 1; }
  t_labctl=$(since "$t0")
  t0=$(now)
  env_labctl "$labctl" up --provider kwok --name bench >"$work/labctl-noop.out" 2>"$work/labctl-noop.err" ||
    { cat "$work/labctl-noop.err" >&2; exit 1; }
  t_noop=$(since "$t0")
  if [[ ! -f "$work/components.tsv" ]]; then
    env_labctl "$labctl" status --name bench -o json >"$work/status.json"
    local kctx rel ns chart version
    kctx="$(jq -r .context "$work/status.json")"
    mkdir -p "$work/values"
    jq -r '.components[] | [.release, .namespace, .chart, .version] | @tsv' "$work/status.json" >"$work/components.tsv"
    while IFS=$'\t' read -r rel ns chart version; do
      "$helm" get values "$rel" -n "$ns" -o yaml --kubeconfig "$work/labctl/kubeconfig" --kube-context "$kctx" >"$work/values/$rel.yaml"
    done <"$work/components.tsv"
  fi
  env_labctl "$labctl" down --name bench >/dev/null 2>&1
}

# bench_reference: kwokctl cluster, then helm install --wait per release in
# labctl's order with an empty Helm cache; sets t_ref, t_cluster, t_charts.
bench_reference() {
  delete_ref
  mkdir -p "$work/ref/helm"
  local t0 t1 rel ns chart version src
  t0=$(now)
  env "${kwok_env[@]}" KWOK_WORKDIR="$work/ref/kwok" "$bin/kwokctl" create cluster --name ref --runtime binary \
    --kubeconfig "$work/ref/kubeconfig" --quiet-pull \
    --kube-apiserver-binary "$bin/kube-apiserver" --kube-controller-manager-binary "$bin/kube-controller-manager" \
    --kube-scheduler-binary "$bin/kube-scheduler" --kwok-controller-binary "$bin/kwok" --etcd-binary "$bin/etcd" \
    >"$work/ref/kwokctl.log" 2>&1
  # As many fake nodes as labctl made: the default stack has 1 worker.
  env "${kwok_env[@]}" KWOK_WORKDIR="$work/ref/kwok" "$bin/kwokctl" scale node --name ref --replicas "${BENCH_NODES:-2}" \
    >>"$work/ref/kwokctl.log" 2>&1
  t_cluster=$(since "$t0")
  t1=$(now)
  while IFS=$'\t' read -r rel ns chart version; do
    if [[ -f "$repo/charts/$chart/Chart.yaml" ]]; then
      src=("$repo/charts/$chart")                       # labctl's embedded chart
    else
      src=("$chart" --repo "$url" --version "$version")  # from the chart repository
    fi
    HELM_CACHE_HOME="$work/ref/helm/cache" HELM_CONFIG_HOME="$work/ref/helm/config" HELM_DATA_HOME="$work/ref/helm/data" \
      "$helm" install "$rel" "${src[@]}" -n "$ns" --create-namespace -f "$work/values/$rel.yaml" \
      --wait --timeout 5m --kubeconfig "$work/ref/kubeconfig" --kube-context kwok-ref >/dev/null
  done <"$work/components.tsv"
  t_charts=$(since "$t1")
  t_ref=$(since "$t0")
  delete_ref
}

# bench_istiod: `labctl up` from empty state and chart cache with
# pilot-discovery; sets t_istiod. Fails when istiod did not start, so the
# figure cannot silently be one without it. Then `labctl down`.
bench_istiod() {
  [[ -x "$bin/pilot-discovery" ]] || { log "no $bin/pilot-discovery: run 'make testenv'"; exit 1; }
  rm -rf "$work/labctl" && mkdir -p "$work/labctl"
  istiod_bin="$bin/pilot-discovery"
  local t0
  t0=$(now)
  env_labctl "$labctl" up --provider kwok --name bench >"$work/istiod-up.out" 2>"$work/istiod-up.err" ||
    { cat "$work/istiod-up.err" >&2; exit 1; }
  t_istiod=$(since "$t0")
  grep -q 'istiod started' "$work/istiod-up.err" ||
    { log "labctl up did not report 'istiod started':"; cat "$work/istiod-up.err" >&2; exit 1; }
  env_labctl "$labctl" down --name bench >/dev/null 2>&1
  istiod_bin=""
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rounds="${BENCH_ROUNDS:-3}"
labctl_times=() ref_times=() noop_times=() istiod_times=()
for i in $(seq "$rounds"); do
  bench_labctl
  bench_istiod
  bench_reference
  labctl_times+=("$t_labctl") ref_times+=("$t_ref") noop_times+=("$t_noop") istiod_times+=("$t_istiod")
  echo "round $i: labctl up ${t_labctl}s, with istiod ${t_istiod}s, no-op up ${t_noop}s; reference ${t_ref}s (cluster ${t_cluster}s + charts ${t_charts}s)"
done
m_labctl=$(median "${labctl_times[@]}")
m_ref=$(median "${ref_times[@]}")
m_noop=$(median "${noop_times[@]}")
m_istiod=$(median "${istiod_times[@]}")
ratio=$(awk -v a="$m_labctl" -v b="$m_ref" 'BEGIN { printf "%.2f", a / b }')
echo "components:  $(cut -f1 "$work/components.tsv" | paste -sd' ')"
echo "labctl up:   ${m_labctl}s (median of $rounds)"
echo "with istiod: ${m_istiod}s (median of $rounds; labctl up with pilot-discovery running the webhooks)"
echo "reference:   ${m_ref}s (median of $rounds; kwokctl cluster + helm install --wait one chart at a time)"
echo "ratio:       ${ratio} (labctl / reference; goal <= 0.60)"
echo "no-op up:    ${m_noop}s (median of $rounds; a second up of the same stack; goal <= 5.0)"
