{{/* Chart label value: name-version. */}}
{{- define "bookinfo.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object; call with (dict "root" $ "app" "x" "version" "v1"). */}}
{{- define "bookinfo.labels" -}}
app: {{ .app }}
{{- with .version }}
version: {{ . }}
{{- end }}
app.kubernetes.io/name: {{ .app }}
{{- /* Istio takes a workload's canonical revision from app.kubernetes.io/version before version: keep them equal. */}}
app.kubernetes.io/version: {{ .version | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: bookinfo
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "bookinfo.chart" .root }}
{{- end }}

{{/* Image reference for a service and version. */}}
{{- define "bookinfo.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s%s-%s" $img.prefix .app .version -}}
{{- if $img.registry -}}
{{ printf "%s/%s:%s" (trimSuffix "/" $img.registry) $repo (toString $img.tag) }}
{{- else -}}
{{ printf "%s:%s" $repo (toString $img.tag) }}
{{- end -}}
{{- end }}

{{/* Resources from the selected profile. */}}
{{- define "bookinfo.resources" -}}
{{- $p := index .Values.resources.profiles .Values.resources.profile -}}
{{- if not $p -}}
{{- fail (printf "resources.profile %q is not one of resources.profiles (slim, default)" .Values.resources.profile) -}}
{{- end -}}
{{ toYaml $p }}
{{- end }}

{{/* Validate enumerated values early with a clear message. */}}
{{- define "bookinfo.validate" -}}
{{- if not (has .Values.mesh.mode (list "sidecar" "ambient" "none")) -}}
{{- fail (printf "mesh.mode %q must be sidecar, ambient or none" .Values.mesh.mode) -}}
{{- end -}}
{{- if not (has .Values.ingress.mode (list "istio" "gatewayapi")) -}}
{{- fail (printf "ingress.mode %q must be istio or gatewayapi" .Values.ingress.mode) -}}
{{- end -}}
{{- if and .Values.ingress.gateway.existingService .Values.ingress.gateway.serviceType -}}
{{- fail "ingress.gateway.serviceType is for a gateway Istio deploys; with ingress.gateway.existingService the bound Service's own type applies: set one of them" -}}
{{- end -}}
{{- if and .Values.mesh.waypoint.enabled (ne .Values.mesh.mode "ambient") -}}
{{- fail "mesh.waypoint.enabled needs mesh.mode=ambient" -}}
{{- end -}}
{{- end }}

{{/* Labels that bind a Service to the waypoint in ambient mode. */}}
{{- define "bookinfo.waypointLabel" -}}
{{- if and (eq .Values.mesh.mode "ambient") .Values.mesh.waypoint.enabled }}
istio.io/use-waypoint: {{ .Values.mesh.waypoint.name }}
{{- end }}
{{- end }}

{{/*
A Bookinfo Deployment. Call with
(dict "root" $ "app" "reviews" "version" "v1" "sa" "bookinfo-reviews" "reviews" true "scrape" false).
*/}}
{{- define "bookinfo.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .app }}-{{ .version }}
  labels:
    {{- include "bookinfo.labels" (dict "root" $root "app" .app "version" .version) | nindent 4 }}
spec:
  replicas: {{ $root.Values.replicas }}
  selector:
    matchLabels:
      app: {{ .app }}
      version: {{ .version }}
  template:
    metadata:
      labels:
        {{- include "bookinfo.labels" (dict "root" $root "app" .app "version" .version) | nindent 8 }}
      {{- if .scrape }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9080"
        prometheus.io/path: /metrics
      {{- end }}
    spec:
      serviceAccountName: {{ .sa }}
      containers:
        - name: {{ .app }}
          image: {{ include "bookinfo.image" (dict "root" $root "app" .app "version" .version) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 9080
          {{- if .reviews }}
          env:
            - name: LOG_DIR
              value: /tmp/logs
          {{- end }}
          resources:
            {{- include "bookinfo.resources" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .reviews }}
            - name: wlp-output
              mountPath: /opt/ibm/wlp/output
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if .reviews }}
        - name: wlp-output
          emptyDir: {}
        {{- end }}
{{- end }}

{{/* A Service on 9080; call with (dict "root" $ "name" "reviews" "app" "reviews" "version" ""). */}}
{{- define "bookinfo.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "bookinfo.labels" (dict "root" .root "app" .app "version" .version) | nindent 4 }}
    service: {{ .name }}
    {{- with include "bookinfo.waypointLabel" .root | trim }}{{ . | nindent 4 }}{{ end }}
spec:
  ports:
    - name: http
      port: 9080
      targetPort: 9080
  selector:
    app: {{ .app }}
    {{- with .version }}
    version: {{ . }}
    {{- end }}
{{- end }}

{{/* A ServiceAccount named bookinfo-<app>. */}}
{{- define "bookinfo.serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: bookinfo-{{ .app }}
  labels:
    {{- include "bookinfo.labels" (dict "root" .root "app" .app) | nindent 4 }}
    account: {{ .app }}
{{- end }}

{{/*
Gateway API: the namespace of the app's Gateway. Bound to a gateway that already runs
(ingress.gateway.existingService, "<service>.<namespace>.svc.<domain>"), it is that Service's
namespace: Istio applies a Gateway only to gateway pods of its own namespace. Otherwise the
routes' own; call with (dict "root" $ "ns" ROUTE_NAMESPACE).
*/}}
{{- define "bookinfo.gatewayNamespace" -}}
{{- $parts := splitList "." (.root.Values.ingress.gateway.existingService | default "") -}}
{{- if gt (len $parts) 1 -}}{{ index $parts 1 }}{{- else -}}{{ .ns }}{{- end -}}
{{- end }}
