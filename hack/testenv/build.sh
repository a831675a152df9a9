#!/usr/bin/env bash
# Builds the binaries of a simulated Kubernetes control plane (kwok runtime
# "binary") from Go modules, for machines that cannot download them:
#   kube-apiserver, kube-controller-manager, kube-scheduler,
#   kubectl (kwokctl runs it to probe the apiserver)          (k8s.io/kubernetes)
#   etcd                                                     (go.etcd.io/etcd/server/v3)
#   kwok, kwokctl                                            (sigs.k8s.io/kwok)
#   pilot-discovery (istiod)                                 (istio.io/istio, hack/testenv/istiod)
# and the local Helm chart repository the tests and bench-up use instead of
# the official repositories (hack/testenv/chartrepo; charts at the versions of
# stacks/versions.yaml).
#
# Output directory, first that is set:
#   $LABCTL_TESTENV_BIN
#   $LABCTL_CACHE_DIR/testenv/bin
#   ${XDG_CACHE_HOME:-$HOME/.cache}/labctl/testenv/bin   (labctl's default cache dir)
# which is where `labctl up --provider kwok` looks when no KWOK_*_BINARY is set.
# The chart repository goes to $LABCTL_TESTENV_CHARTS, else <bin>/../charts.
#
# A binary is rebuilt only when it is missing or its stamp file
# (<bin>/.stamps/<name>) does not match the wanted version and Go toolchain.
# Usage: hack/testenv/build.sh [--force]
set -euo pipefail

KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.10
KWOK_VERSION=v0.8.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=false
[[ "${1:-}" == "--force" ]] && force=true

if [[ -n "${LABCTL_TESTENV_BIN:-}" ]]; then
  bin="$LABCTL_TESTENV_BIN"
elif [[ -n "${LABCTL_CACHE_DIR:-}" ]]; then
  bin="$LABCTL_CACHE_DIR/testenv/bin"
else
  bin="${XDG_CACHE_HOME:-$HOME/.cache}/labctl/testenv/bin"
fi
mkdir -p "$bin/.stamps"
charts="${LABCTL_TESTENV_CHARTS:-$(dirname "$bin")/charts}"
repo="$(cd "$here/../.." && pwd)"
goversion="$(go env GOVERSION)"

log() { printf '%s testenv: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# stamp NAME VERSION: the stamp line for NAME built at VERSION with this toolchain.
stamp() { printf '%s %s %s\n' "$1" "$2" "$goversion"; }

# fresh NAME VERSION: true if NAME is built at VERSION with this toolchain.
fresh() {
  [[ "$force" == false && -x "$bin/$1" && -f "$bin/.stamps/$1" ]] &&
    [[ "$(cat "$bin/.stamps/$1")" == "$(stamp "$1" "$2")" ]]
}

# mark NAME VERSION: record that NAME was built at VERSION.
mark() { stamp "$1" "$2" >"$bin/.stamps/$1"; }

# kube_ldflags: the version stamping Kubernetes' own build applies
# (hack/lib/version.sh); without it the binaries report v0.0.0-master.
kube_ldflags() {
  local minor="${KUBE_VERSION#v1.}"
  minor="${minor%%.*}"
  local f="-s -w"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    f+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    f+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$f"
}

build_etcd() {
  if fresh etcd "$ETCD_VERSION"; then
    log "etcd $ETCD_VERSION already built"
    return
  fi
  log "building etcd $ETCD_VERSION"
  (cd "$here/etcd" && go build -trimpath -ldflags="-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
  mark etcd "$ETCD_VERSION"
}

build_kwok() {
  local missing=()
  for b in kwok kwokctl; do
    fresh "$b" "$KWOK_VERSION" || missing+=("sigs.k8s.io/kwok/cmd/$b@$KWOK_VERSION")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "kwok, kwokctl $KWOK_VERSION already built"
    return
  fi
  log "building ${missing[*]}"
  GOBIN="$bin" go install -trimpath -ldflags="-s -w" "${missing[@]}"
  for b in kwok kwokctl; do mark "$b" "$KWOK_VERSION"; done
}

build_kube() {
  local missing=()
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    fresh "$b" "$KUBE_VERSION" || missing+=("$b")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $KUBE_VERSION already built"
    return
  fi
  local pkgs=()
  for b in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  log "building ${missing[*]} $KUBE_VERSION (several minutes on 2 cores)"
  # One go build for all of them shares the compile of their common packages.
  (cd "$here/kubernetes" && go build -trimpath -ldflags="$(kube_ldflags)" -o "$bin/" "${pkgs[@]}")
  for b in "${missing[@]}"; do mark "$b" "$KUBE_VERSION"; done
}

# build_istiod builds pilot-discovery at the istio.io/istio version the
# chart repository takes Istio's charts from (hack/testenv/go.mod), so the
# control plane and its charts match; hack/testenv/istiod must require the
# same version.
build_istiod() {
  local want have
  want="$(cd "$here" && go list -m -f '{{.Version}}' istio.io/istio)"
  have="$(cd "$here/istiod" && go list -m -f '{{.Version}}' istio.io/istio)"
  if [[ "$want" != "$have" ]]; then
    log "hack/testenv/istiod/go.mod requires istio.io/istio $have but the chart repository uses $want: run (cd hack/testenv/istiod && go get istio.io/istio@$want && go mod tidy)"
    exit 1
  fi
  if fresh pilot-discovery "$want"; then
    log "pilot-discovery $want already built"
    return
  fi
  log "building pilot-discovery $want (a few minutes on 2 cores)"
  local t0=$(date +%s)
  (cd "$here/istiod" && go build -trimpath -ldflags="-s -w" -o "$bin/pilot-discovery" istio.io/istio/pilot/cmd/pilot-discovery)
  mark pilot-discovery "$want"
  log "pilot-discovery built in $(($(date +%s) - t0))s"
}

# build_charts regenerates the chart repository when the version lock, the
# fixtures or the generator changed.
build_charts() {
  local sum
  sum="$(cd "$here" && cat "$repo/stacks/versions.yaml" go.mod go.sum $(find chartrepo -type f | sort) | sha256sum | cut -c1-16)"
  if [[ "$force" == false && -f "$charts/index.yaml" && -f "$bin/.stamps/charts" ]] &&
    [[ "$(cat "$bin/.stamps/charts")" == "$(stamp charts "$sum")" ]]; then
    log "chart repository already generated in $charts"
    return
  fi
  log "generating the chart repository in $charts"
  (cd "$here" && go run ./chartrepo -versions "$repo/stacks/versions.yaml" -out "$charts")
  stamp charts "$sum" >"$bin/.stamps/charts"
}

start=$(date +%s)
build_etcd
build_kwok
build_kube
build_istiod
build_charts
log "done in $(($(date +%s) - start))s; binaries in $bin, charts in $charts"
ls -l "$bin" "$charts" >&2
