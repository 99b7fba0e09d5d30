/** An answer from a {@link MicroCache}, with how it was obtained. */
export interface CachedAnswer<T> {
  readonly value: T;
  /** Milliseconds since the load that produced the value was started: how stale it may be. */
  readonly ageMs: number;
  /** `miss`: this call loaded it; `shared`: it joined a load already in flight; `hit`: stored. */
  readonly source: 'miss' | 'shared' | 'hit';
}

export interface MicroCacheOptions {
  /** How long an answer is reused; 0 disables the cache (every call loads, nothing is shared). */
  readonly ttlMs: number;
  /** Most answers kept at once (default 1000); beyond it the oldest go first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
  /** Called with the source of every answer (for a metric). */
  readonly onAnswer?: (source: CachedAnswer<unknown>['source']) => void;
}

interface Stored<T> {
  readonly value: T;
  readonly loadedAt: number;
}

/**
 * A short-lived cache for read answers that many callers ask for at once (a dashboard's incident
 * list): within `ttlMs` an identical question gets the stored answer, and concurrent identical
 * questions share one backend call (single flight), so a burst of N costs one call, not N.
 * Failures are never stored: the callers waiting on a failed load get its error, the next call
 * tries again. The key must hold everything the answer depends on — the query and whatever of
 * the caller's authorization changes the answer — or one caller would see another's view.
 */
export class MicroCache<T> {
  private readonly stored = new Map<string, Stored<T>>();
  private readonly inFlight = new Map<string, Promise<Stored<T>>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: MicroCacheOptions) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  async get(key: string, load: () => Promise<T>): Promise<CachedAnswer<T>> {
    const answer = await this.answer(key, load);
    this.options.onAnswer?.(answer.source);
    return answer;
  }

  private async answer(key: string, load: () => Promise<T>): Promise<CachedAnswer<T>> {
    if (!this.enabled) return { value: await load(), ageMs: 0, source: 'miss' };
    const now = this.now();
    const hit = this.stored.get(key);
    if (hit && now - hit.loadedAt < this.options.ttlMs) return { value: hit.value, ageMs: now - hit.loadedAt, source: 'hit' };
    const pending = this.inFlight.get(key);
    if (pending) {
      const shared = await pending;
      return { value: shared.value, ageMs: Math.max(0, this.now() - shared.loadedAt), source: 'shared' };
    }
    const flight = this.load(key, load);
    this.inFlight.set(key, flight);
    try {
      const loaded = await flight;
      return { value: loaded.value, ageMs: Math.max(0, this.now() - loaded.loadedAt), source: 'miss' };
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async load(key: string, load: () => Promise<T>): Promise<Stored<T>> {
    // Dated when asked, not when answered: the backend read its state somewhere in between, so
    // the age (and the TTL) count from the earliest moment the answer can describe.
    const loadedAt = this.now();
    const entry = { value: await load(), loadedAt };
    this.stored.delete(key); // re-inserted last, so the map stays in load order
    this.stored.set(key, entry);
    // Beyond the bound the oldest answers go first (the map's first keys).
    for (const oldest of this.stored.keys()) {
      if (this.stored.size <= this.maxEntries) break;
      this.stored.delete(oldest);
    }
    return entry;
  }
}
