import { randomBytes } from 'node:crypto';
import { MapekError, Header, StreamName, encodeEnvelope, eventRegistry, newEventId, subjects, type Envelope, type SymptomV1 } from '@mapek/contracts';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Crossing } from './threshold.watcher.js';

/** Signs an envelope for a subject: the detached signature headers (libs/pqc), as the services sign theirs. */
export type SignEnvelope = (envelope: Envelope, subject: string) => Readonly<Record<string, string>>;

/** JetStream answers a publish to a stream's subject with this (nats-server's PubAck). */
interface PubAck {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

/** JetStream refused a pushed symptom (or did not answer); the watcher tries again. */
export class SymptomPushError extends MapekError {
  readonly code = 'AGENT_SYMPTOM_PUSH';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface SymptomPusherOptions {
  readonly connection: NatsConnection;
  readonly prefix: string;
  readonly target: string;
  /** The envelope's `source`: the agent's identity name (`agent`), which its signing key belongs to. */
  readonly source: string;
  /** Without it the symptom goes unsigned (development without an identity, as the services). */
  readonly sign?: SignEnvelope;
  /** How long to wait for the stream's acknowledgement. Default 2000 ms. */
  readonly timeoutMs?: number;
}

const decoder = new TextDecoder();

/**
 * Publishes a crossing as a `symptom` event, exactly as the monitor publishes its own: a signed
 * envelope on `<prefix>.symptoms.<target>`, stored once by the event stream (`Nats-Msg-Id` = the
 * event id, the stream named in `Nats-Expected-Stream`), with a new trace. It is a plain core
 * request to the event subject (no JetStream API), and resolves once the stream acknowledged it.
 */
export class SymptomPusher {
  constructor(private readonly options: SymptomPusherOptions) {}

  symptomOf(crossing: Crossing): SymptomV1 {
    const { rule, value } = crossing;
    return {
      source: 'threshold',
      rule: rule.name,
      severity: rule.severity,
      metric: rule.metric,
      value,
      threshold: rule.threshold,
      labels: {},
      description: `${rule.description}: ${rule.metric}=${value} (pushed by the agent)`,
      observedAt: crossing.observedAt.toISOString(),
    };
  }

  async push(crossing: Crossing): Promise<Envelope<'symptom'>> {
    const data = eventRegistry.symptom.schema.parse(this.symptomOf(crossing));
    const envelope: Envelope<'symptom'> = {
      id: newEventId(),
      type: 'symptom',
      version: eventRegistry.symptom.version,
      source: this.options.source,
      time: new Date().toISOString(),
      target: this.options.target,
      data,
    };
    const subject = subjects.symptoms(this.options.target, this.options.prefix);
    const headers = natsHeaders();
    headers.set(Header.msgId, envelope.id);
    headers.set('Nats-Expected-Stream', StreamName.events);
    headers.set(Header.traceparent, `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`);
    for (const [name, value] of Object.entries(this.options.sign?.(envelope, subject) ?? {})) headers.set(name, value);
    let reply;
    try {
      reply = await this.options.connection.request(subject, encodeEnvelope(envelope), { headers, timeout: this.options.timeoutMs ?? 2000 });
    } catch (error) {
      throw new SymptomPushError(`symptom ${envelope.id} on ${subject} was not stored: ${(error as Error).message}`, { cause: error });
    }
    let ack: PubAck;
    try {
      ack = JSON.parse(decoder.decode(reply.data)) as PubAck;
    } catch (error) {
      throw new SymptomPushError(`symptom ${envelope.id}: the stream's answer is not JSON`, { cause: error });
    }
    if (ack.error || ack.stream !== StreamName.events) {
      throw new SymptomPushError(`symptom ${envelope.id} refused by JetStream: ${ack.error?.description ?? `stored in ${ack.stream ?? 'no stream'}`}`);
    }
    return envelope;
  }
}
