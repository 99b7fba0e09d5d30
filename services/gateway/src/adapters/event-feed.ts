import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { StreamName, parseEnvelope, type Envelope } from '@mapek/contracts';
import { verifyInputOf, type EnvelopeVerifier } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';

export type FeedListener = (event: { subject: string; event: Envelope }) => void;

/**
 * Follows the event stream from "now" with an ordered consumer (no durable state: the gateway
 * holds none) and hands every valid loop event to the listeners.
 */
export class EventFeed {
  private readonly listeners = new Set<FeedListener>();
  private messages: ConsumerMessages | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    /** When set, the live view shows only events whose signature and sender check out. */
    private readonly verifier?: EnvelopeVerifier,
  ) {}

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(StreamName.events, { deliver_policy: DeliverPolicy.New });
    this.messages = await consumer.consume();
    const messages = this.messages;
    void (async () => {
      for await (const msg of messages) {
        const parsed = parseEnvelope(msg.data);
        if (!parsed.ok) continue; // consumers reject and count it; the live view skips it
        if (this.verifier && !this.verifier(verifyInputOf(msg, parsed.envelope, StreamName.events, parsed.sent)).ok) continue;
        for (const listener of this.listeners) {
          try {
            listener({ subject: msg.subject, event: parsed.envelope });
          } catch (error) {
            this.logger.warn({ err: error }, 'feed listener failed');
          }
        }
      }
    })();
  }

  stop(): void {
    this.messages?.stop();
  }
}
