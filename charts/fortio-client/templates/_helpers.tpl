{{- define "fortio-client.labels" -}}
app: fortio
{{- if .workload }}
version: {{ .root.Values.version }}
{{- end }}
app.kubernetes.io/name: fortio
{{- /* Istio takes a workload's canonical revision from app.kubernetes.io/version before version: keep them equal. */}}
app.kubernetes.io/version: {{ ternary .root.Values.version .root.Chart.AppVersion (not (empty .workload)) | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "fortio-client.image" -}}
{{- $img := .Values.image -}}
{{- if $img.registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $img.registry) $img.repository (toString $img.tag) }}
{{- else -}}
{{ printf "%s:%s" $img.repository (toString $img.tag) }}
{{- end -}}
{{- end }}

{{- define "fortio-client.resources" -}}
{{- $p := index .Values.resources.profiles .Values.resources.profile -}}
{{- if not $p -}}
{{- fail (printf "resources.profile %q is not one of resources.profiles (slim, default)" .Values.resources.profile) -}}
{{- end -}}
{{ toYaml $p }}
{{- end }}
