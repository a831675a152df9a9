{{- define "httpbin.labels" -}}
app: httpbin
{{- if .workload }}
version: {{ .root.Values.version }}
{{- end }}
app.kubernetes.io/name: httpbin
{{- /* Istio takes a workload's canonical revision from app.kubernetes.io/version before version: keep them equal. */}}
app.kubernetes.io/version: {{ ternary .root.Values.version .root.Chart.AppVersion (not (empty .workload)) | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "httpbin.image" -}}
{{- $img := .Values.image -}}
{{- if $img.registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $img.registry) $img.repository (toString $img.tag) }}
{{- else -}}
{{ printf "%s:%s" $img.repository (toString $img.tag) }}
{{- end -}}
{{- end }}

{{- define "httpbin.resources" -}}
{{- $p := index .Values.resources.profiles .Values.resources.profile -}}
{{- if not $p -}}
{{- fail (printf "resources.profile %q is not one of resources.profiles (slim, default)" .Values.resources.profile) -}}
{{- end -}}
{{ toYaml $p }}
{{- end }}

{{- define "httpbin.validate" -}}
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

{{/*
Gateway API: the namespace of the app's Gateway. Bound to a gateway that already runs
(ingress.gateway.existingService, "<service>.<namespace>.svc.<domain>"), it is that Service's
namespace: Istio applies a Gateway only to gateway pods of its own namespace. Otherwise the
routes' own; call with (dict "root" $ "ns" ROUTE_NAMESPACE).
*/}}
{{- define "httpbin.gatewayNamespace" -}}
{{- $parts := splitList "." (.root.Values.ingress.gateway.existingService | default "") -}}
{{- if gt (len $parts) 1 -}}{{ index $parts 1 }}{{- else -}}{{ .ns }}{{- end -}}
{{- end }}
