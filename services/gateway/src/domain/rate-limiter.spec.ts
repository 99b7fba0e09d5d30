import { describe, expect, it } from '@jest/globals';
import { RateLimiter } from './rate-limiter.js';

describe('the per-client rate limiter', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    const limiter = new RateLimiter({ perMinute: 60, burst: 3 });
    expect([1, 2, 3].map(() => limiter.take('key:a', 0).allowed)).toEqual([true, true, true]);
    expect(limiter.take('key:a', 0)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(limiter.take('key:a', 400)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(limiter.take('key:a', 1000).allowed).toBe(true);
  });

  it('keeps clients apart', () => {
    const limiter = new RateLimiter({ perMinute: 60, burst: 1 });
    expect(limiter.take('key:a', 0).allowed).toBe(true);
    expect(limiter.take('key:a', 0).allowed).toBe(false);
    expect(limiter.take('ip:10.0.0.1', 0).allowed).toBe(true);
  });

  it('refills up to the burst, never beyond it', () => {
    const limiter = new RateLimiter({ perMinute: 600, burst: 2 });
    limiter.take('c', 0);
    limiter.take('c', 0);
    const afterAnHour = 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('c', afterAnHour).allowed)).toEqual([true, true, false]);
  });

  it('bounds the clients it tracks, dropping idle ones first', () => {
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, maxClients: 2 });
    limiter.take('busy', 0);
    limiter.take('idle', 0);
    // Two seconds later `idle` has refilled completely; `busy` is spent again.
    limiter.take('busy', 2000);
    limiter.take('busy', 2000);
    limiter.take('new', 2000);
    expect(limiter.clients).toBe(2);
    expect(limiter.take('busy', 2000).allowed).toBe(false);
  });
});
