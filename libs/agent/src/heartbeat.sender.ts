import { HeartbeatVia, MapekError, type Envelope } from '@mapek/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { pushToStream, type SignEnvelope } from './stream-push.js';

/** The telemetry stream did not store a heartbeat; the next one is sent at the next interval. */
export class HeartbeatPushError extends MapekError {
  readonly code = 'AGENT_HEARTBEAT_PUSH';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** How an agent reports that its service is alive. */
export interface AgentHeartbeatOptions {
  /** Between two heartbeats. Default 10 000 ms; keep it well under the target's `heartbeat.timeoutMs`. */
  readonly intervalMs?: number;
  /** How long to wait for the stream's acknowledgement. Default 2000 ms. */
  readonly timeoutMs?: number;
}

export interface HeartbeatSenderOptions extends AgentHeartbeatOptions {
  readonly connection: NatsConnection;
  readonly prefix: string;
  readonly target: string;
  /** The envelope's `source`: the agent's identity name. */
  readonly source: string;
  /** Named in the heartbeat as its reporter (the process, for the operator reading it). */
  readonly reporter: string;
  readonly sign?: SignEnvelope;
  readonly onError: (error: unknown, context: string) => void;
}

/**
 * Sends a `heartbeat` for the agent's target at once and then every interval, stored on the
 * telemetry stream like the services' events; the monitor raises a symptom for a target that
 * stays silent longer than its configured timeout. A failed heartbeat is reported and the next
 * one is sent on time (a missed one is what the timeout is for).
 */
export class HeartbeatSender {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private sending: Promise<void> | undefined;

  constructor(private readonly options: HeartbeatSenderOptions) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Sends one heartbeat now; resolves once the stream stored it. */
  async send(): Promise<Envelope<'heartbeat'>> {
    return pushToStream({
      connection: this.options.connection,
      prefix: this.options.prefix,
      type: 'heartbeat',
      source: this.options.source,
      target: this.options.target,
      data: {
        via: HeartbeatVia.agent,
        reporter: this.options.reporter,
        sentAt: new Date().toISOString(),
        uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      },
      ...(this.options.sign ? { sign: this.options.sign } : {}),
      timeoutMs: this.options.timeoutMs ?? 2000,
      // Every few seconds per target, and no incident follows from one: no trace of its own.
      traced: false,
      failure: (message, cause) => new HeartbeatPushError(message, { cause }),
    });
  }

  private tick(): void {
    // One at a time: a slow acknowledgement does not pile up heartbeats.
    this.sending ??= this.send()
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError(error, 'sending a heartbeat (the monitor counts the silence)'))
      .finally(() => {
        this.sending = undefined;
      });
  }
}
