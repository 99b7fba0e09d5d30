import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from '@mapek/observability';
import {
  EnvelopeRejectReason,
  Header,
  eventRegistry,
  eventTypeForSubject,
  parseEnvelope,
  subjects,
  type Envelope,
  type EventType,
} from '@mapek/contracts';
import { SpanKind, endSpan, extractTraceContext, logContext, startSpan, withSpan, type ServiceMetrics } from '@mapek/observability';
import { TopologyError, errorCode, isRetryable } from './messaging.errors.js';
import type { BackoffPolicy } from './backoff.js';
import { KeyedSequence } from './keyed-sequence.js';
import { RecentIds } from './recent-ids.js';
import { whileMessagingUnavailable } from './unavailable-retry.js';
import { MessagingAttribute, MessagingOperation, messagingAttributes } from './messaging-spans.js';

export interface HandlerContext {
  readonly subject: string;
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** Tells JetStream the handler is still busy so the message is not redelivered meanwhile. */
  working(): void;
  /**
   * The message is acknowledged once `stored` resolves instead of when the handler returns, and
   * the handler's slot (`concurrency`) is free meanwhile: for work whose effect is made durable
   * later, in a group (the analyzer's detector checkpoints). The consumer keeps the message its
   * own (working) until then, and gives it back (nak, with the retry delays) when `stored`
   * rejects; one that can never be stored is dead-lettered by the server's max deliveries.
   * Only the message's reply subject is kept meanwhile, not its body.
   */
  acknowledgeWhen(stored: Promise<void>): void;
}

export type EventHandler<T extends EventType = EventType> = (envelope: Envelope<T>, context: HandlerContext) => Promise<void>;
export type HandlerMap = { [T in EventType]?: EventHandler<T> };

/** What a verifier sees of one stored message. */
export interface VerifyInput {
  readonly subject: string;
  /** The envelope as validated against its contract. */
  readonly envelope: Envelope;
  /** The message body exactly as it was sent; signatures are checked over this. */
  readonly body: Uint8Array;
  /**
   * The body already parsed as JSON (parseEnvelope's `sent`), when the caller has it: the
   * verifier then does not decode and parse a large batch a second time.
   */
  readonly sent?: unknown;
  readonly header: (name: string) => string | undefined;
  readonly stream: string;
  readonly streamSequence: number;
  /** When JetStream stored the message (epoch ms): freshness is judged against this, not the consumer's clock. */
  readonly storedAtMs: number;
}

export type VerifyVerdict = { ok: true } | { ok: false; reason: string; detail: string };

/** Extra checks before a handler runs (signatures, authorization, freshness, replay). */
export type EnvelopeVerifier = (input: VerifyInput) => VerifyVerdict;

/**
 * What a verifier is given for a message read from a stream (durable consumer, ordered reader
 * alike); `sent` is the body as parsed JSON, when the caller parsed it (parseEnvelope's `sent`).
 */
export function verifyInputOf(msg: JsMsg, envelope: Envelope, stream: string, sent?: unknown): VerifyInput {
  return {
    subject: msg.subject,
    envelope,
    body: msg.data,
    ...(sent === undefined ? {} : { sent }),
    header: (name) => msg.headers?.get(name) || undefined,
    stream,
    streamSequence: msg.info.streamSequence,
    storedAtMs: Math.floor(msg.info.timestampNanos / 1_000_000),
  };
}

