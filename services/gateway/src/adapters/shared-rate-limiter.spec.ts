import { describe, expect, it } from '@jest/globals';
import type { KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import { RateLimiter } from '../domain/rate-limiter.js';
import { SharedRateLimiter } from './shared-rate-limiter.js';

/** An in-memory bucket with NATS KV's compare-and-set, answering each call on a later turn. */
function memoryBucket() {
  const entries = new Map<string, { value: string; revision: number }>();
  let revision = 0;
  const calls = { reads: 0, writes: 0 };
  const later = () => new Promise<void>((resolve) => setImmediate(resolve));
  const conflict = () => Object.assign(new Error('wrong last sequence'), { code: 10071 });
  const bucket = {
    async get(key: string) {
      calls.reads += 1;
      await later();
      const entry = entries.get(key);
      if (!entry) return null;
      return { operation: 'PUT', length: entry.value.length, revision: entry.revision, json: () => JSON.parse(entry.value) as unknown };
    },
    async create(key: string, value: string) {
      calls.writes += 1;
      await later();
      if (entries.has(key)) throw conflict();
      entries.set(key, { value, revision: ++revision });
      return revision;
    },
    async update(key: string, value: string, expected: number) {
      calls.writes += 1;
      await later();
      if (entries.get(key)?.revision !== expected) throw conflict();
      entries.set(key, { value, revision: ++revision });
      return revision;
    },
  };
  return { bucket: bucket as unknown as KvBucket, calls };
}

const logger = { warn: () => undefined } as unknown as Logger;

describe('SharedRateLimiter', () => {
  it('decides concurrent requests of one client together, so none is refused for racing the others', async () => {
    const { bucket, calls } = memoryBucket();
    const limit = { perMinute: 60_000, burst: 1000 };
    const limiter = new SharedRateLimiter(bucket, limit, new RateLimiter(limit), logger);
    const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.take('key:a')));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(200);
    // The first request's round, then one round for the 199 that waited behind it.
    expect(calls.writes).toBe(2);
  });

  it('still grants no more than the burst to requests decided together', async () => {
    const { bucket } = memoryBucket();
    const limit = { perMinute: 60, burst: 5 };
    const limiter = new SharedRateLimiter(bucket, limit, new RateLimiter(limit), logger);
    const decisions = await Promise.all(Array.from({ length: 12 }, () => limiter.take('key:a')));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    expect(decisions.at(-1)).toMatchObject({ allowed: false });
  });

  it('keeps the count of each client apart', async () => {
    const { bucket } = memoryBucket();
    const limit = { perMinute: 60, burst: 2 };
    const limiter = new SharedRateLimiter(bucket, limit, new RateLimiter(limit), logger);
    const [a1, a2, a3, b1] = await Promise.all([
      limiter.take('key:a'),
      limiter.take('key:a'),
      limiter.take('key:a'),
      limiter.take('key:b'),
    ]);
    expect([a1?.allowed, a2?.allowed, a3?.allowed, b1?.allowed]).toEqual([true, true, false, true]);
  });
});
