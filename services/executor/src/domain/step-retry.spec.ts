import { describe, expect, it } from '@jest/globals';
import { retryAfterMs } from './step-retry.js';

describe('retrying a step', () => {
  it('waits 250 ms doubling per attempt, jittered by half either way, never more than 5 s', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5].map((attempt) => retryAfterMs({ unavailable: true, attempt, retries: 10 }, middle))).toEqual([
      250, 500, 1000, 2000, 4000, 5000,
    ]);
    expect(retryAfterMs({ unavailable: true, attempt: 1, retries: 10 }, () => 0)).toBe(250);
    expect(retryAfterMs({ unavailable: true, attempt: 4, retries: 10 }, () => 0.999)).toBe(5000);
  });

  it('never retries a step the effector ran and reported failed, nor one out of retries', () => {
    expect(retryAfterMs({ unavailable: false, attempt: 0, retries: 3 })).toBeUndefined();
    expect(retryAfterMs({ unavailable: true, attempt: 3, retries: 3 })).toBeUndefined();
  });
});
