#!/usr/bin/env bash
# End-to-end runs on real kind clusters: what .github/workflows/e2e.yml runs
# on GitHub's runners and `make e2e` runs on any machine with Docker and
# internet. Both call this script, so they cannot drift; the runs themselves
# (stack, mesh mode, Istio minor, ingress mode, labs) come from
# `go run ./hack/e2e`, which reads the same stacks, version lock and labs as
# labctl.
#
#   hack/e2e.sh list            the run ids
#   hack/e2e.sh matrix [ID...]  the runs (all, or those named) as a GitHub Actions matrix
#   hack/e2e.sh run ID...       bring each run's environment up, check it, test its labs, take it down
#   hack/e2e.sh all             every run, one after the other (hours: pick runs with `run`)
#
# Each run: labctl up (the kind node image of the lock pulled first), the
# smoke checks (every app answers through the ingress on 127.0.0.1), labctl
# test of the run's labs with JUnit and JSON reports, labctl down (always).
# Reports go to $E2E_OUT/ID (default ./e2e-reports/ID); on a failure a
# diagnostics folder is added there: labctl status, the lab bundles of
# labctl test, and kind's node logs.
#
# Environment: E2E_OUT (reports), LABCTL (a labctl binary to use instead of
# building ./bin/labctl), E2E_KEEP=1 (leave a failed run's environment up).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
out_root="${E2E_OUT:-$repo/e2e-reports}"

# Bounds: the pull of the node image (each try), and the whole of one run.
pull_tries=3
pull_timeout=900
run_timeout="${E2E_RUN_TIMEOUT:-3600}"

plan() { go run ./hack/e2e "$@"; }

labctl_bin() {
  if [[ -n "${LABCTL:-}" ]]; then
    echo "$LABCTL"
    return
  fi
  go build -o "$repo/bin/labctl" ./cmd/labctl >&2
  echo "$repo/bin/labctl"
}

need_docker() {
  command -v docker >/dev/null || { echo "e2e: docker is not installed: the end-to-end runs need Docker (kind clusters)" >&2; exit 1; }
  docker info >/dev/null 2>&1 || { echo "e2e: docker does not answer: start Docker (docker info must work)" >&2; exit 1; }
}

pull_node_image() {
  local image i
  image="$(plan node-image)"
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  for ((i = 1; i <= pull_tries; i++)); do
    echo "== pulling the kind node image $image (try $i of $pull_tries)"
    timeout "$pull_timeout" docker pull -q "$image" && return 0
  done
  echo "e2e: could not pull $image after $pull_tries tries" >&2
  return 1
}

# collect_diagnostics NAME OUT: what a person needs to see why a run failed.
collect_diagnostics() {
  local name="$1" dir="$2/diagnostics"
  mkdir -p "$dir"
  "$labctl" status --name "$name" -o json >"$dir/status.json" 2>"$dir/status.err" || true
  timeout 300 go run sigs.k8s.io/kind export logs "$dir/kind-logs" --name "$name" >"$dir/kind-export.log" 2>&1 || true
  if command -v kubectl >/dev/null; then
    timeout 300 kubectl --context "kind-$name" get pods,svc,gateways.gateway.networking.k8s.io -A -o wide >"$dir/objects.txt" 2>&1 || true
    timeout 300 kubectl --context "kind-$name" get events -A --sort-by=.lastTimestamp >"$dir/events.txt" 2>&1 || true
  fi
  echo "== diagnostics of $name in $dir"
}

# run_one ID: one run; returns non-zero when any part of it failed.
run_one() {
  local id="$1" k v env stack mode istio ingress sets labs
  local show
  show="$(plan show "$id")" || return 1
  while IFS='=' read -r k v; do
    case "$k" in
      env) env="$v" ;; stack) stack="$v" ;; mode) mode="$v" ;; istio) istio="$v" ;;
      ingress) ingress="$v" ;; sets) sets="$v" ;; labs) labs="$v" ;;
    esac
  done <<<"$show"
  local out="$out_root/$id"
  rm -rf "$out"
  mkdir -p "$out"
  echo "== run $id: stack $stack, $mode mode, Istio $istio, $ingress ingress, environment $env"
  local -a up_args=(up --name "$env" --stack "$stack" --mode "$mode" --istio-version "$istio")
  local s
  for s in $sets; do up_args+=(--set "$s"); done
  local rc=0
  pull_node_image || rc=1
  if ((rc == 0)); then
    echo "== labctl ${up_args[*]}"
    timeout "$run_timeout" "$labctl" "${up_args[@]}" 2>&1 | tee "$out/up.log" || rc=1
  fi
  if ((rc == 0)); then
    "$labctl" status --name "$env" -o json >"$out/status.json" || rc=1
    plan checks "$id" >"$out/smoke.yaml" || rc=1
    if [[ -s "$out/smoke.yaml" ]]; then
      echo "== smoke checks: every app answers through the ingress"
      timeout "$run_timeout" "$labctl" check --name "$env" -f "$out/smoke.yaml" --junit "$out/smoke.junit.xml" || rc=1
    fi
    if [[ -n "$labs" ]]; then
      echo "== labctl test $labs"
      # shellcheck disable=SC2086 # lab ids: one argument each
      timeout "$run_timeout" "$labctl" test $labs --name "$env" \
        --junit "$out/labs.junit.xml" --json "$out/labs.json" --diagnostics "$out/diagnostics/labs" || rc=1
    else
      echo "== no lab runs on stack $stack in $mode mode: the smoke checks are this run's test"
    fi
  fi
  if ((rc != 0)); then
    collect_diagnostics "$env" "$out"
  fi
  if ((rc != 0)) && [[ "${E2E_KEEP:-}" == 1 ]]; then
    echo "== E2E_KEEP=1: environment $env kept; remove it with: $labctl down --name $env"
  else
    echo "== labctl down --name $env"
    timeout 900 "$labctl" down --name "$env" || { echo "e2e: labctl down --name $env failed; retry it, or labctl down --name $env --force" >&2; rc=1; }
  fi
  if ((rc == 0)); then echo "== run $id passed (reports: $out)"; else echo "== run $id FAILED (reports and diagnostics: $out)"; fi
  return "$rc"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  list) plan list ;;
  matrix) plan matrix "$@" ;;
  run | all)
    if [[ "$cmd" == all ]]; then
      mapfile -t ids < <(plan list)
    else
      ids=("$@")
      ((${#ids[@]} > 0)) || { echo "usage: hack/e2e.sh run ID... (hack/e2e.sh list shows the ids)" >&2; exit 2; }
    fi
    need_docker
    labctl="$(labctl_bin)"
    passed=0 failed=0 failed_ids=()
    for id in "${ids[@]}"; do
      if run_one "$id"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_ids+=("$id"); fi
    done
    echo "e2e: $passed passed, $failed failed${failed_ids[*]:+ (${failed_ids[*]})}"
    ((failed == 0))
    ;;
  *)
    echo "usage: hack/e2e.sh list | matrix | run ID... | all" >&2
    exit 2
    ;;
esac
