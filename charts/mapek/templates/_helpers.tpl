{{/*
Names. The fullname is cut to 50 characters so that "<fullname>-<component>" stays a valid
Service name (63).
*/}}
{{- define "mapek.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 50 | trimSuffix "-" }}
{{- end }}

{{- define "mapek.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The six loop services, in start order (knowledge first: every event ends there). */}}
{{- define "mapek.services" -}}
knowledge monitor analyzer planner executor gateway
{{- end }}

{{/* Values key of a component: the demo app's is demoApp. */}}
{{- define "mapek.valuesKey" -}}
{{- if eq . "demo-app" }}demoApp{{ else }}{{ . }}{{ end }}
{{- end }}

{{- define "mapek.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "mapek.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mapek
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "monitor"). */}}
{{- define "mapek.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mapek.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "mapek.componentLabels" -}}
{{ include "mapek.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Image reference of one component: (dict "root" $ "image" .Values.monitor.image). */}}
{{- define "mapek.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- $repository := ternary (printf "%s/%s" (trimSuffix "/" $registry) .image.repository) .image.repository (ne $registry "") -}}
{{- if .image.digest -}}
{{ $repository }}@{{ .image.digest }}
{{- else -}}
{{ $repository }}:{{ .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- end }}
{{- end }}

{{- define "mapek.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mapek.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Secret names: (dict "root" $ "name" "monitor"); "trust" for the CA and trust bundle. */}}
{{- define "mapek.identitySecret" -}}
{{- $given := index .root.Values.identity.secretNames .name -}}
{{- if $given }}{{ $given }}
{{- else if eq .name "trust" }}{{ include "mapek.fullname" .root }}-trust
{{- else }}{{ include "mapek.fullname" .root }}-identity-{{ .name }}
{{- end }}
{{- end }}

{{/* The Secret cert-manager writes an identity's X.509 certificate to. */}}
{{- define "mapek.x509Secret" -}}
{{ include "mapek.fullname" .root }}-x509-{{ .name }}
{{- end }}

{{- define "mapek.gatewayHttpsSecret" -}}
{{- if .Values.gateway.https.existingSecret }}{{ .Values.gateway.https.existingSecret }}
{{- else }}{{ include "mapek.fullname" . }}-gateway-https
{{- end }}
{{- end }}

{{- define "mapek.apiKeysSecret" -}}
{{- default (printf "%s-gateway-api-keys" (include "mapek.fullname" .)) .Values.gateway.apiKeys.existingSecret }}
{{- end }}

{{- define "mapek.databaseSecret" -}}
{{- default (printf "%s-database" (include "mapek.fullname" .)) .Values.postgresql.existingSecret }}
{{- end }}

{{/* Whether the gateway serves HTTPS: it does whenever it has an identity. */}}
{{- define "mapek.gatewayScheme" -}}
{{- if .Values.identity.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/*
The identity volume of one identity: (dict "root" $ "name" "monitor"), a projected volume laid
out as `mapek pki init` writes its directory: ca.crt, ca.ml-dsa-65.pub.json, trust-bundle.json at
the top, the identity's files under <name>/. Projected (not subPath) so that a changed Secret, e.g.
a re-signed trust bundle after `mapek pki rotate`, reaches the running pod.
*/}}
{{- define "mapek.identityVolume" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $certManager := $root.Values.identity.certManager.enabled -}}
- name: identity
  projected:
    defaultMode: 0440
    sources:
      - secret:
          name: {{ include "mapek.identitySecret" (dict "root" $root "name" "trust") }}
          items:
            {{- if not $certManager }}
            - { key: ca.crt, path: ca.crt }
            {{- end }}
            - { key: ca.ml-dsa-65.pub.json, path: ca.ml-dsa-65.pub.json }
            - { key: trust-bundle.json, path: trust-bundle.json }
      {{- if $certManager }}
      - secret:
          name: {{ include "mapek.x509Secret" (dict "root" $root "name" $name) }}
          items:
            - { key: ca.crt, path: ca.crt }
            - { key: tls.crt, path: {{ $name }}/tls.crt }
            - { key: tls.key, path: {{ $name }}/tls.key }
      - secret:
          name: {{ include "mapek.identitySecret" (dict "root" $root "name" $name) }}
          items:
            - { key: pqc-keys.json, path: {{ $name }}/pqc-keys.json }
      {{- else }}
      - secret:
          name: {{ include "mapek.identitySecret" (dict "root" $root "name" $name) }}
          items:
            - { key: tls.crt, path: {{ $name }}/tls.crt }
            - { key: tls.key, path: {{ $name }}/tls.key }
            - { key: pqc-keys.json, path: {{ $name }}/pqc-keys.json }
            {{- if and (eq $name "gateway") (not $root.Values.gateway.https.existingSecret) }}
            - { key: https.crt, path: gateway/https.crt }
            - { key: https.key, path: gateway/https.key }
            {{- end }}
      {{- end }}
      {{- if and (eq $name "gateway") (or $certManager $root.Values.gateway.https.existingSecret) }}
      - secret:
          name: {{ include "mapek.gatewayHttpsSecret" $root }}
          items:
            - { key: tls.crt, path: gateway/https.crt }
            - { key: tls.key, path: gateway/https.key }
      {{- end }}
{{- end }}

{{/* The hardened container securityContext every container of the chart gets. */}}
{{- define "mapek.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "mapek.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "mapek.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmp.sizeLimit }}
{{- end }}

{{/* Variables every loop service and the provision Job share. */}}
{{- define "mapek.natsEnv" -}}
- name: NATS_URL
  value: {{ .Values.nats.url | quote }}
- name: MAPEK_SUBJECT_PREFIX
  value: {{ .Values.subjectPrefix | quote }}
- name: MAPEK_STREAM_REPLICAS
  value: {{ .Values.nats.streamReplicas | quote }}
{{- end }}

{{/*
Variables the chart sets for a loop service; `env` may not repeat them. Mirrors
tools/stack/src/service-environment.ts with the production settings.
*/}}
{{- define "mapek.reservedEnv" -}}
NATS_URL MAPEK_SUBJECT_PREFIX MAPEK_STREAM_REPLICAS LOG_LEVEL ENVIRONMENT MAPEK_HTTP_HOST MAPEK_HTTP_PORT MAPEK_NATS_PROVISION MAPEK_INSTANCE_ID MAPEK_IDENTITY_DIR MAPEK_IDENTITY MAPEK_PQC_BACKEND DATABASE_URL MAPEK_DATABASE_TLS MAPEK_DATABASE_POOL_SIZE MAPEK_MONITOR_TARGETS MAPEK_MONITOR_RULES_FILE MAPEK_SCRAPE_INTERVAL_MS MAPEK_ANALYZER_DEPENDENCIES MAPEK_ANALYZER_WATCHED_SERIES_FILE MAPEK_PLANNER_RULES_FILE MAPEK_GATEWAY_API_KEYS_FILE MAPEK_GATEWAY_ALLOWED_ORIGINS HOST PORT MAPEK_TARGET
{{- end }}

{{/* `env` of a component as EnvVars: (dict "root" $ "component" "monitor" "env" .env). */}}
{{- define "mapek.extraEnv" -}}
{{- $reserved := splitList " " (include "mapek.reservedEnv" .root) -}}
{{- range $key, $value := .env }}
{{- if has $key $reserved }}
{{- fail (printf "%s.env.%s: the chart sets %s itself; use its own value instead" $.component $key $key) }}
{{- end }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Scheduling shared by every Deployment: (dict "root" $ "component" "monitor"). */}}
{{- define "mapek.scheduling" -}}
{{- $root := .root -}}
{{- with $root.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $root.Values.topologySpread.enabled }}
topologySpreadConstraints:
  - maxSkew: {{ $root.Values.topologySpread.maxSkew }}
    topologyKey: {{ $root.Values.topologySpread.topologyKey }}
    whenUnsatisfiable: {{ $root.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "mapek.selectorLabels" . | nindent 8 }}
{{- end }}
{{- end }}

{{/* Probes on the component's HTTP port: (dict "root" $ "scheme" "HTTP" "live" "/health/live" "ready" "/health/ready"). */}}
{{- define "mapek.probes" -}}
{{- $p := .root.Values.probes -}}
startupProbe:
  httpGet: { path: {{ .live }}, port: http, scheme: {{ .scheme }} }
  periodSeconds: {{ $p.startup.periodSeconds }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
livenessProbe:
  httpGet: { path: {{ .live }}, port: http, scheme: {{ .scheme }} }
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet: { path: {{ .ready }}, port: http, scheme: {{ .scheme }} }
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end }}

{{/* The monitor's targets: the configured ones, plus the demo app when it runs. */}}
{{- define "mapek.monitorTargets" -}}
{{- $targets := list -}}
{{- range .Values.monitor.targets }}
{{- $targets = append $targets . -}}
{{- end }}
{{- if .Values.demoApp.enabled }}
{{- $base := printf "http://%s-demo-app.%s.svc:%v" (include "mapek.fullname" .) .Release.Namespace .Values.demoApp.port -}}
{{- $targets = append $targets (dict "name" "demo-app" "metricsUrl" (printf "%s/metrics" $base) "healthUrl" (printf "%s/health" $base)) -}}
{{- end }}
{{- toJson $targets }}
{{- end }}
