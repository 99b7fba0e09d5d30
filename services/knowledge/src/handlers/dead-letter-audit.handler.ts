import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Counter } from 'prom-client';
import { Header, StreamName, ConsumerName } from '@mapek/contracts';
import { MESSAGING, type MessagingRuntime } from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { KnowledgeRepository, RejectionRecord } from '../adapters/knowledge.repository.js';
import { REPOSITORY } from './event-recorder.handler.js';

/** Durable consumer of MAPEK_DLQ that audits every rejection. */
export const DEAD_LETTER_AUDIT_DURABLE = ConsumerName.knowledgeDeadLetters;

/**
 * Appends every dead letter (rejected event: bad signature, unknown key, not authorized, replay,
 * stale, malformed, …) to the hash-chained audit log, once per dead letter. Nothing else is done
 * with it: a rejected event is never acted on.
 */
@Injectable()
export class DeadLetterAuditHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly audited: Counter<'reason'>;

  constructor(
    @Inject(REPOSITORY) private readonly repository: KnowledgeRepository,
    @Inject(MESSAGING) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.audited = new Counter({
      name: 'mapek_knowledge_rejections_audited_total',
      help: 'Dead letters appended to the audit log, by reject reason',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const config = {
      durable_name: DEAD_LETTER_AUDIT_DURABLE,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      max_deliver: -1,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${this.runtime.prefix}.dlq.>`,
    };
    try {
      await this.runtime.jsm.consumers.info(StreamName.deadLetter, DEAD_LETTER_AUDIT_DURABLE);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.status === 404)) throw error;
      await this.runtime.jsm.consumers.add(StreamName.deadLetter, config);
    }
    const consumer = await this.runtime.js.consumers.get(StreamName.deadLetter, DEAD_LETTER_AUDIT_DURABLE);
    this.messages = await consumer.consume({ max_messages: 50 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) await this.audit(msg);
    })();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.messages?.stop();
    await this.loop?.catch(() => undefined);
  }

  private async audit(msg: JsMsg): Promise<void> {
    const header = (name: string) => msg.headers?.get(name) || undefined;
    const record: RejectionRecord = {
      deadLetterId: header(Header.msgId) ?? `${StreamName.deadLetter}:${msg.info.streamSequence}`,
      reason: header(Header.rejectReason) ?? 'unknown',
      detail: header(Header.rejectDetail) ?? '',
      originalSubject: header(Header.originalSubject) ?? '',
      consumer: msg.subject.slice(`${this.runtime.prefix}.dlq.`.length),
      body: msg.data,
    };
    try {
      const appended = await this.repository.recordRejection(record);
      if (appended) this.audited.inc({ reason: record.reason });
      await msg.ackAck();
    } catch (error) {
      this.logger.warn({ err: error, reason: record.reason }, 'could not audit a dead letter; will retry');
      msg.nak(1000);
    }
  }
}