export interface EventConsumerOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly prefix: string;
  readonly stream: string;
  /** Durable name; replicas of a service share it. */
  readonly durable: string;
  readonly handlers: HandlerMap;
  /** Defaults to the subjects of the handled event types. */
  readonly filterSubjects?: readonly string[];
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  readonly ackWaitMs?: number;
  readonly maxDeliver?: number;
  /** Delay before the n-th retry of a failed handler (index = delivery count - 1). */
  readonly retryDelaysMs?: readonly number[];
  /**
   * How long a handler that failed because NATS did not answer (a timeout, no responders: a node
   * down, a leader being elected) is retried on the message it holds, before the message is given
   * back for another delivery. Default 5 minutes. Such retries spend none of `maxDeliver`, so an
   * outage of the messaging system does not dead-letter the events that were in flight.
   */
  readonly unavailableRetryMs?: number;
  /**
   * How many messages are handled at once. With 1 they are handled in the stream's order; with
   * more, only messages of one `orderKey` keep their order among themselves.
   */
  readonly concurrency?: number;
  /**
   * The key whose messages are handled one after the other, in the order delivered (e.g. the
   * target, when a handler's state is per target); messages of different keys are handled at once,
   * up to `concurrency`. A message waiting behind its key holds one of those places.
   */
  readonly orderKey?: (envelope: Envelope) => string;
  readonly verifier?: EnvelopeVerifier;
  /** Where a new durable starts; `new` skips history (the gateway's live view). */
  readonly deliverPolicy?: 'all' | 'new';
}

/**
 * The change that turns a durable's current configuration into the wanted one. nats.js merges an
 * update into the current configuration, and the server refuses `filter_subject` beside
 * `filter_subjects`, so the form not wanted is cleared explicitly.
 */
export function consumerUpdate(current: Partial<ConsumerConfig>, wanted: Partial<ConsumerConfig>): Partial<ConsumerConfig> {
  const update: Partial<ConsumerConfig> = { ...wanted };
  if (wanted.filter_subjects === undefined && (current.filter_subjects?.length ?? 0) > 0) update.filter_subjects = [];
  if (wanted.filter_subject === undefined && current.filter_subject) update.filter_subject = '';
  return update;
}

/**
 * How long one pull request waits on the server. The client notices a pull that was lost (its
 * consumer's leader died or moved to another member of a cluster) after two missed idle
 * heartbeats, at half this each: nats.js's default of 30 s left a service idle for half a minute
 * after every failover; at 5 s it pulls again within about 5 s, at the price of one pull request
 * per consumer every 5 s when idle.
 */
const PULL_EXPIRES_MS = 5000;
/** How long a stop waits for the server to confirm that it sends nothing more (one round trip). */
const STOP_DRAIN_MS = 2000;
/** The JetStream acknowledgement protocol's bodies, for a message acknowledged by its reply subject alone. */
const utf8 = new TextEncoder();
const ACK = utf8.encode('+ACK');
const NAK = utf8.encode('-NAK');
const WORKING = utf8.encode('+WPI');
/** How long a deferred acknowledgement waits for the server's confirmation. */
const ACK_TIMEOUT_MS = 5000;

/** Waits for `work`, or `ms` at most. */
async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Waits between attempts while NATS does not answer: doubling from 250 ms to 8 s, drawn from [½d, 1½d) (backoffDelay). */
const unavailableBackoff: BackoffPolicy = { initialMs: 250, maxMs: 8000 };

interface RejectInfo {
  readonly reason: string;
  readonly detail: string;
}

/**
 * A durable JetStream pull consumer that validates every message against its contract before a
 * handler runs, acknowledges with a confirmed (double) ack, retries transient failures with
 * backoff up to a finite number of deliveries, and dead-letters everything it cannot handle —
 * with the reason in a header and a count in `mapek_events_rejected_total{reason}`.
 */
