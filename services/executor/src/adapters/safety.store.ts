import { JsonKv, kvKey, type KvBucket } from '@mapek/messaging';
import { admitAction, admitTarget, type TargetAction, type WindowVerdict } from '../domain/sliding-window.js';

/** Who holds a target's lease, and until when (ms); the entry's TTL frees it at the same time. */
export interface Lease {
  readonly holder: string;
  readonly acquiredAt: number;
  readonly expiresAt: number;
}

export type LeaseResult = { readonly acquired: true; readonly lease: Lease } | { readonly acquired: false; readonly heldBy: Lease };

const leaseKey = (target: string) => `lease.${kvKey(target)}`;
const blastKey = 'blast';
const effectorKey = (kind: string) => `effector.${kvKey(kind)}`;
const minute = 60_000;
const hour = 3_600_000;

/** The lease could not be taken in time: another execution holds the target. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  readonly code = 'lease_held';
  readonly retryable = true;
  constructor(
    readonly target: string,
    readonly heldBy: Lease,
  ) {
    super(`target ${target} is leased to execution ${heldBy.holder} until ${new Date(heldBy.expiresAt).toISOString()}`);
  }
}

/**
 * The executor's safety state in the `mapek_leases` bucket, shared by every replica: a lease per
 * target (created only if absent, renewed and taken over with a revision compare-and-set, freed
 * by its TTL when its holder dies), and the two caps' sliding windows, each one key read, decided
 * and written back under its revision (a lost race is read and decided again).
 */
export class SafetyStore {
  private readonly leases: JsonKv<Lease>;
  private readonly targetWindow: JsonKv<TargetAction[]>;
  private readonly actionWindows: JsonKv<number[]>;

  constructor(private readonly kv: KvBucket) {
    this.leases = new JsonKv(kv);
    this.targetWindow = new JsonKv(kv);
    this.actionWindows = new JsonKv(kv);
  }

  /** Takes the target's lease for `holder`, or renews it when `holder` has it already. */
  async acquire(target: string, holder: string, ttlMs: number, now = Date.now()): Promise<LeaseResult> {
    const key = leaseKey(target);
    const lease: Lease = { holder, acquiredAt: now, expiresAt: now + ttlMs };
    for (;;) {
      if (await this.leases.compareAndSet(key, lease, undefined, { ttlMs })) return { acquired: true, lease };
      const stored = await this.leases.get(key);
      if (!stored) continue; // freed meanwhile
      // Its own (a redelivered execution resumes), or one whose holder let it lapse (the server
      // removes an expired entry within about a second): taken under the revision read.
      if (stored.value.holder !== holder && stored.value.expiresAt > now) return { acquired: false, heldBy: stored.value };
      const renewed: Lease = stored.value.holder === holder ? { ...lease, acquiredAt: stored.value.acquiredAt } : lease;
      if (await this.leases.compareAndSet(key, renewed, stored.revision, { ttlMs })) return { acquired: true, lease: renewed };
    }
  }

  /**
   * Takes the lease, waiting while another execution holds it: woken by the key's deletion (its
   * holder released it) or its expiry, until `waitMs` has passed. `onWait` is called while it waits.
   */
  async acquireWaiting(
    target: string,
    holder: string,
    ttlMs: number,
    waitMs: number,
    onWait: () => void,
  ): Promise<{ readonly lease: Lease; readonly waitedMs: number; readonly waitedFor?: string }> {
    const started = Date.now();
    let result = await this.acquire(target, holder, ttlMs);
    if (result.acquired) return { lease: result.lease, waitedMs: 0 };
    const waitedFor = result.heldBy.holder;
    const deadline = started + waitMs;
    let wake: () => void = () => undefined;
    const watcher = await this.kv.watch({ key: leaseKey(target), include: 'updates' });
    void (async () => {
      for await (const entry of watcher) if (entry.operation !== 'PUT') wake();
    })().catch(() => undefined);
    try {
      for (;;) {
        const heldBy: Lease = result.heldBy;
        const now = Date.now();
        if (now >= deadline) throw new LeaseHeldError(target, heldBy);
        onWait();
        await new Promise<void>((resolve) => {
          // Woken by a release, by the lease's expiry (plus the server's second to remove it), or every 2 s to show progress.
          const timer = setTimeout(resolve, Math.max(10, Math.min(heldBy.expiresAt + 1000, deadline, now + 2000) - now));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const next = await this.acquire(target, holder, ttlMs);
        if (next.acquired) return { lease: next.lease, waitedMs: Date.now() - started, waitedFor };
        result = next;
      }
    } finally {
      watcher.stop();
    }
  }

  /** Frees the lease if `holder` still has it (a lapsed one another execution took is left alone). */
  async release(target: string, holder: string): Promise<void> {
    const stored = await this.leases.get(leaseKey(target));
    if (stored?.value.holder !== holder) return;
    await this.kv.delete(leaseKey(target));
  }

  /** Counts the target in the last minute's distinct targets, unless `limit` are there already. */
  admitTarget(target: string, limit: number): Promise<WindowVerdict<TargetAction[]>> {
    return this.admit(this.targetWindow, blastKey, minute, (entries, now) => admitTarget(entries ?? [], target, now, minute, limit));
  }

  /** Counts one action of the effector kind in the last hour, unless `limit` are there already. */
  admitAction(kind: string, limit: number): Promise<WindowVerdict<number[]>> {
    return this.admit(this.actionWindows, effectorKey(kind), hour, (times, now) => admitAction(times ?? [], now, hour, limit));
  }

  private async admit<T>(
    window: JsonKv<T>,
    key: string,
    windowMs: number,
    decide: (stored: T | undefined, now: number) => WindowVerdict<T>,
  ): Promise<WindowVerdict<T>> {
    for (;;) {
      const stored = await window.get(key);
      const verdict = decide(stored?.value, Date.now());
      if (!verdict.allowed) return verdict;
      // The key expires a window after its last admitted action: an idle window costs nothing.
      if (await window.compareAndSet(key, verdict.next, stored?.revision, { ttlMs: windowMs })) return verdict;
    }
  }
}
