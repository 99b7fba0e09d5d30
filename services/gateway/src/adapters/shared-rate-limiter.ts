import { getJson, isKvConflict, kvKey, type KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import { gcra, type RateDecision, type RateLimit, type RateLimiterPort } from '../domain/rate-limiter.js';

/** How often a take is retried after another replica changed the same client's count first. */
const MAX_ATTEMPTS = 5;

/**
 * One rate limit for all gateway replicas: each client's GCRA state (one number, see `gcra`) lives
 * in the gateway's KV bucket under `rate.<client>`, and every take is a compare-and-set of it, so
 * two replicas together grant what one would. An entry expires when its client's allowance is full
 * again. If the bucket cannot be reached, the replica falls back to its own count (the limit is
 * then per replica, as before) rather than refusing or waving everyone through.
 */
export class SharedRateLimiter implements RateLimiterPort {
  private lastWarning = 0;

  constructor(
    private readonly kv: KvBucket,
    private readonly limit: RateLimit,
    private readonly fallback: RateLimiterPort,
    private readonly logger: Logger,
    private readonly onFallback: () => void = () => undefined,
  ) {}

  async take(client: string): Promise<RateDecision> {
    const key = `rate.${kvKey(client)}`;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const now = Date.now();
        const entry = await getJson<{ tat: number }>(this.kv, key);
        const step = gcra(entry?.value.tat, now, this.limit);
        if (!step.decision.allowed) return step.decision;
        const value = JSON.stringify({ tat: step.tat });
        const ttl = { ttlMs: Math.max(1000, step.expiresInMs) };
        try {
          if (entry) await this.kv.update(key, value, entry.revision, ttl);
          else await this.kv.create(key, value, ttl);
          return step.decision;
        } catch (error) {
          if (!isKvConflict(error)) throw error;
          // Another replica took from the same client first: read its count and try again.
        }
      }
      // Contended beyond reason: the client is hammering several replicas at once.
      return { allowed: false, retryAfterMs: Math.ceil(60_000 / this.limit.perMinute) };
    } catch (error) {
      this.onFallback();
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: error }, 'shared rate limit unavailable; counting on this replica alone');
      }
      return this.fallback.take(client);
    }
  }
}