export class JetStreamEventConsumer {
  private messages: ConsumerMessages | undefined;
  private advisory: Subscription | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages handled and waiting for `acknowledgeWhen`'s promise. */
  private readonly settling = new Set<Promise<void>>();
  private readonly handled = new RecentIds(20_000);
  private readonly ordered = new KeyedSequence();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly ackWaitMs: number;
  private readonly maxDeliver: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly unavailableRetryMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: EventConsumerOptions) {
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.maxDeliver = options.maxDeliver ?? 5;
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 5000, 15_000, 30_000];
    this.unavailableRetryMs = options.unavailableRetryMs ?? 5 * 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  get handledTypes(): EventType[] {
    return Object.keys(this.options.handlers) as EventType[];
  }

  /** The subjects this consumer asks the server for: `filterSubjects`, else one per subject kind of the handled types. */
  filterSubjects(): string[] {
    if (this.options.filterSubjects) return [...this.options.filterSubjects];
    const kinds = new Set(this.handledTypes.map((type) => eventRegistry[type].subjectKind));
    return [...kinds].map((kind) => `${this.options.prefix}.${kind}.>`);
  }

  /**
   * The durable's configuration. The server delivers only the handled types' subjects
   * (`filter_subjects`, nats-server 2.10+; ADR 0006), so one durable per service keeps the stream
   * order across its types and nothing arrives only to be ignored. A single subject goes in
   * `filter_subject`, as earlier versions of mapek set it, so those durables need no change.
   */
  consumerConfig(): Partial<ConsumerConfig> & { durable_name: string } {
    const filters = this.filterSubjects();
    if (filters.length === 0) throw new Error(`durable ${this.options.durable} handles no event type: nothing to consume`);
    return {
      durable_name: this.options.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.ackWaitMs),
      max_deliver: this.maxDeliver,
      // No server-side `backoff` (ADR 0001): handler failures back off through nak(delay); a
      // crashed handler is redelivered after ack_wait.
      deliver_policy: this.options.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      max_ack_pending: 1000,
      ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
    };
  }

  /**
   * Creates the durable, or brings an existing one (made by an earlier version, with another
   * filter or none) to {@link consumerConfig}: the server keeps its position and acks, and from
   * then on delivers only the new filter's subjects. Returns the durable's info as the server
   * answered the create or update.
   */
  async ensure(): Promise<ConsumerInfo> {
    const config = this.consumerConfig();
    let current: ConsumerConfig;
    try {
      current = (await this.options.jsm.consumers.info(this.options.stream, this.options.durable)).config;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.status === 404) return this.options.jsm.consumers.add(this.options.stream, config);
      throw error;
    }
    try {
      return await this.options.jsm.consumers.update(this.options.stream, this.options.durable, consumerUpdate(current, config));
    } catch (error) {
      // E.g. another deliver policy: the server changes that only by recreating the durable, which
      // loses its position, so that is left to an operator who knows it (the handlers are idempotent).
      if (!(error instanceof JetStreamApiError)) throw error;
      throw new TopologyError(
        'consumer_outdated',
        `durable ${this.options.durable} on ${this.options.stream} cannot be updated to this version's settings (${error.message}): ` +
          `delete it (\`nats consumer rm ${this.options.stream} ${this.options.durable}\`) and it is created again, reading the stream from its start`,
        { cause: error },
      );
    }
  }

  /**
   * Creates or updates the durable and starts pulling; while NATS does not answer, tries again
   * (whileMessagingUnavailable). Pulls with the info the create or update answered: on a cluster,
   * another info request just after the create may reach a member that does not know the durable yet.
   */
  async start(): Promise<void> {
    const info = await whileMessagingUnavailable(`creating the durable ${this.options.durable}`, () => this.ensure(), {
      logger: this.options.logger,
    });
    this.watchMaxDeliveries();
    const consumer = this.options.js.consumers.getConsumerFromInfo(info);
    this.messages = await consumer.consume({ max_messages: this.concurrency * 2, expires: PULL_EXPIRES_MS });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) {
        if (this.stopping) {
          msg.nak();
          continue;
        }
        while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
        const task = this.process(msg).finally(() => this.inFlight.delete(task));
        this.inFlight.add(task);
      }
    })();
  }

  /**
   * Stops pulling, gives back what the server had already sent, lets handlers in flight finish
   * (they ack or nak), and returns.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.drainPull();
    this.messages?.stop();
    this.advisory?.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
    await this.loop?.catch(() => undefined);
    // What is still unacknowledged after the ack wait is redelivered to another replica anyway.
    await atMost(Promise.allSettled([...this.settling]), this.ackWaitMs);
  }

  /** Messages handled whose acknowledgement waits for `acknowledgeWhen`'s promise. */
  get awaitingAcknowledgement(): number {
    return this.settling.size;
  }

  /**
   * Ends the server's pull requests (it checks for interest before each delivery) and waits one
   * round trip, so that what it sent before reaches the loop, which gives it back (nak). Without
   * this, the messages still in the socket when the subscription goes (a handler held the event
   * loop, or a batch is large) are dropped by the client and come again only after the ack wait.
   * nats.js drains the subscription of a pull consumer on its own only when the connection drains.
   */
  private async drainPull(): Promise<void> {
    const sub = (this.messages as unknown as { sub?: Subscription } | undefined)?.sub;
    if (!sub || sub.isClosed() || this.options.nc.isClosed()) return;
    // Disconnected, the round trip waits for a reconnect: what was sent is then redelivered anyway.
    await atMost(
      sub.drain().catch(() => undefined),
      STOP_DRAIN_MS,
    );
  }

  /** Messages the server gave up on after max deliveries (e.g. a handler crashed every time) are copied to the DLQ. */
  private watchMaxDeliveries(): void {
    const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${this.options.stream}.${this.options.durable}`;
    this.advisory = this.options.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        void (async () => {
          try {
            const advisory = msg.json<{ stream_seq: number }>();
            const stored = await this.options.jsm.streams.getMessage(this.options.stream, { seq: advisory.stream_seq });
            if (!stored) return;
            await this.deadLetter(stored.subject, stored.data, `${advisory.stream_seq}`, {
              reason: 'max_deliveries',
              detail: `not acknowledged after ${this.maxDeliver} deliveries`,
            });
          } catch (copyError) {
            this.options.logger.error({ err: copyError }, 'could not dead-letter a message that hit max deliveries');
          }
        })();
      },
    });
  }

  private async process(msg: JsMsg): Promise<void> {
    const consumer = this.options.durable;
    const rejected = (info: RejectInfo) => this.reject(msg, info);
    const parsed = parseEnvelope(msg.data);
    if (!parsed.ok) return rejected({ reason: parsed.reason, detail: parsed.detail });
    const envelope = parsed.envelope;
    const expectedType = eventTypeForSubject(msg.subject, this.options.prefix);
    if (expectedType !== envelope.type) {
      return rejected({
        reason: EnvelopeRejectReason.subjectMismatch,
        detail: `${envelope.type} arrived on ${msg.subject} (which carries ${expectedType ?? 'nothing'})`,
      });
    }
    const handler = this.options.handlers[envelope.type] as EventHandler | undefined;
    if (!handler) {
      // Never acted on, so not worth a signature check.
      this.options.metrics.eventsConsumed.inc({ type: envelope.type, consumer, result: 'ignored' });
      await msg.ackAck().catch(() => undefined);
      return;
    }
    // The signature check and the handler run inside a consumer span, a child of the publisher's
    // span in the message's `traceparent`: what the handler publishes or logs belongs to the trace
    // that brought the event, and the check shows on it (a `pqc.verify` event).
    const span = startSpan(`${MessagingOperation.process} ${envelope.type}`, {
      kind: SpanKind.CONSUMER,
      parent: extractTraceContext({ get: (name) => msg.headers?.get(name) || undefined }),
      attributes: {
        ...messagingAttributes(MessagingOperation.process, msg.subject, envelope, msg.data.length),
        [MessagingAttribute.consumerGroup]: consumer,
        [MessagingAttribute.deliveryCount]: msg.info.deliveryCount,
      },
    });
    const verifier = this.options.verifier;
    if (verifier) {
      // Before the duplicate check: a forged copy of a handled id is a rejection, not a duplicate.
      let verdict: ReturnType<typeof verifier>;
      try {
        verdict = withSpan(span, () => verifier(verifyInputOf(msg, envelope, this.options.stream, parsed.sent)));
      } catch (error) {
        endSpan(span, error);
        throw error;
      }
      if (!verdict.ok) {
        endSpan(span, new Error(`${verdict.reason}: ${verdict.detail}`), { [MessagingAttribute.result]: 'rejected' });
        return rejected({ reason: verdict.reason, detail: verdict.detail });
      }
    }
    // The body's own JSON is only for the signature check: let it go before the handler runs, as
    // this frame lives until the acknowledgement (a sample batch waits for its checkpoints) and
    // would otherwise hold a second copy of a large batch beside the validated envelope.
    parsed.sent = undefined;
    if (this.handled.has(envelope.id)) {
      endSpan(span, undefined, { [MessagingAttribute.result]: 'duplicate' });
      this.options.metrics.eventsConsumed.inc({ type: envelope.type, consumer, result: 'duplicate' });
      await msg.ackAck().catch(() => undefined);
      return;
    }
    let failure: unknown;
    let result = 'ok';
    let stored: Promise<void> | undefined;
    const context: HandlerContext = {
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.info.streamSequence,
      working: () => msg.working(),
      acknowledgeWhen: (promise) => {
        stored = promise;
      },
    };
    const heartbeat = setInterval(() => msg.working(), this.heartbeatMs);
    let started = performance.now();
    const handle = () =>
      withSpan(span, () =>
        logContext.run(
          {
            eventId: envelope.id,
            target: envelope.target,
            ...(envelope.incidentId ? { incidentId: envelope.incidentId } : {}),
          },
          () => handler(envelope, context),
        ),
      );
    const run = () => {
      started = performance.now();
      return this.handleWhileUnavailable(handle, envelope.type);
    };
    try {
      // Registered before the first await, so a key's messages queue in the order delivered.
      const orderKey = this.options.orderKey;
      await (orderKey ? this.ordered.run(orderKey(envelope), run) : run());
      clearInterval(heartbeat);
      if (stored) {
        if (this.acknowledgeLater(msg, envelope, stored)) {
          result = 'deferred';
          return;
        }
        await stored;
      }
      await msg.ackAck();
      this.handled.add(envelope.id);
      this.options.metrics.eventsConsumed.inc({ type: envelope.type, consumer, result: 'ok' });
    } catch (error) {
      clearInterval(heartbeat);
      failure = error;
      const retryable = isRetryable(error);
      const delivery = msg.info.deliveryCount;
      if (retryable && delivery < this.maxDeliver && !this.stopping) {
        const jittered = this.retryDelayMs(delivery);
        this.options.logger.warn({ err: error, delivery, retryInMs: jittered }, `handler for ${envelope.type} failed; will retry`);
        this.options.metrics.eventsConsumed.inc({ type: envelope.type, consumer, result: 'retry' });
        result = 'retry';
        msg.nak(jittered);
      } else if (retryable && this.stopping) {
        result = 'retry';
        msg.nak();
      } else {
        this.options.logger.error({ err: error, delivery }, `handler for ${envelope.type} failed for good; dead-lettering`);
        this.options.metrics.eventsConsumed.inc({ type: envelope.type, consumer, result: 'failed' });
        result = 'failed';
        await this.reject(
          msg,
          {
            reason: retryable ? 'max_deliveries' : errorCode(error),
            detail: (error as Error).message ?? String(error),
          },
          false,
        );
      }
    } finally {
      this.options.metrics.handleDuration.observe({ type: envelope.type, consumer }, (performance.now() - started) / 1000);
      endSpan(span, failure, { [MessagingAttribute.result]: result });
    }
  }

  /**
   * Acknowledges a handled message once `stored` resolves, keeping only its reply subject (the
   * JetStream acknowledgement protocol: `+WPI` while waiting, `+ACK` confirmed by the server,
   * `-NAK` with a delay to give it back), so that a large body is not held meanwhile.
   */
  private acknowledgeLater(msg: JsMsg, envelope: Envelope, stored: Promise<void>): boolean {
    // nats.js's message has its reply subject (the ack subject), though its interface does not say so.
    const reply = (msg as JsMsg & { readonly reply?: string }).reply;
    if (!reply) return false; // then it waits, holding its slot
    const delivery = msg.info.deliveryCount;
    const { id, type } = envelope;
    const consumer = this.options.durable;
    const nc = this.options.nc;
    // A publish on a closed connection throws; what was not acknowledged is redelivered after the ack wait.
    const respond = (body: Uint8Array) => {
      try {
        nc.publish(reply, body);
      } catch {
        // as above
      }
    };
    const heartbeat = setInterval(() => respond(WORKING), this.heartbeatMs);
    const task = stored
      .then(
        async () => {
          clearInterval(heartbeat);
          try {
            await nc.request(reply, ACK, { timeout: ACK_TIMEOUT_MS });
          } catch (error) {
            // Redelivered after the ack wait, and then a duplicate for the handler to skip.
            this.options.logger.warn({ err: error, eventId: id }, `the acknowledgement of ${type} was not confirmed`);
            return;
          }
          this.handled.add(id);
          this.options.metrics.eventsConsumed.inc({ type, consumer, result: 'ok' });
        },
        (error: unknown) => {
          clearInterval(heartbeat);
          const delay = this.stopping || delivery >= this.maxDeliver ? 0 : this.retryDelayMs(delivery);
          this.options.logger.warn({ err: error, delivery, retryInMs: delay }, `storing what ${type} changed failed; will retry`);
          this.options.metrics.eventsConsumed.inc({ type, consumer, result: 'retry' });
          respond(delay > 0 ? utf8.encode(`-NAK ${JSON.stringify({ delay: nanos(delay) })}`) : NAK);
        },
      )
      .finally(() => this.settling.delete(task));
    this.settling.add(task);
    return true;
  }

  /** The wait before a failed delivery comes again: the retry delays by delivery, ±20 % jitter. */
  private retryDelayMs(delivery: number): number {
    const delay = this.retryDelaysMs[Math.min(delivery - 1, this.retryDelaysMs.length - 1)] ?? 1000;
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  private get heartbeatMs(): number {
    return Math.max(250, Math.floor(this.ackWaitMs / 3));
  }

  /**
   * Runs the handler, and again on the same delivery while it fails because NATS does not answer
   * (for up to `unavailableRetryMs`, with backoff; the heartbeat keeps the message ours meanwhile).
   * A redelivery would spend one of the few deliveries a message has on an outage that is no
   * fault of the event's, and after `maxDeliver` of them the event would be dead-lettered instead
   * of handled once the cluster is back. Any other failure, or the time up, is thrown as it is.
   */
  private handleWhileUnavailable(handle: () => Promise<void>, type: EventType): Promise<void> {
    return whileMessagingUnavailable(`handling ${type}`, handle, {
      deadlineMs: this.unavailableRetryMs,
      backoff: unavailableBackoff,
      giveUp: (error) => !isRetryable(error) || this.stopping,
      onRetry: (error, attempt, waitMs) => {
        if (attempt === 0 || attempt % 10 === 0)
          this.options.logger.warn({ err: error, attempt, retryInMs: waitMs }, `NATS did not answer the handler for ${type}; retrying it`);
        this.options.metrics.eventsConsumed.inc({ type, consumer: this.options.durable, result: 'unavailable_retry' });
      },
    });
  }

  private async reject(msg: JsMsg, info: RejectInfo, countAsRejected = true): Promise<void> {
    if (countAsRejected) {
      this.options.metrics.eventsRejected.inc({ reason: info.reason, consumer: this.options.durable });
      this.options.logger.warn({ subject: msg.subject, reason: info.reason, detail: info.detail.slice(0, 500) }, 'event rejected');
    }
    try {
      await this.deadLetter(msg.subject, msg.data, `${msg.info.streamSequence}`, info);
      msg.term(info.reason);
    } catch (error) {
      // The DLQ is unreachable: leave the message to be redelivered rather than lose it.
      this.options.logger.error({ err: error }, 'dead-letter publish failed; message will be redelivered');
      msg.nak(1000);
    }
  }

  private async deadLetter(subject: string, data: Uint8Array, sequence: string, info: RejectInfo): Promise<void> {
    const headers = natsHeaders();
    headers.set(Header.rejectReason, info.reason);
    headers.set(Header.rejectDetail, info.detail.replace(/[\r\n]+/g, ' ').slice(0, 1000));
    headers.set(Header.originalSubject, subject);
    const id = `${this.options.stream}:${this.options.durable}:${sequence}`;
    await this.options.js.publish(subjects.deadLetter(this.options.durable, this.options.prefix), data, { msgID: id, headers });
    this.options.metrics.eventsDeadLettered.inc({ consumer: this.options.durable, reason: info.reason });
  }
}
