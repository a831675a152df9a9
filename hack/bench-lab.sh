#!/usr/bin/env bash
# bench-lab: how long an instructor waits for `labctl lab reset` and
# `labctl lab goto`, on the simulated cluster (`labctl up --provider kwok
# --stack minimal`) with the lab labs/testdata/bench-ten: ten objects and
# their namespace at the start of its last step (4).
#
# Each round, timed as whole labctl processes (what the instructor waits
# for, connecting and discovery included):
#   goto:  from the start of step 1, `labctl lab goto 4` (applies the
#          baseline plus the solutions of steps 1-3);
#   reset: at step 4, after a learner's drift made with kubectl (a
#          ConfigMap changed, one deleted, a stray one created, the lab's
#          namespace label removed), `labctl lab reset`.
# Prints every round and the medians against the goals of issue 9:
# reset <= 3 s, goto to the last step <= 5 s. Needs `make testenv`.
# Environment: BENCH_ROUNDS (default 5), BENCH_KEEP=1 keeps the work folder.
set -euo pipefail
source "$(dirname "$0")/lib/sim.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-lab.XXXXXX")"
name=benchlab
lab_dir="$sim_repo/labs/testdata/bench-ten"
rounds="${BENCH_ROUNDS:-5}"
log() { printf '%s bench-lab: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
cleanup() {
  set +e
  if [[ -n "${LABCTL:-}" ]]; then
    "$LABCTL" down --name "$name" >>"$work/labctl.log" 2>&1
  fi
  sim_cleanup
  if [[ "${BENCH_KEEP:-}" == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

sim_setup "$work"
lab() { "$LABCTL" lab --name "$name" --labs "$lab_dir" "$@" >>"$work/labctl.log" 2>&1; }
# timed CMD...: runs CMD, prints its wall-clock seconds; a failure stops the benchmark.
timed() {
  local t0 t1
  t0="$(now)"
  if ! "$@"; then
    log "failed: $* (log: $work/labctl.log)"; tail -20 "$work/labctl.log" >&2; BENCH_KEEP=1; exit 1
  fi
  t1="$(now)"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

log "labctl up --provider kwok --stack minimal --name $name"
"$LABCTL" up --provider kwok --stack minimal --name "$name" >>"$work/labctl.log" 2>&1 ||
  { tail -20 "$work/labctl.log" >&2; exit 1; }
kubectl=("$sim_cache/testenv/bin/kubectl" --kubeconfig "$KUBECONFIG"
  --context "$("$LABCTL" status --name "$name" -o json | sed -n 's/^  "context": "\(.*\)",$/\1/p')")
lab start bench-ten

drift() {
  "${kubectl[@]}" -n bench patch configmap web-config --type merge -p '{"data":{"greeting":"changed by hand"}}' &&
    "${kubectl[@]}" -n bench delete configmap web-flags --wait=false &&
    "${kubectl[@]}" -n bench create configmap stray --from-literal=made=by-hand &&
    "${kubectl[@]}" label namespace bench labctl.dev/bench-
} >>"$work/labctl.log" 2>&1

gotos=() resets=()
printf '%-6s %8s %8s\n' round goto reset
for i in $(seq "$rounds"); do
  lab goto 1 || { log "lab goto 1 failed"; tail -20 "$work/labctl.log" >&2; exit 1; }
  g="$(timed lab goto 4)"
  drift || { log "could not change the lab's objects with kubectl"; tail -20 "$work/labctl.log" >&2; exit 1; }
  r="$(timed lab reset)"
  gotos+=("$g") resets+=("$r")
  printf '%-6s %7ss %7ss\n' "$i" "$g" "$r"
done
# The last reset put everything back: the stray ConfigMap is gone, the
# label and the changed ConfigMap are restored.
if "${kubectl[@]}" -n bench get configmap stray >/dev/null 2>&1; then log "reset left the stray ConfigMap"; exit 1; fi
"${kubectl[@]}" -n bench get configmap web-flags >/dev/null
[[ "$("${kubectl[@]}" -n bench get configmap web-config -o 'jsonpath={.data.greeting}')" == hello ]] ||
  { log "reset did not restore ConfigMap web-config"; exit 1; }
[[ "$("${kubectl[@]}" get namespace bench -o 'jsonpath={.metadata.labels.labctl\.dev/bench}')" == flags ]] ||
  { log "reset did not restore the label of namespace bench"; exit 1; }
lab stop

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict() { awk -v m="$1" -v g="$2" 'BEGIN { print (m <= g ? "within" : "OVER") }'; }
mg="$(median "${gotos[@]}")" mr="$(median "${resets[@]}")"
printf 'median lab goto 4 (10 objects): %ss, goal <= 5s: %s\n' "$mg" "$(verdict "$mg" 5)"
printf 'median lab reset (10 objects, after drift): %ss, goal <= 3s: %s\n' "$mr" "$(verdict "$mr" 3)"
