#!/usr/bin/env bash
# Benchmark labctl's load generator against fortio, vegeta, hey and wrk on one
# local HTTP server (127.0.0.1 only): (a) max throughput with 16 connections,
# then fixed rates (2,000 and 10,000 req/s). Prints one table with ratios to
# fortio and wrk, labctl's latency from the intended send time (and from the
# actual send, as the peers measure it) and its send lateness, and how late a
# sleeping thread woke during each run (the machine's floor), then checks
# labctl's goals. The comparison tools are installed here only; the product's
# go.mod does not change.
#
# Tools go to .cache/bin (git-ignored). Environment knobs:
#   BENCH_DURATION (10s), BENCH_ROUNDS (3), BENCH_CONNS (16), BENCH_RATES (2000,10000)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/.cache/bin
mkdir -p "$bin"
export GOBIN=$bin

say() { echo "bench-loadgen: $*" >&2; }

# labctl: the real binary when its root command has `load`, else the
# stand-alone command (same package).
if go build -o "$bin/labctl" ./cmd/labctl 2>/dev/null && "$bin/labctl" load --help >/dev/null 2>&1; then
  labctl="$bin/labctl load"
else
  say "labctl has no load command wired yet; using hack/bench-loadgen/labctl-load (the same command package)"
  go build -o "$bin/labctl-load" ./hack/bench-loadgen/labctl-load
  labctl="$bin/labctl-load"
fi

# fortio CLI: v1.66.0 is the newest that builds from the module proxy here
# (>= 1.69 needs grol.io/grol, which is not served).
[ -x "$bin/fortio" ] || { say "installing fortio v1.66.0"; go install fortio.org/fortio@v1.66.0; }
[ -x "$bin/vegeta" ] || { say "installing vegeta v12.13.0"; go install github.com/tsenart/vegeta/v12@v12.13.0; }
[ -x "$bin/hey" ] || { say "installing hey v0.1.5"; go install github.com/rakyll/hey@v0.1.5; }
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wrk (Debian)"; apt-get install -y wrk >/dev/null
  else
    say "wrk not found (Debian: sudo apt-get install -y wrk); its rows will be empty"
  fi
fi
wrk=$(command -v wrk || true)

go build -o "$bin/bench-loadgen" ./hack/bench-loadgen
exec "$bin/bench-loadgen" \
  -labctl "$labctl" -fortio "$bin/fortio" -vegeta "$bin/vegeta" -hey "$bin/hey" -wrk "$wrk" \
  -duration "${BENCH_DURATION:-10s}" -rounds "${BENCH_ROUNDS:-3}" \
  -c "${BENCH_CONNS:-16}" -rates "${BENCH_RATES:-2000,10000}"
