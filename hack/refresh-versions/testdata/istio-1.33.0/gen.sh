#!/usr/bin/env bash
# Synthetic stand-in for istio/istio manifests/addons/gen.sh: the same
# layout (helm template commands over continued lines, versions inline or
# from *_VERSION defaults), written for this test.
LOKI_VERSION=${LOKI_VERSION:-"7.0.0"}
GRAFANA_VERSION=${GRAFANA_VERSION:-"9.3.0"}

{
helm template kiali-server \
  --namespace istio-system \
  --version 2.29.0 \
  --include-crds \
  kiali-server \
  --repo https://kiali.org/helm-charts
} > kiali.yaml

helm template prometheus prometheus \
  --namespace istio-system \
  --version 28.14.0 \
  --repo https://prometheus-community.github.io/helm-charts \
  > prometheus.yaml

{
  helm template grafana grafana \
    --namespace istio-system \
    --version "${GRAFANA_VERSION}" \
    --repo https://grafana.github.io/helm-charts
} > grafana.yaml

helm template loki loki \
  --version "${LOKI_VERSION}" \
  --repo https://grafana.github.io/helm-charts > loki.yaml
