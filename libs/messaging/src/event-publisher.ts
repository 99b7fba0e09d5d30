import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { z } from 'zod';
import {
  Header,
  eventRegistry,
  newEventId,
  subjectFor,
  type Envelope,
  type EventContract,
  type EventData,
  type EventType,
} from '@mapek/contracts';
import { SpanKind, endSpan, injectTraceContext, startSpan, withSpan, type ServiceMetrics } from '@mapek/observability';
import { ContractViolationError } from './messaging.errors.js';
import { messagingAttributes, MessagingOperation } from './messaging-spans.js';

const utf8 = new TextEncoder();

export interface PublishInput<T extends EventType> {
  readonly target: string;
  readonly data: EventData<T>;
  readonly incidentId?: string;
  readonly causationId?: string;
  /** Give a derived id (see deriveEventId) when a redelivered handler must not publish twice. */
  readonly id?: string;
  /** The subject key: the target for most kinds, the plan id for decisions. */
  readonly subjectKey?: string;
}

/** What domain code publishes through; the JetStream implementation is below, tests use a fake. */
export interface EventPublisherPort {
  publish<T extends EventType>(type: T, input: PublishInput<T>): Promise<Envelope<T>>;
}

/**
 * Hook for signing (libs/pqc): receives the envelope, the subject it goes to and the body's JSON
 * (`JSON.stringify(envelope)`, so that a signer need not write it again), returns headers to send
 * beside it (the detached signature). The envelope stays the message body, byte for byte.
 */
export type EnvelopeSigner = (envelope: Envelope, subject: string, json: string) => Readonly<Record<string, string>>;

export interface JetStreamPublisherOptions {
  readonly js: JetStreamClient;
  readonly prefix: string;
  /** The sending service's identity, e.g. `spiffe://mapek.local/planner` or `planner`. */
  readonly source: string;
  readonly metrics?: ServiceMetrics;
  readonly signer?: EnvelopeSigner;
}

/**
 * Publishes envelopes to JetStream and awaits the stream's acknowledgement. `Nats-Msg-Id` is the
 * event id, so a retried publish is stored once within the stream's duplicate window.
 */
export class JetStreamPublisher implements EventPublisherPort {
  constructor(private readonly options: JetStreamPublisherOptions) {}

  envelope<T extends EventType>(type: T, input: PublishInput<T>): Envelope<T> {
    const entry: EventContract = eventRegistry[type];
    // The data goes out as given; the schema's parse (a copy of all of it) only says whether it may.
    if (entry.accepts?.(input.data) !== true) {
      const parsed = entry.schema.safeParse(input.data);
      if (!parsed.success) {
        throw new ContractViolationError(`refusing to publish invalid ${type}: ${z.prettifyError(parsed.error)}`);
      }
    }
    // Keys in ascending order: the envelope's JSON is then its canonical JSON whenever its data's
    // is, and the signer takes the body's JSON instead of writing the envelope again.
    return {
      ...(input.causationId ? { causationId: input.causationId } : {}),
      data: input.data,
      id: input.id ?? newEventId(),
      ...(input.incidentId ? { incidentId: input.incidentId } : {}),
      source: this.options.source,
      target: input.target,
      time: new Date().toISOString(),
      type,
      version: entry.version,
    };
  }

  subject(envelope: Envelope, subjectKey?: string): string {
    return subjectFor(eventRegistry[envelope.type].subjectKind, subjectKey ?? envelope.target, this.options.prefix);
  }

  async publish<T extends EventType>(type: T, input: PublishInput<T>): Promise<Envelope<T>> {
    const envelope = this.envelope(type, input);
    await this.publishEnvelope(envelope, input.subjectKey);
    return envelope;
  }

  /** Publishes several envelopes pipelined (all in flight at once), resolving when all are acknowledged. */
  async publishMany<T extends EventType>(type: T, inputs: readonly PublishInput<T>[]): Promise<Envelope<T>[]> {
    const envelopes = inputs.map((input) => this.envelope(type, input));
    await Promise.all(envelopes.map((envelope, index) => this.publishEnvelope(envelope, inputs[index]?.subjectKey)));
    return envelopes;
  }

  async publishEnvelope(envelope: Envelope, subjectKey?: string): Promise<void> {
    const subject = this.subject(envelope, subjectKey);
    const headers = natsHeaders();
    headers.set(Header.msgId, envelope.id);
    const json = JSON.stringify(envelope);
    // encodeEnvelope's bytes, from the JSON the signer takes too.
    const body = utf8.encode(json);
    // A child of whatever is active (the handler's consumer span), or the root of a new trace.
    const span = startSpan(`${MessagingOperation.send} ${envelope.type}`, {
      kind: SpanKind.PRODUCER,
      attributes: messagingAttributes(MessagingOperation.send, subject, envelope, body.length),
    });
    injectTraceContext({ set: (name, value) => headers.set(name, value) }, span);
    const signer = this.options.signer;
    if (signer) {
      // Signed inside the send span, so the signature shows on it (a `pqc.sign` event).
      for (const [name, value] of Object.entries(withSpan(span, () => signer(envelope, subject, json)))) headers.set(name, value);
    }
    const started = performance.now();
    try {
      await this.options.js.publish(subject, body, {
        msgID: envelope.id,
        headers,
        expect: { streamName: eventRegistry[envelope.type].stream },
      });
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
    endSpan(span);
    this.options.metrics?.publishDuration.observe({ type: envelope.type }, (performance.now() - started) / 1000);
    this.options.metrics?.eventsPublished.inc({ type: envelope.type });
  }
}
