import { randomBytes } from 'node:crypto';
import { Header, encodeEnvelope, type Envelope, type StreamName } from '@mapek/contracts';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';

/** Signs an envelope for a subject: the detached signature headers (libs/pqc), as the services sign theirs. */
export type SignEnvelope = (envelope: Envelope, subject: string) => Readonly<Record<string, string>>;

/** JetStream answers a publish to a stream's subject with this (nats-server's PubAck). */
interface PubAck {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

export interface StreamPush {
  readonly connection: NatsConnection;
  readonly subject: string;
  readonly envelope: Envelope;
  /** The stream that must store it (`Nats-Expected-Stream`). */
  readonly stream: StreamName;
  readonly sign?: SignEnvelope;
  readonly timeoutMs: number;
  /** The error to throw when the stream did not store it. */
  readonly failure: (message: string, cause?: unknown) => Error;
}

const decoder = new TextDecoder();

/**
 * Stores an envelope on its stream as the services publish theirs: signed, `Nats-Msg-Id` = the
 * event id (stored once), the stream named in `Nats-Expected-Stream`, with a new trace. A plain
 * core request to the event subject (the agent has no JetStream API rights); resolves once the
 * stream acknowledged it.
 */
export async function pushToStream(push: StreamPush): Promise<void> {
  const { envelope, subject } = push;
  const headers = natsHeaders();
  headers.set(Header.msgId, envelope.id);
  headers.set('Nats-Expected-Stream', push.stream);
  headers.set(Header.traceparent, `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`);
  for (const [name, value] of Object.entries(push.sign?.(envelope, subject) ?? {})) headers.set(name, value);
  let reply;
  try {
    reply = await push.connection.request(subject, encodeEnvelope(envelope), { headers, timeout: push.timeoutMs });
  } catch (error) {
    throw push.failure(`${envelope.type} ${envelope.id} on ${subject} was not stored: ${(error as Error).message}`, error);
  }
  let ack: PubAck;
  try {
    ack = JSON.parse(decoder.decode(reply.data)) as PubAck;
  } catch (error) {
    throw push.failure(`${envelope.type} ${envelope.id}: the stream's answer is not JSON`, error);
  }
  if (ack.error || ack.stream !== push.stream) {
    throw push.failure(
      `${envelope.type} ${envelope.id} refused by JetStream: ${ack.error?.description ?? `stored in ${ack.stream ?? 'no stream'}`}`,
    );
  }
}
