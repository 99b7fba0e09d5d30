import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type { BucketName } from '@mapek/contracts';
import type { Logger } from '@mapek/observability';
import type { ServiceMetrics } from '@mapek/observability';
import type { EnvelopeVerifier } from './event-consumer.js';
import { JetStreamPublisher, type EnvelopeSigner } from './event-publisher.js';
import { connectNats } from './nats-connection.js';
import type { KvBucket } from './kv-store.js';
import { whileMessagingUnavailable } from './unavailable-retry.js';
import { assertSupportedNatsServer, bindBucket, ensureBucket, ensureStreams, verifyStreams } from './topology.js';

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
  /**
   * Create or update the streams and buckets (true), or only check and bind to them (false: a
   * service whose NATS user has no JetStream management rights; an administrator provisioned them).
   */
  readonly provision: boolean;
  /** Core inbox prefix (`inboxPrefixOf(identity)`), so the NATS permissions can keep replies private. */
  readonly inboxPrefix?: string;
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
    readonly provisions: boolean,
    private readonly logger: Logger,
  ) {}

  static async connect(options: MessagingRuntimeOptions): Promise<MessagingRuntime> {
    const nc = await connectNats({
      servers: options.servers,
      name: `${options.service}/${options.instance}`,
      logger: options.logger,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.inboxPrefix !== undefined ? { inboxPrefix: options.inboxPrefix } : {}),
    });
    let jsm: JetStreamManager;
    try {
      // Before anything else: an old server would fail later and less clearly (filters, TTLs).
      assertSupportedNatsServer(nc.info?.version);
      const retry = { logger: options.logger };
      const topology = { prefix: options.prefix, replicas: options.replicas };
      jsm = await whileMessagingUnavailable('opening JetStream', () => jetstreamManager(nc), retry);
      const manager = jsm;
      if (options.provision) await whileMessagingUnavailable('provisioning the streams', () => ensureStreams(manager, topology), retry);
      else await whileMessagingUnavailable('checking the streams', () => verifyStreams(manager, topology), retry);
    } catch (error) {
      await nc.close();
      throw error;
    }
    const js = jetstream(nc);
    const publisher = new JetStreamPublisher({
      js,
      prefix: options.prefix,
      source: options.service,
      metrics: options.metrics,
      ...(options.signer ? { signer: options.signer } : {}),
    });
    return new MessagingRuntime(
      nc,
      js,
      jsm,
      publisher,
      options.prefix,
      options.replicas,
      options.verifier,
      options.provision,
      options.logger,
    );
  }

  /** The service's KV bucket: created with its settings when this runtime provisions, else bound to. */
  async openBucket(bucket: BucketName): Promise<KvBucket> {
    return whileMessagingUnavailable(
      `opening the KV bucket ${bucket}`,
      () => (this.provisions ? ensureBucket(this.js, bucket, this.replicas) : bindBucket(this.js, bucket)),
      { logger: this.logger },
    );
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}
