import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 1000 };

  it('doubles the delay per attempt around the middle of its jitter range', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, policy, () => 0.5))).toEqual([100, 200, 400, 800]);
  });

  it('spreads each delay between half and one and a half of the base', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(100);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(300);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(backoffDelay(50, policy, () => 0.999)).toBe(1000);
  });
});
