import { getJson, isKvConflict, kvKey, type KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import { gcra, type RateDecision, type RateLimit, type RateLimiterPort } from '../domain/rate-limiter.js';

/** How often a take is retried after another replica changed the same client's count first. */
const MAX_ATTEMPTS = 5;

/**
 * The most a replica reserves for one client ahead of its requests, as a share of the burst: the
 * bound of what a client may be refused too early while other replicas hold its tokens unused.
 */
const LEASE_SHARE_OF_BURST = 1 / 16;

export interface SharedRateLimiterOptions {
  /**
   * How long tokens reserved ahead of requests stay with this replica: unused ones are given back
   * to the shared count after this, and it is the horizon of what is reserved (the client's
   * recent rate here × `leaseMs`). Default 100 ms.
   */
  readonly leaseMs?: number;
  readonly now?: () => number;
  /** Called for every take decided on this replica's own count because KV could not be reached. */
  readonly onFallback?: () => void;
}

type Resolve = (decision: RateDecision) => void;
type Refusal = Extract<RateDecision, { allowed: false }>;

/** What this replica knows of one client. */
interface ClientState {
  /** Tokens taken from the shared count and not yet granted. */
  tokens: number;
  /** When `tokens` were reserved; they are valid until `reservedAt + leaseMs`. */
  reservedAt: number;
  /** Top up in the background when `tokens` falls to this. */
  lowWater: number;
  /** Requests granted here in the window that began at `windowStart` (`leaseMs` long), and in the one before. */
  windowStart: number;
  windowGrants: number;
  lastWindowGrants: number;
  lastSeen: number;
  /** The shared count refused the client: refused here without KV until `refusedUntil`, to retry at `retryAt`. */
  refusedUntil: number;
  retryAt: number;
  /** The last value this replica wrote or read, to compare-and-set against without a read first. */
  known: { tat: number; revision: number } | undefined;
  waiting: Resolve[];
  busy: boolean;
}

/**
 * One rate limit for all gateway replicas: each client's GCRA state (one number, see `gcra`) lives
 * in the gateway's KV bucket under `rate.<client>`, changed only by compare-and-set, so two
 * replicas together grant what one would. If the bucket cannot be reached, the replica falls back
 * to its own count (the limit is then per replica) rather than refusing or waving everyone through.
 *
 * A busy client does not cost a KV write per request: a replica reserves tokens in KV ahead of
 * the client's requests (a lease: its recent rate here × `leaseMs`, at most 1/16 of the burst, at
 * most half of what the client has left) and grants from them locally, topping up in the
 * background before they run out. Tokens are always taken from the shared count before they are
 * granted, so the replicas together never grant more than the limit (no overshoot). The price is
 * the other way round: tokens reserved by one replica and not used within `leaseMs` are given
 * back only then, so a client that exhausts its allowance may be refused up to
 * (replicas − 1) × burst/16 requests early, for at most `leaseMs` (docs/reports/load.md §2). A
 * client with little allowance left, or a burst under 16, reserves nothing ahead: every take is
 * then its own compare-and-set, exact, as before.
 *
 * The requests of one client that arrive while its compare-and-set is in flight wait for the next
 * round, and that one decides them all: one write per round, however many requests. A client the
 * shared count refused is refused here without KV for the next `leaseMs`.
 */
export class SharedRateLimiter implements RateLimiterPort {
  private lastWarning = 0;
  private readonly clients = new Map<string, ClientState>();
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly maxLease: number;
  private readonly interval: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly kv: KvBucket,
    private readonly limit: RateLimit,
    private readonly fallback: RateLimiterPort,
    private readonly logger: Logger,
    private readonly options: SharedRateLimiterOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 100;
    this.now = options.now ?? Date.now;
    this.maxLease = Math.floor(limit.burst * LEASE_SHARE_OF_BURST);
    this.interval = 60_000 / limit.perMinute;
    // Gives back the tokens of leases that ran out unused, and forgets idle clients.
    this.sweeper = setInterval(() => this.releaseExpired(), this.leaseMs);
    this.sweeper.unref();
  }

  take(client: string): RateDecision | Promise<RateDecision> {
    const now = this.now();
    let state = this.clients.get(client);
    if (!state) {
      state = {
        tokens: 0,
        reservedAt: 0,
        lowWater: 0,
        windowStart: now,
        windowGrants: 0,
        lastWindowGrants: 0,
        lastSeen: now,
        refusedUntil: 0,
        retryAt: 0,
        known: undefined,
        waiting: [],
        busy: false,
      };
      this.clients.set(client, state);
    }
    state.lastSeen = now;
    const local = this.fromLease(state, now);
    if (local) {
      if (local.allowed && state.tokens <= state.lowWater && !state.busy) void this.rounds(client, state);
      return local;
    }
    const waiting = state;
    return new Promise((resolve) => {
      waiting.waiting.push(resolve);
      if (!waiting.busy) void this.rounds(client, waiting);
    });
  }

  /** Stops the background sweep (tests; the gateway keeps its limiter for its lifetime). */
  close(): void {
    clearInterval(this.sweeper);
  }

  /** A decision from what this replica already holds, or undefined when KV must be asked. */
  private fromLease(state: ClientState, now: number): RateDecision | undefined {
    if (state.refusedUntil > now) return { allowed: false, retryAfterMs: Math.max(1, state.retryAt - now) };
    if (state.tokens > 0 && now - state.reservedAt < this.leaseMs) {
      state.tokens -= 1;
      this.counted(state, now, 1);
      return { allowed: true };
    }
    return undefined;
  }

  /** Rounds until no request of the client waits; with none waiting, one round that only tops up or gives back. */
  private async rounds(client: string, state: ClientState, ahead = true): Promise<void> {
    state.busy = true;
    try {
      let topUp = state.waiting.length === 0;
      for (;;) {
        // Requests that queued while the last round was in flight may be covered by what it reserved.
        while (state.waiting.length > 0) {
          const decision = this.fromLease(state, this.now());
          if (!decision) break;
          state.waiting.shift()?.(decision);
        }
        if (state.waiting.length === 0 && !topUp) return;
        topUp = false;
        const queue = state.waiting;
        state.waiting = [];
        const decisions = await this.round(client, state, queue.length, ahead);
        queue.forEach((resolve, index) => resolve(decisions[index] ?? { allowed: false, retryAfterMs: 1000 }));
      }
    } finally {
      state.busy = false;
    }
  }

  /**
   * Decides `count` requests of one client, in arrival order, and reserves the client's next
   * lease, with one compare-and-set; gives back the tokens of an expired lease in the same write.
   */
  private async round(client: string, state: ClientState, count: number, ahead: boolean): Promise<RateDecision[]> {
    const key = `rate.${kvKey(client)}`;
    const now = this.now();
    // Tokens of a lease that ran out unused go back in this write (or are lost if it fails: never granted twice).
    const unused = now - state.reservedAt >= this.leaseMs ? state.tokens : 0;
    if (unused > 0) state.tokens = 0;
    // What the client was granted here in the last lease time, not counting the requests now
    // waiting: a client's first request reserves nothing ahead, a busy one about a lease's worth.
    this.counted(state, now, 0);
    const wanted = ahead ? Math.min(this.maxLease, Math.max(state.windowGrants, state.lastWindowGrants)) : 0;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        // First against what this replica last wrote (no read when it is the only one writing).
        const known = attempt === 0 ? state.known : undefined;
        const entry = known ? { value: { tat: known.tat }, revision: known.revision } : await getJson<{ tat: number }>(this.kv, key);
        let tat = entry?.value.tat;
        if (tat !== undefined && unused > 0) tat -= unused * this.interval;
        const decisions: RateDecision[] = [];
        for (let index = 0; index < count; index++) {
          const step = gcra(tat, now, this.limit);
          decisions.push(step.decision);
          if (step.decision.allowed) tat = step.tat;
        }
        const reserved = this.reserve(tat, now, wanted);
        tat = reserved.tat;
        const granted = decisions.filter((decision) => decision.allowed).length;
        const refused = decisions.find((decision): decision is Refusal => !decision.allowed);
        if (known && refused) {
          // A refusal is not checked by a compare-and-set: decide it on the stored count, not on ours.
          state.known = undefined;
          continue;
        }
        if ((granted === 0 && reserved.tokens === 0 && unused === 0) || tat === undefined) {
          if (refused) this.remember(state, refused, now);
          return decisions;
        }
        const value = JSON.stringify({ tat });
        const ttl = { ttlMs: Math.max(1000, tat - now) };
        try {
          const revision = entry ? await this.kv.update(key, value, entry.revision, ttl) : await this.kv.create(key, value, ttl);
          state.known = { tat, revision };
          state.tokens += reserved.tokens;
          state.reservedAt = now;
          state.lowWater = Math.floor(reserved.tokens / 4);
          this.counted(state, now, granted);
          if (refused) this.remember(state, refused, now);
          return decisions;
        } catch (error) {
          if (!isKvConflict(error)) throw error;
          // Another replica took from the same client first (or the entry expired): read its count and try again.
          state.known = undefined;
        }
      }
      // Contended beyond reason: the client is hammering several replicas at once.
      return Array.from({ length: count }, () => ({ allowed: false, retryAfterMs: Math.ceil(this.interval) }));
    } catch (error) {
      state.known = undefined;
      if (count > 0) this.options.onFallback?.();
      if (this.now() - this.lastWarning > 60_000) {
        this.lastWarning = this.now();
        this.logger.warn({ err: error }, 'shared rate limit unavailable; counting on this replica alone');
      }
      const decisions: RateDecision[] = [];
      for (let index = 0; index < count; index++) decisions.push(await this.fallback.take(client));
      return decisions;
    }
  }

  /**
   * Tokens to hold ahead of requests: up to `wanted`, and never more than half of what the client
   * has left, so that near its limit the replicas reserve nothing and every take is exact.
   */
  private reserve(tat: number | undefined, now: number, wanted: number): { tat: number | undefined; tokens: number } {
    if (wanted <= 0) return { tat, tokens: 0 };
    const tolerance = this.interval * (this.limit.burst - 1);
    const left = Math.floor((tolerance - (Math.max(tat ?? now, now) - now)) / this.interval) + 1;
    const tokens = Math.max(0, Math.min(wanted, Math.floor(left / 2)));
    if (tokens === 0) return { tat, tokens: 0 };
    return { tat: Math.max(tat ?? now, now) + tokens * this.interval, tokens };
  }

  /** Counts `grants` in the client's rate window, moving the window on when `leaseMs` has passed. */
  private counted(state: ClientState, now: number, grants: number): void {
    if (now - state.windowStart >= this.leaseMs) {
      state.lastWindowGrants = now - state.windowStart < 2 * this.leaseMs ? state.windowGrants : 0;
      state.windowStart = now;
      state.windowGrants = 0;
    }
    state.windowGrants += grants;
  }

  /**
   * A refusal by the shared count holds here without asking KV again for at most `leaseMs` (a
   * client flooding a replica costs one KV read per `leaseMs`, not one per request), not until its
   * Retry-After: tokens another replica gives back may free the client sooner.
   */
  private remember(state: ClientState, refused: Refusal, now: number): void {
    state.retryAt = now + refused.retryAfterMs;
    state.refusedUntil = now + Math.min(refused.retryAfterMs, this.leaseMs);
  }

  /** Gives back the unused tokens of expired leases and forgets idle clients (every `leaseMs`). */
  releaseExpired(): void {
    const now = this.now();
    for (const [client, state] of this.clients) {
      if (state.busy || state.waiting.length > 0) continue;
      const expired = now - state.reservedAt >= this.leaseMs;
      if (expired && state.tokens > 0)
        void this.rounds(client, state, false); // gives the unused tokens back
      else if (expired && state.refusedUntil <= now && now - state.lastSeen >= this.leaseMs) this.clients.delete(client);
    }
  }
}
