import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from '@mapek/observability';
import type { ServiceMetrics } from '@mapek/observability';
import type { EnvelopeVerifier } from './event-consumer.js';
import { JetStreamPublisher, type EnvelopeSigner } from './event-publisher.js';
import { connectNats } from './nats-connection.js';
import { ensureStreams } from './stream-setup.js';

export interface MessagingRuntimeOptions {
  readonly servers: string;
  readonly service: string;
  readonly instance: string;
  readonly prefix: string;
  readonly replicas: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly signer?: EnvelopeSigner;
  /** Given to every consumer of the service that does not bring its own. */
  readonly verifier?: EnvelopeVerifier;
  /** Client TLS (mTLS with the service's certificate). */
  readonly tls?: NodeConnectionOptions['tls'];
}

/** One service's NATS connection, JetStream handles and publisher, created once in bootstrap. */
export class MessagingRuntime {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly publisher: JetStreamPublisher,
    readonly prefix: string,
    readonly replicas: number,
    readonly verifier: EnvelopeVerifier | undefined,
  ) {}

  static async connect(options: MessagingRuntimeOptions): Promise<MessagingRuntime> {
    const nc = await connectNats({
      servers: options.servers,
      name: `${options.service}/${options.instance}`,
      logger: options.logger,
      ...(options.tls ? { tls: options.tls } : {}),
    });
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, { prefix: options.prefix, replicas: options.replicas });
    const js = jetstream(nc);
    const publisher = new JetStreamPublisher({
      js,
      prefix: options.prefix,
      source: options.service,
      metrics: options.metrics,
      ...(options.signer ? { signer: options.signer } : {}),
    });
    return new MessagingRuntime(nc, js, jsm, publisher, options.prefix, options.replicas, options.verifier);
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}
