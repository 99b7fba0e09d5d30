/**
 * Token buckets per client: `burst` requests at once, refilled at `perMinute`. A client is an API
 * key, or the remote address for requests without a valid key (so guessing keys is slowed too).
 * Buckets that have refilled completely carry no information and are dropped when the table is full.
 */
export interface RateLimit {
  readonly perMinute: number;
  readonly burst: number;
  /** Most clients tracked at once (default 10 000). */
  readonly maxClients?: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxClients: number;

  constructor(private readonly limit: RateLimit) {
    this.perMs = limit.perMinute / 60_000;
    this.maxClients = limit.maxClients ?? 10_000;
  }

  take(client: string, now: number = Date.now()): RateDecision {
    const bucket = this.refilled(client, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.perMs) };
  }

  get clients(): number {
    return this.buckets.size;
  }

  private refilled(client: string, now: number): Bucket {
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= this.maxClients) this.evictIdle(now);
      bucket = { tokens: this.limit.burst, updatedAt: now };
      this.buckets.set(client, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + Math.max(0, now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Drops full buckets; if every client is busy, the oldest entries go (their clients start full again). */
  private evictIdle(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.limit.burst) this.buckets.delete(client);
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < this.maxClients) break;
      this.buckets.delete(client);
    }
  }
}

/** What the access control takes a token from: the local {@link RateLimiter} or a shared one. */
export interface RateLimiterPort {
  take(client: string): RateDecision | Promise<RateDecision>;
}

/**
 * The generic cell rate algorithm: the same allowance as the token bucket above (`burst` at once,
 * refilled at `perMinute`), kept as one number per client, its theoretical arrival time (`tat`,
 * ms). That one number is what replicas share in KV (adapters/shared-rate-limiter.ts): a
 * compare-and-set of it is a whole take. Returns the decision and, when allowed, the new `tat`
 * with how long it matters (after `expiresInMs` the client's allowance is full again).
 */
export function gcra(tat: number | undefined, now: number, limit: RateLimit): { decision: RateDecision; tat: number; expiresInMs: number } {
  const interval = 60_000 / limit.perMinute;
  const tolerance = interval * (limit.burst - 1);
  const start = Math.max(tat ?? now, now);
  if (start - now > tolerance)
    return { decision: { allowed: false, retryAfterMs: Math.ceil(start - now - tolerance) }, tat: start, expiresInMs: start - now };
  const next = start + interval;
  return { decision: { allowed: true }, tat: next, expiresInMs: next - now };
}
