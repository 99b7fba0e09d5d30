import { kvEntryValue, type KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';

/** The entries of the plans bucket a plan checks besides its own record. */
export const PLAN_GUARD_PREFIXES = ['cooldown', 'rate', 'resolved'] as const;

interface Held {
  readonly revision: number;
  /** Undefined: deleted or purged at this revision. */
  readonly value: unknown;
  /** When it was written (epoch ms). */
  readonly at: number;
}

/**
 * What a plan checks besides its own record — its actions' cooldowns, this hour's automatic
 * approvals, whether its incident's signal was resolved — kept in memory from a watch of the plans
 * bucket, written by this replica or another, so planning waits for no read (it was a round of
 * five or six reads per analysis).
 *
 * A watch is started, then the current entries are read once; both are applied by revision, so
 * neither can undo the other, and the view is `ready` once that read is done. Until then (and
 * while a watch that ended is being restarted) the caller reads KV as before. What it gives up: a
 * write by another replica reaches the view a moment after it is stored (the watch's delivery,
 * about a millisecond), where a read would have seen it; a read racing that write could miss it
 * too. Expired entries are left to their values (a cooldown's deadline, an hour's key) and pruned
 * by `prune`.
 */
export class PlanGuardsView {
  private readonly held = new Map<string, Held>();
  private isReady = false;
  private stopped = false;
  private stopWatch: (() => void) | undefined;
  private lastWarning = 0;

  constructor(
    private readonly kv: KvBucket,
    private readonly logger: Logger,
  ) {}

  get ready(): boolean {
    return this.isReady;
  }

  /** The value held under `key`, or undefined when there is none (or the view is not ready: ask KV). */
  value<T>(key: string): T | undefined {
    return this.held.get(key)?.value as T | undefined;
  }

  /** A value this replica just wrote (its revision from the write): seen before the watch brings it back. */
  wrote(key: string, revision: number, value: unknown): void {
    this.apply(key, revision, value, Date.now());
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.isReady = false;
    this.stopWatch?.();
  }

  /** Forgets deleted entries and those `expired` says are over (given the key, the value and when it was written). */
  prune(expired: (key: string, value: unknown, writtenAt: number) => boolean): void {
    for (const [key, held] of this.held) if (held.value === undefined || expired(key, held.value, held.at)) this.held.delete(key);
  }

  get size(): number {
    return this.held.size;
  }

  private apply(key: string, revision: number, value: unknown, at: number): void {
    const current = this.held.get(key);
    if (current && current.revision >= revision) return;
    this.held.set(key, { revision, value, at });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const updates = await this.kv.watch({ key: PLAN_GUARD_PREFIXES.map((prefix) => `${prefix}.>`) });
        this.stopWatch = () => updates.stop();
        const watched = (async () => {
          for await (const entry of updates) this.apply(entry.key, entry.revision, kvEntryValue(entry), entry.created.getTime());
        })();
        watched.catch(() => undefined); // awaited below, after the first read
        for (const prefix of PLAN_GUARD_PREFIXES) {
          for await (const key of await this.kv.keys(`${prefix}.>`)) {
            const entry = await this.kv.get(key);
            if (entry) this.apply(key, entry.revision, kvEntryValue(entry), entry.created.getTime());
          }
        }
        this.isReady = !this.stopped;
        this.logger.info({ entries: this.held.size }, 'cooldowns, approvals and resolved incidents loaded; watching for changes');
        await watched;
      } catch (error) {
        if (this.stopped) return;
        // Once a minute at most: a watch NATS keeps refusing would otherwise log every second.
        if (Date.now() - this.lastWarning >= 60_000) {
          this.lastWarning = Date.now();
          this.logger.warn({ err: error }, 'plan guards watch ended; planning reads KV until it is restarted');
        }
      }
      this.isReady = false;
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
