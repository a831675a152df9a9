#!/usr/bin/env bash
# Issue 13's proof: `make test-integration` passes twice in a row while
# another simulated cluster (a `labctl up --provider kwok` environment with
# its own state directory) runs on the same machine. The neighbour is
# checked after both runs, and always taken down.
set -euo pipefail
source "$(dirname "$0")/lib/sim.sh"
work="$(mktemp -d)"
cleanup() {
  "$LABCTL" down --name neighbour >/dev/null 2>&1 || true
  sim_cleanup
  rm -rf "$work"
}
trap cleanup EXIT
sim_setup "$work"
echo "== neighbour: labctl up --provider kwok --stack minimal --name neighbour"
"$LABCTL" up --provider kwok --stack minimal --name neighbour
for run in 1 2; do
  echo "== integration suite, run $run of 2, with the neighbour running"
  # The suite runs with the developer's environment, not the neighbour's.
  env -u KUBECONFIG -u LABCTL_STATE_DIR -u LABCTL_CACHE_DIR -u LABCTL_CHART_MIRROR \
    make -C "$sim_repo" test-integration
done
echo "== neighbour still healthy after both runs"
"$LABCTL" status --name neighbour
