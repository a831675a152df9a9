#!/usr/bin/env bash
# Runs `labctl test --up --provider kwok` of the sample labs (labs/samples),
# the Travels and the Online Boutique labs
# on a simulated cluster, as CI does: the charts come from the test chart
# repository `make testenv` generates, served on 127.0.0.1. Reports go to
# $LAB_TEST_OUT (default: a temporary folder). Traffic and telemetry
# checks are reported skipped (no data plane); resource and pod checks run.
set -euo pipefail
source "$(dirname "$0")/lib/sim.sh"
work="$(mktemp -d)"
out="${LAB_TEST_OUT:-$work/reports}"
mkdir -p "$out"
trap 'sim_cleanup; rm -rf "$work/state" "$work/cache" "$work/bin"' EXIT
sim_setup "$work"
"$LABCTL" test sample-basics sample-ambient sample-traffic sample-revision --up --provider kwok \
  --junit "$out/labs.junit.xml" --json "$out/labs.json" --diagnostics "$out/diagnostics"
# Travels and Online Boutique (issue 11): one environment per stack, each
# with its own reports.
"$LABCTL" test --all --stack travels --up --provider kwok \
  --junit "$out/travels.junit.xml" --json "$out/travels.json" --diagnostics "$out/diagnostics"
"$LABCTL" test --all --stack boutique --up --provider kwok \
  --junit "$out/boutique.junit.xml" --json "$out/boutique.json" --diagnostics "$out/diagnostics"
