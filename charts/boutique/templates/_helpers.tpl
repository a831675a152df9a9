{{- define "boutique.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels; call with (dict "root" $ "app" "frontend" "workload" true). Workloads also get version. */}}
{{- define "boutique.labels" -}}
app: {{ .app }}
{{- if .workload }}
version: {{ .root.Values.image.tag | toString | quote }}
{{- end }}
app.kubernetes.io/name: {{ .app }}
{{- /* Istio takes a workload's canonical revision from app.kubernetes.io/version before version: keep them equal. */}}
app.kubernetes.io/version: {{ ternary (toString .root.Values.image.tag) .root.Chart.AppVersion (not (empty .workload)) | quote }}
app.kubernetes.io/part-of: online-boutique
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "boutique.chart" .root }}
{{- end }}

{{- define "boutique.image" -}}
{{- $img := .root.Values.image -}}
{{- if $img.registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $img.registry) .app (toString $img.tag) }}
{{- else -}}
{{ printf "%s:%s" .app (toString $img.tag) }}
{{- end -}}
{{- end }}

{{- define "boutique.resources" -}}
{{- $p := index .Values.resources.profiles .Values.resources.profile -}}
{{- if not $p -}}
{{- fail (printf "resources.profile %q is not one of resources.profiles (slim, default)" .Values.resources.profile) -}}
{{- end -}}
{{ toYaml $p }}
{{- end }}

{{- define "boutique.validate" -}}
{{- if not (has .Values.mesh.mode (list "sidecar" "ambient" "none")) -}}
{{- fail (printf "mesh.mode %q must be sidecar, ambient or none" .Values.mesh.mode) -}}
{{- end -}}
{{- if not (has .Values.ingress.mode (list "istio" "gatewayapi")) -}}
{{- fail (printf "ingress.mode %q must be istio or gatewayapi" .Values.ingress.mode) -}}
{{- end -}}
{{- if and .Values.ingress.gateway.existingService .Values.ingress.gateway.serviceType -}}
{{- fail "ingress.gateway.serviceType is for a gateway Istio deploys; with ingress.gateway.existingService the bound Service's own type applies: set one of them" -}}
{{- end -}}
{{- end }}

{{- define "boutique.podSecurityContext" -}}
fsGroup: 1000
runAsGroup: 1000
runAsNonRoot: true
runAsUser: 1000
{{- end }}

{{- define "boutique.securityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
privileged: false
readOnlyRootFilesystem: true
{{- end }}

{{/* Pod template metadata; call with (dict "root" $ "app" "frontend" "rewriteProbes" true). */}}
{{- define "boutique.podMeta" -}}
labels:
  {{- include "boutique.labels" (dict "root" .root "app" .app "workload" true) | nindent 2 }}
{{- if and .rewriteProbes (eq .root.Values.mesh.mode "sidecar") }}
annotations:
  sidecar.istio.io/rewriteAppHTTPProbers: "true"
{{- end }}
{{- end }}

{{/* ServiceAccount named after the app. */}}
{{- define "boutique.serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .app }}
  labels:
    {{- include "boutique.labels" (dict "root" .root "app" .app) | nindent 4 }}
{{- end }}

{{/*
Gateway API: the namespace of the app's Gateway. Bound to a gateway that already runs
(ingress.gateway.existingService, "<service>.<namespace>.svc.<domain>"), it is that Service's
namespace: Istio applies a Gateway only to gateway pods of its own namespace. Otherwise the
routes' own; call with (dict "root" $ "ns" ROUTE_NAMESPACE).
*/}}
{{- define "boutique.gatewayNamespace" -}}
{{- $parts := splitList "." (.root.Values.ingress.gateway.existingService | default "") -}}
{{- if gt (len $parts) 1 -}}{{ index $parts 1 }}{{- else -}}{{ .ns }}{{- end -}}
{{- end }}
