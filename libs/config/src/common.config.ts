import { z } from 'zod';
import { maxEventClockSkewMs } from '@mapek/contracts';
import { env } from './env.schemas.js';
import type { ConfigSpec } from './config.loader.js';

/** Settings every mapek service reads. */
export function commonConfig(defaultPort: number) {
  return {
    NATS_URL: { schema: env.url('nats://127.0.0.1:4222', ['nats:', 'tls:']), description: 'NATS server URL(s), comma separated' },
    MAPEK_SUBJECT_PREFIX: {
      schema: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be one subject token').default('mapek'),
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
    PQC_REQUIRED: { schema: env.boolean(false), description: 'refuse to start without a PQC backend, an identity and TLS (implied by ENVIRONMENT=production)' },
    MAPEK_IDENTITY_DIR: {
      schema: env.optionalString(),
      description: 'directory written by `mapek pki` (CA, trust bundle, <identity>/ credentials); unset: no signing, no TLS (development only)',
    },
    MAPEK_IDENTITY: { schema: env.optionalString(), description: 'identity name under MAPEK_IDENTITY_DIR (default: the service name)' },
    MAPEK_PQC_BACKEND: { schema: env.oneOf(['auto', 'node', 'liboqs'] as const, 'auto'), description: 'PQC implementation: Node crypto (OpenSSL 3.5) or liboqs' },
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
  } satisfies ConfigSpec;
}
