/**
 * Remembers event ids for as long as an event with that id could still pass the freshness check,
 * in time buckets keyed by the event's own timestamp. Buckets older than `windowMs` behind the
 * clock are dropped whole, so memory is bounded by (event rate × 2 × window) and pruning is O(1)
 * per bucket. An event outside the window is rejected as stale before it reaches this guard.
 */
export interface ReplayGuard {
  /** True if `id` was already recorded and is still remembered. */
  seen(id: string, now: number): boolean;
  record(id: string, eventTime: number, now: number): void;
  /** Number of remembered ids (for metrics and tests). */
  readonly size: number;
}

export function createReplayGuard(options: { windowMs: number; bucketMs?: number }): ReplayGuard {
  const windowMs = options.windowMs;
  const bucketMs = Math.max(1, options.bucketMs ?? Math.ceil(windowMs / 10));
  const buckets = new Map<number, Set<string>>();
  let size = 0;

  const prune = (now: number) => {
    const oldestKept = Math.floor((now - windowMs) / bucketMs);
    for (const [index, ids] of buckets) {
      if (index < oldestKept) {
        size -= ids.size;
        buckets.delete(index);
      }
    }
  };

  return {
    get size() {
      return size;
    },
    seen(id, now) {
      prune(now);
      for (const ids of buckets.values()) if (ids.has(id)) return true;
      return false;
    },
    record(id, eventTime, now) {
      prune(now);
      const index = Math.floor(eventTime / bucketMs);
      let ids = buckets.get(index);
      if (ids === undefined) {
        ids = new Set();
        buckets.set(index, ids);
      }
      if (!ids.has(id)) {
        ids.add(id);
        size += 1;
      }
    },
  };
}
