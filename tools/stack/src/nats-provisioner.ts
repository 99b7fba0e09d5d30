import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  assertSupportedNatsServer,
  provisionTopology,
  whileMessagingUnavailable,
  type ProvisionReport,
  type StreamTopology,
} from '@mapek/messaging';
import type { NatsClientTls } from './nats-server.js';

export interface ProvisionOptions extends StreamTopology {
  readonly natsUrl: string;
  /** TLS as the administrator identity (`cli`); the services' own NATS users may not manage streams. */
  readonly tls?: NatsClientTls;
  /** How long to keep retrying while JetStream is not ready (a cluster electing leaders); 60 s by default. */
  readonly readyTimeoutMs?: number;
}

/** Each JetStream API request may take this long: creating an R3 stream on a busy cluster is slow. */
const API_TIMEOUT_MS = 15_000;

/**
 * Creates or updates mapek's streams and KV buckets, as the administrator, before any service
 * starts: with security on the services only bind to them (see tools/pki nats-permissions.ts).
 * Idempotent, so it runs on every start and after an upgrade changes a stream's settings, and
 * retried while JetStream is not ready yet: a cluster that has just formed answers stream
 * requests only once its leaders are elected and a majority of members agree.
 */
export async function provisionNats(options: ProvisionOptions): Promise<ProvisionReport> {
  const nc = await connect({ servers: options.natsUrl.split(','), timeout: 5000, ...(options.tls ? { tls: options.tls } : {}) });
  try {
    // Multi-filter consumers and per-entry TTLs need nats-server 2.12+: say so before half-provisioning.
    assertSupportedNatsServer(nc.info?.version);
    const topology: StreamTopology = {
      prefix: options.prefix,
      replicas: options.replicas,
      ...(options.telemetryMaxAgeMs !== undefined ? { telemetryMaxAgeMs: options.telemetryMaxAgeMs } : {}),
      ...(options.eventsMaxAgeMs !== undefined ? { eventsMaxAgeMs: options.eventsMaxAgeMs } : {}),
    };
    const js = jetstream(nc, { timeout: API_TIMEOUT_MS });
    const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT_MS });
    return await whileMessagingUnavailable('provisioning the streams and buckets', () => provisionTopology(js, jsm, topology), {
      deadlineMs: options.readyTimeoutMs ?? 60_000,
      backoff: { initialMs: 250, maxMs: 2000 },
    });
  } finally {
    await nc.close();
  }
}
