import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { NatsClientLiveness } from '@mapek/contracts';
import type { Logger } from '@mapek/observability';

export type { NatsConnection } from '@nats-io/transport-node';

export interface NatsConnectOptions {
  readonly servers: string;
  /** Connection name shown in the server's monitoring (service and instance). */
  readonly name: string;
  readonly logger: Logger;
  readonly tls?: NodeConnectionOptions['tls'];
  /** Core inbox prefix; replies and JetStream deliveries arrive under it (see inboxPrefixOf). */
  readonly inboxPrefix?: string;
  /** How long the first connect may take before the service refuses to start. */
  readonly connectTimeoutMs?: number;
}

/**
 * Connects with unlimited reconnects (a broker restart must not kill a service), pings often
 * enough to notice a silent dead server (NatsClientLiveness), and logs every status change. The first connect fails fast so a misconfigured URL stops the start.
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers.split(',').map((server) => server.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A server that vanished without closing the connection is noticed in seconds, not minutes.
    ...NatsClientLiveness,
    timeout: options.connectTimeoutMs ?? 5000,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.inboxPrefix !== undefined ? { inboxPrefix: options.inboxPrefix } : {}),
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'ping') continue;
      options.logger.info({ nats: { status: status.type } }, `nats ${status.type}`);
    }
  })();
  return nc;
}
