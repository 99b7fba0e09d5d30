import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { DEFAULT_SUBJECT_PREFIX, SubjectKind, parseEnvelope, type Envelope } from '@mapek/contracts';

/** A loop event as a test sees it on NATS, with when it arrived. */
export interface SeenEvent {
  readonly subject: string;
  readonly envelope: Envelope;
  readonly at: number;
}

interface Waiter {
  readonly from: number;
  readonly predicate: (event: SeenEvent) => boolean;
  readonly resolve: (event: SeenEvent) => void;
}

/** The kinds of event that mark the phases of an incident (samples are left out: too many). */
const WATCHED = [SubjectKind.symptoms, SubjectKind.analyses, 'plans', SubjectKind.executions, SubjectKind.outcomes] as const;

/**
 * Every loop event as it is published, seen through a core NATS subscription of an identity that
 * may read them (`cli`): the real signal that an incident reached a phase, the moment it happens.
 * Waiting is event-driven: a waiter is resolved by the arrival of the event, never by polling.
 */
export class LoopEvents {
  private readonly seen: SeenEvent[] = [];
  private readonly waiters = new Set<Waiter>();

  private constructor(private readonly nc: NatsConnection) {}

  /** Subscribes with the connect options of an identity (e.g. `stack.natsConnectOptions()` for `cli`). */
  static async open(options: NodeConnectionOptions, prefix = DEFAULT_SUBJECT_PREFIX): Promise<LoopEvents> {
    const nc = await connect({ ...options, name: 'e2e loop events', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const events = new LoopEvents(nc);
    for (const kind of WATCHED) {
      nc.subscribe(`${prefix}.${kind}.>`, {
        callback: (error, msg) => {
          if (error) return;
          const parsed = parseEnvelope(msg.data);
          if (parsed.ok) events.add({ subject: msg.subject, envelope: parsed.envelope, at: Date.now() });
        },
      });
    }
    await nc.flush();
    return events;
  }

  /** The server this connection is on (`server_name`), e.g. to avoid cutting the test's own link. */
  get serverName(): string | undefined {
    return this.nc.info?.server_name;
  }

  /** A position in the events seen so far: waits from a mark ignore what came before it. */
  mark(): number {
    return this.seen.length;
  }

  /** Events seen since a mark. */
  since(mark: number): readonly SeenEvent[] {
    return this.seen.slice(mark);
  }

  /** The first event since `from` that matches, already seen or still to come. */
  next(from: number, predicate: (event: SeenEvent) => boolean, what: string, timeoutMs = 60_000): Promise<SeenEvent> {
    const already = this.seen.slice(from).find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        from,
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen since: ${this.describe(from)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** One line per event since a mark: type, status and incident. */
  describe(from: number): string {
    return this.seen
      .slice(from)
      .map(
        ({ envelope }) =>
          `${envelope.type}${typeof envelope.data === 'object' && envelope.data && 'status' in envelope.data ? `(${String(envelope.data.status)})` : ''}`,
      )
      .join(', ');
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  private add(event: SeenEvent): void {
    this.seen.push(event);
    const index = this.seen.length - 1;
    for (const waiter of this.waiters) {
      if (index >= waiter.from && waiter.predicate(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }
}
