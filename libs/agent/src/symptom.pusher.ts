import { MapekError, type Envelope, type SymptomV1 } from '@mapek/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { pushToStream, type SignEnvelope } from './stream-push.js';
import type { Crossing } from './threshold.watcher.js';

export type { SignEnvelope } from './stream-push.js';

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

/**
 * Publishes a crossing as a `symptom` event, exactly as the monitor publishes its own: a signed
 * envelope on `<prefix>.symptoms.<target>`, stored once by the event stream ({@link pushToStream}).
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
    return pushToStream({
      connection: this.options.connection,
      prefix: this.options.prefix,
      type: 'symptom',
      source: this.options.source,
      target: this.options.target,
      data: this.symptomOf(crossing),
      ...(this.options.sign ? { sign: this.options.sign } : {}),
      timeoutMs: this.options.timeoutMs ?? 2000,
      failure: (message, cause) => new SymptomPushError(message, { cause }),
    });
  }
}
