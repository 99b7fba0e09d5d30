import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { StreamName, SubjectKind, parseEnvelope, subjectWildcard, type Envelope } from '@mapek/contracts';
import { verifyInputOf, type EnvelopeVerifier } from '@mapek/messaging';
import type { Logger, ServiceMetrics } from '@mapek/observability';

/** A heartbeat as the monitor takes it: whose, and when the stream stored it. */
export interface HeartbeatSeen {
  readonly target: string;
  readonly storedAtMs: number;
  readonly event: Envelope<'heartbeat'>;
}

/**
 * Follows the targets' heartbeats on the telemetry stream with an ordered consumer (no durable:
 * every monitor replica sees every heartbeat). It starts with the last heartbeat of each target, so
 * a restarted monitor knows how long a target has been silent. Silence is judged by when the
 * stream stored a heartbeat, not by the sender's clock. Unsigned, forged or malformed heartbeats
 * are counted and skipped.
 */
export class HeartbeatFeed {
  private messages: ConsumerMessages | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly metrics: ServiceMetrics,
    private readonly verifier: EnvelopeVerifier | undefined,
  ) {}

  async start(onHeartbeat: (heartbeat: HeartbeatSeen) => void): Promise<void> {
    const consumer = await this.js.consumers.get(StreamName.telemetry, {
      // One filter as a string: nats.js then names it in the create subject, which the monitor's NATS permissions allow (tools/pki).
      filter_subjects: subjectWildcard(SubjectKind.heartbeats, this.prefix),
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    this.messages = await consumer.consume();
    const messages = this.messages;
    void (async () => {
      for await (const msg of messages) {
        const parsed = parseEnvelope(msg.data);
        const rejected = (reason: string, detail: string) => {
          this.metrics.eventsRejected.inc({ reason, consumer: 'monitor-heartbeats' });
          this.logger.warn({ subject: msg.subject, reason, detail: detail.slice(0, 300) }, 'heartbeat rejected');
        };
        if (!parsed.ok) {
          rejected(parsed.reason, parsed.detail);
          continue;
        }
        if (parsed.envelope.type !== 'heartbeat') {
          rejected('subject_mismatch', `${parsed.envelope.type} on ${msg.subject}`);
          continue;
        }
        const input = verifyInputOf(msg, parsed.envelope, StreamName.telemetry, parsed.sent);
        const verdict = this.verifier?.(input);
        if (verdict !== undefined && !verdict.ok) {
          rejected(verdict.reason, verdict.detail);
          continue;
        }
        this.metrics.eventsConsumed.inc({ type: 'heartbeat', consumer: 'monitor-heartbeats', result: 'ok' });
        onHeartbeat({ target: parsed.envelope.target, storedAtMs: input.storedAtMs, event: parsed.envelope as Envelope<'heartbeat'> });
      }
    })().catch((error: unknown) => this.logger.error({ err: error }, 'the heartbeat feed stopped'));
  }

  stop(): void {
    this.messages?.stop();
  }
}
