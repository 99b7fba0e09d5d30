import { afterEach, describe, expect, it } from '@jest/globals';
import type { KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import { RateLimiter, type RateLimit } from '../domain/rate-limiter.js';
import { SharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.js';

/** An in-memory bucket with NATS KV's compare-and-set, answering each call on a later turn. */
function memoryBucket() {
  const entries = new Map<string, { value: string; revision: number }>();
  let revision = 0;
  const calls = { reads: 0, writes: 0 };
  let failing = false;
  const later = () => new Promise<void>((resolve) => setImmediate(resolve));
  const conflict = () => Object.assign(new Error('wrong last sequence'), { code: 10071 });
  const unreachable = () => new Error('TIMEOUT');
  const bucket = {
    async get(key: string) {
      calls.reads += 1;
      await later();
      if (failing) throw unreachable();
      const entry = entries.get(key);
      if (!entry) return null;
      return { operation: 'PUT', length: entry.value.length, revision: entry.revision, json: () => JSON.parse(entry.value) as unknown };
    },
    async create(key: string, value: string) {
      calls.writes += 1;
      await later();
      if (failing) throw unreachable();
      if (entries.has(key)) throw conflict();
      entries.set(key, { value, revision: ++revision });
      return revision;
    },
    async update(key: string, value: string, expected: number) {
      calls.writes += 1;
      await later();
      if (failing) throw unreachable();
      if (entries.get(key)?.revision !== expected) throw conflict();
      entries.set(key, { value, revision: ++revision });
      return revision;
    },
  };
  return {
    bucket: bucket as unknown as KvBucket,
    calls,
    tat: (key: string) => (JSON.parse(entries.get(key)?.value ?? '{}') as { tat?: number }).tat,
    fail: (value: boolean) => (failing = value),
  };
}

const logger = { warn: () => undefined } as unknown as Logger;

/** A take as a promise, whether the limiter decided at once or after KV. */
const decide = (limiter: SharedRateLimiter, client: string) => Promise.resolve(limiter.take(client));

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const limiters: SharedRateLimiter[] = [];
function limiterOn(bucket: KvBucket, limit: RateLimit, options: SharedRateLimiterOptions = {}): SharedRateLimiter {
  const limiter = new SharedRateLimiter(bucket, limit, new RateLimiter(limit), logger, options);
  limiters.push(limiter);
  return limiter;
}
afterEach(() => limiters.splice(0).forEach((limiter) => limiter.close()));

const allowed = (decisions: Array<{ allowed: boolean }>) => decisions.filter((decision) => decision.allowed).length;

describe('SharedRateLimiter', () => {
  it('decides concurrent requests of one client together, so none is refused for racing the others', async () => {
    const { bucket, calls } = memoryBucket();
    const limit = { perMinute: 60_000, burst: 1000 };
    const limiter = limiterOn(bucket, limit);
    const decisions = await Promise.all(Array.from({ length: 200 }, () => decide(limiter, 'key:a')));
    expect(allowed(decisions)).toBe(200);
    // The first request's round, then one round for the 199 that waited behind it.
    expect(calls.writes).toBe(2);
  });

  it('still grants no more than the burst to requests decided together', async () => {
    const { bucket } = memoryBucket();
    const limit = { perMinute: 60, burst: 5 };
    const limiter = limiterOn(bucket, limit);
    const decisions = await Promise.all(Array.from({ length: 12 }, () => decide(limiter, 'key:a')));
    expect(allowed(decisions)).toBe(5);
    expect(decisions.at(-1)).toMatchObject({ allowed: false });
  });

  it('keeps the count of each client apart', async () => {
    const { bucket } = memoryBucket();
    const limit = { perMinute: 60, burst: 2 };
    const limiter = limiterOn(bucket, limit);
    const [a1, a2, a3, b1] = await Promise.all([
      decide(limiter, 'key:a'),
      decide(limiter, 'key:a'),
      decide(limiter, 'key:a'),
      decide(limiter, 'key:b'),
    ]);
    expect([a1?.allowed, a2?.allowed, a3?.allowed, b1?.allowed]).toEqual([true, true, false, true]);
  });

  it('grants a busy client from tokens reserved ahead, with far fewer KV writes than requests', async () => {
    const { bucket, calls } = memoryBucket();
    const limit = { perMinute: 6_000_000, burst: 100_000 };
    const limiter = limiterOn(bucket, limit, { leaseMs: 60_000 });
    const decisions = [];
    // One request at a time, as a client on one keep-alive connection sends them.
    for (let request = 0; request < 1000; request++) decisions.push(await decide(limiter, 'key:a'));
    expect(allowed(decisions)).toBe(1000);
    expect(calls.writes).toBeLessThan(50);
  });

  it('never lets two replicas together grant more than the shared burst, and near the limit reserves nothing ahead', async () => {
    const { bucket } = memoryBucket();
    const limit = { perMinute: 1, burst: 320 }; // at most 20 tokens reserved ahead per replica
    const first = limiterOn(bucket, limit, { leaseMs: 60_000 });
    const second = limiterOn(bucket, limit, { leaseMs: 60_000 });
    const decisions = [];
    for (let wave = 0; wave < 20; wave++)
      decisions.push(...(await Promise.all(Array.from({ length: 40 }, (_, index) => decide(index % 2 ? first : second, 'key:a')))));
    expect(allowed(decisions)).toBeLessThanOrEqual(320);
    // What one replica may hold unused while the other is refused: its lease, shrunk near the limit.
    expect(allowed(decisions)).toBeGreaterThanOrEqual(320 - 20);
  });

  it('is exact when the burst is too small to reserve ahead: one key gets its burst once across replicas', async () => {
    const { bucket } = memoryBucket();
    const limit = { perMinute: 1, burst: 8 };
    const first = limiterOn(bucket, limit);
    const second = limiterOn(bucket, limit);
    const statuses = [];
    for (let request = 0; request < 16; request++) statuses.push((await decide(request % 2 ? second : first, 'key:a')).allowed);
    expect(statuses).toEqual([...Array.from({ length: 8 }, () => true), ...Array.from({ length: 8 }, () => false)]);
  });

  it('gives the unused tokens of an expired lease back, so another replica may grant them', async () => {
    const time = clock();
    const { bucket, tat } = memoryBucket();
    const limit = { perMinute: 1, burst: 64 }; // up to 4 ahead
    const first = limiterOn(bucket, limit, { leaseMs: 100, now: time.now });
    const second = limiterOn(bucket, limit, { leaseMs: 100, now: time.now });
    // 60 of the 64 go through the first replica, which then holds the rest ahead.
    await Promise.all(Array.from({ length: 60 }, () => decide(first, 'key:a')));
    await decide(first, 'key:a');
    // The second replica gets what the first does not hold, then is refused.
    expect(allowed(await Promise.all(Array.from({ length: 4 }, () => decide(second, 'key:a'))))).toBeLessThan(4);
    expect((await decide(second, 'key:a')).allowed).toBe(false);
    const held = tat('rate.key_a') ?? 0;
    time.advance(100);
    first.releaseExpired();
    // The give-back is a KV write of its own: wait for the stored count to go down.
    await new Promise<void>((resolve) => {
      const check = () => ((tat('rate.key_a') ?? held) < held ? resolve() : setImmediate(check));
      check();
    });
    expect((await decide(second, 'key:a')).allowed).toBe(true);
  });

  it('refuses a client the shared count refused without asking KV again for the lease time, then asks again', async () => {
    const time = clock();
    const { bucket, calls } = memoryBucket();
    const limiter = limiterOn(bucket, { perMinute: 60, burst: 1 }, { leaseMs: 100, now: time.now });
    expect((await decide(limiter, 'key:a')).allowed).toBe(true);
    expect(await decide(limiter, 'key:a')).toEqual({ allowed: false, retryAfterMs: 1000 });
    const asked = calls.reads + calls.writes;
    expect(await decide(limiter, 'key:a')).toEqual({ allowed: false, retryAfterMs: 1000 });
    time.advance(99);
    expect(await decide(limiter, 'key:a')).toEqual({ allowed: false, retryAfterMs: 901 });
    expect(calls.reads + calls.writes).toBe(asked);
    // After the lease time it asks KV again (another replica may have given tokens back).
    time.advance(1);
    expect(await decide(limiter, 'key:a')).toEqual({ allowed: false, retryAfterMs: 900 });
    expect(calls.reads + calls.writes).toBe(asked + 1);
    time.advance(900);
    expect((await decide(limiter, 'key:a')).allowed).toBe(true);
  });

  it("counts on the replica's own limiter while KV cannot be reached, and says so", async () => {
    const { bucket, fail } = memoryBucket();
    let fallbacks = 0;
    const limiter = limiterOn(bucket, { perMinute: 60, burst: 2 }, { onFallback: () => (fallbacks += 1) });
    fail(true);
    const decisions = [await decide(limiter, 'key:a'), await decide(limiter, 'key:a'), await decide(limiter, 'key:a')];
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, false]);
    expect(fallbacks).toBe(3);
  });
});
