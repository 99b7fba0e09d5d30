/**
 * Remembers event ids for as long as an event with that id could still pass the freshness check,
 * in time buckets keyed by the event's own timestamp. Buckets older than `windowMs` behind the
 * clock are dropped whole, so memory is bounded by (event rate × 2 × window) and pruning is O(1)
 * per bucket. An event outside the window is rejected as stale before it reaches this guard.
 */
export interface ReplayGuard {
  /**
   * True if `id` was already recorded and is still remembered. With a `tag` (where the message
   * sits, e.g. `<stream>:<sequence>`), an id recorded under the same tag is not a replay: a
   * durable log redelivers the very same message, which is not a second copy of it.
   */
  seen(id: string, now: number, tag?: string): boolean;
  record(id: string, eventTime: number, now: number, tag?: string): void;
  /** Number of remembered ids (for metrics and tests). */
  readonly size: number;
}

export function createReplayGuard(options: { windowMs: number; bucketMs?: number }): ReplayGuard {
  const windowMs = options.windowMs;
  const bucketMs = Math.max(1, options.bucketMs ?? Math.ceil(windowMs / 10));
  // id → tag it was first accepted under ('' when untagged)
  const buckets = new Map<number, Map<string, string>>();
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
    seen(id, now, tag) {
      prune(now);
      for (const ids of buckets.values()) {
        const recorded = ids.get(id);
        if (recorded !== undefined) return tag === undefined || recorded !== tag;
      }
      return false;
    },
    record(id, eventTime, now, tag) {
      prune(now);
      const index = Math.floor(eventTime / bucketMs);
      let ids = buckets.get(index);
      if (ids === undefined) {
        ids = new Map();
        buckets.set(index, ids);
      }
      if (!ids.has(id)) {
        ids.set(id, tag ?? '');
        size += 1;
      }
    },
  };
}
