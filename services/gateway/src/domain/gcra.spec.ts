import { describe, expect, it } from '@jest/globals';
import { RateLimiter, gcra, type RateLimit } from './rate-limiter.js';

/** Runs a sequence of takes through gcra, carrying the state as a shared store would. */
function takes(limit: RateLimit, at: readonly number[]): boolean[] {
  let tat: number | undefined;
  return at.map((now) => {
    const step = gcra(tat, now, limit);
    if (step.decision.allowed) tat = step.tat;
    return step.decision.allowed;
  });
}

describe('the shared rate limit (GCRA, one number per client)', () => {
  it('allows a burst at once, then one request per interval', () => {
    expect(takes({ perMinute: 60, burst: 3 }, [0, 0, 0, 0, 999, 1000, 1000])).toEqual([true, true, true, false, false, true, false]);
  });

  it('says how long to wait, and how long its state matters', () => {
    const limit = { perMinute: 60, burst: 1 };
    const first = gcra(undefined, 0, limit);
    expect(first).toEqual({ decision: { allowed: true }, tat: 1000, expiresInMs: 1000 });
    expect(gcra(first.tat, 400, limit).decision).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('grants what the local token bucket grants for the same requests', () => {
    const limit = { perMinute: 120, burst: 5 };
    const times = [0, 0, 0, 0, 0, 0, 100, 499, 500, 900, 1000, 1000, 1500, 4000, 4000, 4000, 4000, 4000, 4000];
    const local = new RateLimiter(limit);
    expect(takes(limit, times)).toEqual(times.map((now) => local.take('c', now).allowed));
  });
});
