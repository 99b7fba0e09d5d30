import {
  Header,
  encodeEnvelope,
  eventRegistry,
  newEventId,
  subjectFor,
  type Envelope,
  type EventData,
  type EventType,
} from '@mapek/contracts';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { SpanKind, endAgentSpan, startAgentSpan, startUntracedSpan, traceparentOf } from './agent.tracing.js';

/** Signs an envelope for a subject: the detached signature headers (libs/pqc), as the services sign theirs. */
export type SignEnvelope = (envelope: Envelope, subject: string) => Readonly<Record<string, string>>;

/** JetStream answers a publish to a stream's subject with this (nats-server's PubAck). */
interface PubAck {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

export interface StreamPush<T extends EventType> {
  readonly connection: NatsConnection;
  /** The subject prefix (`mapek`); the subject and the stream come from the event registry. */
  readonly prefix: string;
  readonly type: T;
  /** The envelope's `source`: the agent's identity name, which its signing key belongs to. */
  readonly source: string;
  readonly target: string;
  /** Checked against the type's schema before anything is sent. */
  readonly data: EventData<T>;
  readonly sign?: SignEnvelope;
  readonly timeoutMs: number;
  /** Default true: a PRODUCER span `send <type>` roots a new trace (when the process exports spans). */
  readonly traced?: boolean;
  /** The error to throw when the stream did not store it. */
  readonly failure: (message: string, cause?: unknown) => Error;
}

const decoder = new TextDecoder();

/**
 * Stores an event on its stream as the services publish theirs: a new envelope of the registry's
 * version, on the registry's subject, signed, `Nats-Msg-Id` = the event id (stored once), the
 * registry's stream named in `Nats-Expected-Stream`, with a new trace. A plain core request to the
 * event subject (the agent has no JetStream API rights); resolves to the envelope once the stream
 * acknowledged it.
 */
export async function pushToStream<T extends EventType>(push: StreamPush<T>): Promise<Envelope<T>> {
  const entry = eventRegistry[push.type];
  const envelope: Envelope<T> = {
    id: newEventId(),
    type: push.type,
    version: entry.version,
    source: push.source,
    time: new Date().toISOString(),
    target: push.target,
    data: entry.schema.parse(push.data) as EventData<T>,
  };
  const subject = subjectFor(entry.subjectKind, push.target, push.prefix);
  const body = encodeEnvelope(envelope);
  // The root of a new trace: a crossing the agent pushes starts its incident's trace (ADR 0014).
  const span = (push.traced === false ? startUntracedSpan : startAgentSpan)(`send ${envelope.type}`, SpanKind.PRODUCER, {
    'messaging.system': 'nats',
    'messaging.operation.type': 'send',
    'messaging.destination.name': subject,
    'messaging.message.id': envelope.id,
    'messaging.message.body.size': body.length,
    'mapek.event.type': envelope.type,
    'mapek.target': envelope.target,
  });
  const headers = natsHeaders();
  headers.set(Header.msgId, envelope.id);
  headers.set('Nats-Expected-Stream', entry.stream);
  headers.set(Header.traceparent, traceparentOf(span));
  try {
    for (const [name, value] of Object.entries(push.sign?.(envelope, subject) ?? {})) headers.set(name, value);
    await store(push, subject, body, headers, envelope);
  } catch (error) {
    endAgentSpan(span, error);
    throw error;
  }
  endAgentSpan(span);
  return envelope;
}

/** Sends the envelope to its stream and checks the acknowledgement names that stream. */
async function store(push: StreamPush<EventType>, subject: string, body: Uint8Array, headers: MsgHdrs, envelope: Envelope): Promise<void> {
  const stream = eventRegistry[envelope.type].stream;
  let reply;
  try {
    reply = await push.connection.request(subject, body, { headers, timeout: push.timeoutMs });
  } catch (error) {
    throw push.failure(`${envelope.type} ${envelope.id} on ${subject} was not stored: ${(error as Error).message}`, error);
  }
  let ack: PubAck;
  try {
    ack = JSON.parse(decoder.decode(reply.data)) as PubAck;
  } catch (error) {
    throw push.failure(`${envelope.type} ${envelope.id}: the stream's answer is not JSON`, error);
  }
  if (ack.error || ack.stream !== stream) {
    throw push.failure(
      `${envelope.type} ${envelope.id} refused by JetStream: ${ack.error?.description ?? `stored in ${ack.stream ?? 'no stream'}`}`,
    );
  }
}
