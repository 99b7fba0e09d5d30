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
 *
 * The requests of one client that arrive at this replica while its compare-and-set is in flight
 * wait for the next one, and that one decides them all: one read and one write per round, however
 * many requests. Without this, concurrent requests of one key raced each other for the same
 * revision, and under load most of them lost five times and were refused (docs/reports/load.md).
 */
export class SharedRateLimiter implements RateLimiterPort {
  private lastWarning = 0;
  /** Requests waiting for their client's next round. */
  private readonly waiting = new Map<string, Array<(decision: RateDecision) => void>>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly kv: KvBucket,
    private readonly limit: RateLimit,
    private readonly fallback: RateLimiterPort,
    private readonly logger: Logger,
    private readonly onFallback: () => void = () => undefined,
  ) {}

  take(client: string): Promise<RateDecision> {
    return new Promise((resolve) => {
      const queue = this.waiting.get(client);
      if (queue) queue.push(resolve);
      else this.waiting.set(client, [resolve]);
      if (!this.busy.has(client)) void this.rounds(client);
    });
  }

  private async rounds(client: string): Promise<void> {
    this.busy.add(client);
    try {
      for (let queue = this.waiting.get(client); queue; queue = this.waiting.get(client)) {
        this.waiting.delete(client);
        const decisions = await this.takeMany(client, queue.length);
        queue.forEach((resolve, index) => resolve(decisions[index] ?? { allowed: false, retryAfterMs: 1000 }));
      }
    } finally {
      this.busy.delete(client);
    }
  }

  /** Decides `count` requests of one client, in arrival order, with one compare-and-set. */
  private async takeMany(client: string, count: number): Promise<RateDecision[]> {
    const key = `rate.${kvKey(client)}`;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const now = Date.now();
        const entry = await getJson<{ tat: number }>(this.kv, key);
        let tat = entry?.value.tat;
        let expiresInMs = 0;
        let granted = 0;
        const decisions: RateDecision[] = [];
        for (let index = 0; index < count; index++) {
          const step = gcra(tat, now, this.limit);
          decisions.push(step.decision);
          if (!step.decision.allowed) continue;
          tat = step.tat;
          expiresInMs = step.expiresInMs;
          granted += 1;
        }
        if (granted === 0 || tat === undefined) return decisions;
        const value = JSON.stringify({ tat });
        const ttl = { ttlMs: Math.max(1000, expiresInMs) };
        try {
          if (entry) await this.kv.update(key, value, entry.revision, ttl);
          else await this.kv.create(key, value, ttl);
          return decisions;
        } catch (error) {
          if (!isKvConflict(error)) throw error;
          // Another replica took from the same client first: read its count and try again.
        }
      }
      // Contended beyond reason: the client is hammering several replicas at once.
      return Array.from({ length: count }, () => ({ allowed: false, retryAfterMs: Math.ceil(60_000 / this.limit.perMinute) }));
    } catch (error) {
      this.onFallback();
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: error }, 'shared rate limit unavailable; counting on this replica alone');
      }
      const decisions: RateDecision[] = [];
      for (let index = 0; index < count; index++) decisions.push(await this.fallback.take(client));
      return decisions;
    }
  }
}
