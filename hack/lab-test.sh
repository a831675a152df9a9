#!/usr/bin/env bash
# Runs `labctl test --up --provider kwok` of every lab on a simulated
# cluster, as CI does, one suite per stack: the sample labs, Bookinfo in
# sidecar and in ambient mode, Travels and Online Boutique. The charts come
# from the test chart repository `make testenv` generates, served on
# 127.0.0.1. Each suite brings up its own environment and writes its own
# reports to $LAB_TEST_OUT/<suite>.{junit.xml,json} (default: a temporary
# folder). Traffic and telemetry checks are reported skipped (no data
# plane); resource and pod checks run. Every suite runs even when an earlier
# one failed; the script then fails naming the suites that did.
# `hack/lab-test.sh bookinfo travels` runs only the suites named.
set -euo pipefail
source "$(dirname "$0")/lib/sim.sh"
work="$(mktemp -d)"
out="${LAB_TEST_OUT:-$work/reports}"
mkdir -p "$out"
trap 'sim_cleanup; rm -rf "$work/state" "$work/cache" "$work/bin"' EXIT
sim_setup "$work"

declare -A suites=(
  [samples]="sample-basics sample-ambient sample-traffic sample-revision"
  [bookinfo]="--all --stack bookinfo"
  [bookinfo-ambient]="--all --stack bookinfo-ambient"
  [travels]="--all --stack travels"
  [boutique]="--all --stack boutique"
)
order=(samples bookinfo bookinfo-ambient travels boutique)
if [[ $# -gt 0 ]]; then
  for s in "$@"; do
    [[ -n "${suites[$s]:-}" ]] || { echo "lab-test: no suite $s (suites: ${order[*]})" >&2; exit 2; }
  done
  order=("$@")
fi

failed=()
for s in "${order[@]}"; do
  echo "== lab suite $s"
  start=$SECONDS
  # shellcheck disable=SC2086 # the suite's words are labctl arguments
  if "$LABCTL" test ${suites[$s]} --up --provider kwok \
    --junit "$out/$s.junit.xml" --json "$out/$s.json" --diagnostics "$out/diagnostics/$s"; then
    echo "== lab suite $s passed in $((SECONDS - start)) s"
  else
    echo "== lab suite $s FAILED in $((SECONDS - start)) s (reports: $out/$s.json, diagnostics: $out/diagnostics/$s)"
    failed+=("$s")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "lab-test: ${#failed[@]} of ${#order[@]} suites failed: ${failed[*]}" >&2
  exit 1
fi
echo "lab-test: all ${#order[@]} suites passed"
