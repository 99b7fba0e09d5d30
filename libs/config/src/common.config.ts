import { z } from 'zod';
import { maxEventClockSkewMs } from '@mapek/contracts';
import { env } from './env.schemas.js';
import type { ConfigSpec } from './config.loader.js';

/** Settings every mapek service reads. */
export function commonConfig(defaultPort: number) {
  return {
    NATS_URL: { schema: env.url('nats://127.0.0.1:4222', ['nats:', 'tls:']), description: 'NATS server URL(s), comma separated' },
    MAPEK_SUBJECT_PREFIX: {
      schema: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, 'must be one subject token')
        .default('mapek'),
      description: 'first token of every subject',
    },
    MAPEK_HTTP_HOST: { schema: env.string('127.0.0.1'), description: 'address the /health and /metrics server binds' },
    MAPEK_HTTP_PORT: { schema: env.port(defaultPort), description: 'port of the /health and /metrics server' },
    MAPEK_STREAM_REPLICAS: { schema: env.integer(1, 1, 5), description: 'JetStream replicas for the event streams (3 in a cluster)' },
    MAPEK_NATS_PROVISION: {
      schema: env.oneOf(['auto', 'true', 'false'] as const, 'auto'),
      description:
        'create/update the JetStream streams and KV buckets at start (true) or only check and bind to them (false: an administrator ran `mapek provision`); auto = true without an identity, false with one (its NATS user has no management rights)',
    },
    MAPEK_INSTANCE_ID: { schema: env.optionalString(), description: 'replica name in logs and metrics (default: host-pid)' },
    LOG_LEVEL: { schema: env.logLevel(), description: 'pino log level' },
    ENVIRONMENT: {
      schema: env.oneOf(['development', 'production'] as const, 'development'),
      description: 'production makes PQC, an identity and TLS mandatory',
    },
    PQC_REQUIRED: {
      schema: env.boolean(false),
      description: 'refuse to start without a PQC backend, an identity and TLS (implied by ENVIRONMENT=production)',
    },
    MAPEK_IDENTITY_DIR: {
      schema: env.optionalString(),
      description:
        'directory written by `mapek pki` (CA, trust bundle, <identity>/ credentials); unset: no signing, no TLS (development only)',
    },
    MAPEK_IDENTITY: { schema: env.optionalString(), description: 'identity name under MAPEK_IDENTITY_DIR (default: the service name)' },
    MAPEK_PQC_BACKEND: {
      schema: env.oneOf(['auto', 'node', 'liboqs'] as const, 'auto'),
      description: 'PQC implementation: Node crypto (OpenSSL 3.5) or liboqs',
    },
    MAPEK_TRUST_BUNDLE_RELOAD_MS: {
      schema: env.integer(5000, 500),
      description: 'how often the trust bundle file is checked for a key rotation; a new CA-signed bundle is taken without a restart',
    },
    MAPEK_EVENT_CLOCK_SKEW_MS: {
      // At most the shortest stream duplicate window: a copy re-published after JetStream stops
      // de-duplicating it must already be stale.
      schema: env.integer(30_000, 1000, maxEventClockSkewMs),
      description: `accepted difference between an event's time and when JetStream stored it (at most ${maxEventClockSkewMs}: the shortest stream duplicate window)`,
    },
    ...tracingConfig(),
  } satisfies ConfigSpec;
}

/**
 * OpenTelemetry tracing, through the standard `OTEL_*` variables (the subset mapek honours).
 * Spans are exported only when an OTLP endpoint is set; without one the trace context still
 * travels with every event and into the logs, and nothing is recorded.
 */
export function tracingConfig() {
  const otlpUrl = () => env.url(undefined, ['http:', 'https:']).optional();
  const protocols = ['http/protobuf', 'http/json'] as const;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: {
      schema: otlpUrl(),
      description:
        'OTLP/HTTP base URL of a trace backend (e.g. http://127.0.0.1:4318 for Jaeger or an OpenTelemetry Collector); spans go to <url>/v1/traces. Unset: no spans are exported',
    },
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
      schema: otlpUrl(),
      description: 'full OTLP/HTTP traces URL; overrides OTEL_EXPORTER_OTLP_ENDPOINT for traces',
    },
    OTEL_EXPORTER_OTLP_PROTOCOL: {
      schema: env.oneOf(protocols, 'http/protobuf'),
      description: 'OTLP encoding: http/protobuf or http/json (gRPC is not offered)',
    },
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: {
      schema: z.enum(protocols).optional(),
      description: 'OTLP encoding for traces; overrides OTEL_EXPORTER_OTLP_PROTOCOL',
    },
    OTEL_EXPORTER_OTLP_HEADERS: {
      schema: env.optionalString(),
      description: 'headers sent with every export, key=value pairs separated by commas (e.g. a backend token)',
      sensitive: true,
    },
    OTEL_TRACES_EXPORTER: {
      schema: env.oneOf(['otlp', 'none'] as const, 'otlp'),
      description: 'none turns the exporter off even when an endpoint is set',
    },
    OTEL_SDK_DISABLED: { schema: env.boolean(false), description: 'true turns the exporter off even when an endpoint is set' },
    OTEL_TRACES_SAMPLER: {
      schema: env.oneOf(
        ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const,
        'parentbased_always_on',
      ),
      description: 'which traces are recorded; parentbased_* follow the sampling decision that arrives with an event',
    },
    OTEL_TRACES_SAMPLER_ARG: { schema: env.number(1, 0, 1), description: 'the ratio of the *traceidratio samplers, 0..1' },
    OTEL_SERVICE_NAME: { schema: env.optionalString(), description: 'service.name of the spans (default: the service, e.g. planner)' },
    OTEL_BSP_SCHEDULE_DELAY: { schema: env.integer(5000, 0), description: 'ms between two exports of buffered spans' },
  } satisfies ConfigSpec;
}
