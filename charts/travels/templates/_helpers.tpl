{{- define "travels.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels; call with (dict "root" $ "app" "cars" "version" "v1"). */}}
{{- define "travels.labels" -}}
app: {{ .app }}
{{- with .version }}
version: {{ . }}
{{- end }}
app.kubernetes.io/name: {{ .app }}
{{- /* Istio takes a workload's canonical revision from app.kubernetes.io/version before version: keep them equal. */}}
app.kubernetes.io/version: {{ .version | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: travels
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "travels.chart" .root }}
{{- end }}

{{/* Image for a component (cars, portal, control, ...). */}}
{{- define "travels.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s%s" $img.prefix .component -}}
{{- if $img.registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $img.registry) $repo (toString $img.tag) }}
{{- else -}}
{{ printf "%s:%s" $repo (toString $img.tag) }}
{{- end -}}
{{- end }}

{{- define "travels.resources" -}}
{{- $p := index .Values.resources.profiles .Values.resources.profile -}}
{{- if not $p -}}
{{- fail (printf "resources.profile %q is not one of resources.profiles (slim, default)" .Values.resources.profile) -}}
{{- end -}}
{{ toYaml $p }}
{{- end }}

{{- define "travels.validate" -}}
{{- if not (has .Values.mesh.mode (list "sidecar" "ambient" "none")) -}}
{{- fail (printf "mesh.mode %q must be sidecar, ambient or none" .Values.mesh.mode) -}}
{{- end -}}
{{- if not (has .Values.ingress.mode (list "istio" "gatewayapi")) -}}
{{- fail (printf "ingress.mode %q must be istio or gatewayapi" .Values.ingress.mode) -}}
{{- end -}}
{{- if and .Values.ingress.gateway.existingService .Values.ingress.gateway.serviceType -}}
{{- fail "ingress.gateway.serviceType is for a gateway Istio deploys; with ingress.gateway.existingService the bound Service's own type applies: set one of them" -}}
{{- end -}}
{{- range $k := list "agency" "portal" "control" -}}
{{- if not (index $.Values.namespaces $k) -}}
{{- fail (printf "namespaces.%s must not be empty" $k) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Pod annotations. In sidecar mode the upstream demo tells the sidecar not to probe
application ports; ambient and none have no sidecar, so nothing is added.
*/}}
{{- define "travels.podAnnotations" -}}
{{- if eq .Values.mesh.mode "sidecar" }}
readiness.status.sidecar.istio.io/applicationPorts: ""
{{- end }}
{{- end }}

{{- define "travels.securityContext" -}}
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
{{- end }}

{{/*
A Deployment. Call with (dict "root" $ "name" "cars-v1" "app" "cars" "version" "v1"
"namespace" "travel-agency" "component" "cars" "port" 8000 "env" (list ...) "sa" "").
*/}}
{{- define "travels.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: {{ .namespace }}
  labels:
    {{- include "travels.labels" (dict "root" $root "app" .app "version" .version) | nindent 4 }}
spec:
  replicas: {{ $root.Values.replicas }}
  selector:
    matchLabels:
      app: {{ .app }}
      version: {{ .version }}
  template:
    metadata:
      labels:
        {{- include "travels.labels" (dict "root" $root "app" .app "version" .version) | nindent 8 }}
      {{- with include "travels.podAnnotations" $root | trim }}
      annotations:
        {{- . | nindent 8 }}
      {{- end }}
    spec:
      {{- with .sa }}
      serviceAccountName: {{ . }}
      {{- end }}
      containers:
        - name: {{ .app }}
          image: {{ include "travels.image" (dict "root" $root "component" .component) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          {{- with .args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- if .port }}
          ports:
            - name: {{ .portName | default "http" }}
              containerPort: {{ .port }}
          {{- end }}
          {{- if not .db }}
          securityContext:
            {{- include "travels.securityContext" . | nindent 12 }}
          {{- end }}
          env:
            {{- toYaml .env | nindent 12 }}
          {{- $res := include "travels.resources" $root | fromYaml }}
          {{- if .db }}
          {{- /* MySQL needs more memory than the Go services: keep requests, drop limits. */}}
          {{- $_ := unset $res "limits" }}
          {{- end }}
          resources:
            {{- toYaml $res | nindent 12 }}
          {{- if .db }}
          volumeMounts:
            - name: var-lib-mysql
              mountPath: /var/lib/mysql
      volumes:
        - name: var-lib-mysql
          emptyDir: {}
          {{- end }}
{{- end }}

{{/* A Service. Call with (dict "root" $ "name" "cars" "namespace" "travel-agency" "port" 8000 "portName" "http"). */}}
{{- define "travels.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ .namespace }}
  labels:
    {{- include "travels.labels" (dict "root" .root "app" .name) | nindent 4 }}
spec:
  ports:
    - name: {{ .portName | default "http" }}
      port: {{ .port }}
      targetPort: {{ .port }}
  selector:
    app: {{ .name }}
{{- end }}

{{/*
Gateway API: the namespace of the app's Gateway. Bound to a gateway that already runs
(ingress.gateway.existingService, "<service>.<namespace>.svc.<domain>"), it is that Service's
namespace: Istio applies a Gateway only to gateway pods of its own namespace. Otherwise the
routes' own; call with (dict "root" $ "ns" ROUTE_NAMESPACE).
*/}}
{{- define "travels.gatewayNamespace" -}}
{{- $parts := splitList "." (.root.Values.ingress.gateway.existingService | default "") -}}
{{- if gt (len $parts) 1 -}}{{ index $parts 1 }}{{- else -}}{{ .ns }}{{- end -}}
{{- end }}
