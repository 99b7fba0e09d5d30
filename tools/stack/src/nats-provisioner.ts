import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { assertSupportedNatsServer, provisionTopology, type ProvisionReport, type StreamTopology } from '@mapek/messaging';
import type { NatsClientTls } from './nats-server.js';

export interface ProvisionOptions extends StreamTopology {
  readonly natsUrl: string;
  /** TLS as the administrator identity (`cli`); the services' own NATS users may not manage streams. */
  readonly tls?: NatsClientTls;
}

/**
 * Creates or updates mapek's streams and KV buckets, as the administrator, before any service
 * starts: with security on the services only bind to them (see tools/pki nats-permissions.ts).
 * Idempotent, so it runs on every start and after an upgrade changes a stream's settings.
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
    return await provisionTopology(jetstream(nc), await jetstreamManager(nc), topology);
  } finally {
    await nc.close();
  }
}
