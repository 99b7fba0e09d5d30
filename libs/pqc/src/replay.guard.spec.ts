import { describe, expect, it } from '@jest/globals';
import { createReplayGuard } from './replay.guard.js';

describe('replay guard', () => {
  it('remembers an id within the window and forgets it after', () => {
    const guard = createReplayGuard({ windowMs: 30_000, bucketMs: 1_000 });
    const t0 = 1_700_000_000_000;
    guard.record('a', t0, t0);
    expect(guard.seen('a', t0 + 29_000)).toBe(true);
    expect(guard.seen('b', t0 + 29_000)).toBe(false);
    expect(guard.seen('a', t0 + 32_000)).toBe(false);
    expect(guard.size).toBe(0);
  });

  it('keeps memory bounded by the window however many events pass', () => {
    const guard = createReplayGuard({ windowMs: 1_000, bucketMs: 100 });
    for (let now = 0; now < 100_000; now += 1) guard.record(`id-${now}`, now, now);
    expect(guard.size).toBeLessThanOrEqual(1_200);
  });
});
