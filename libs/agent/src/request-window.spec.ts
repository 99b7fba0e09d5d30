import { describe, expect, it } from '@jest/globals';
import { RequestWindow } from './request-window.js';

function clock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('RequestWindow', () => {
  it('reports zero ratio and latency when no request was recorded', () => {
    expect(new RequestWindow().snapshot()).toEqual({ requests: 0, errors: 0, errorRatio: 0, p95Seconds: 0 });
  });

  it('computes the error ratio and the nearest-rank p95 of the recorded requests', () => {
    const window = new RequestWindow({ now: clock().now });
    for (let i = 1; i <= 100; i += 1) window.record(i * 10, i % 4 !== 0);
    const snapshot = window.snapshot();
    expect(snapshot.requests).toBe(100);
    expect(snapshot.errors).toBe(25);
    expect(snapshot.errorRatio).toBe(0.25);
    expect(snapshot.p95Seconds).toBe(0.95);
  });

  it('forgets requests older than the window', () => {
    const time = clock();
    const window = new RequestWindow({ windowMs: 30_000, now: time.now });
    window.record(5000, false);
    time.advance(20_000);
    window.record(10, true);
    expect(window.snapshot()).toMatchObject({ requests: 2, errorRatio: 0.5 });
    time.advance(10_001);
    expect(window.snapshot()).toEqual({ requests: 1, errors: 0, errorRatio: 0, p95Seconds: 0.01 });
    time.advance(30_000);
    expect(window.snapshot().requests).toBe(0);
  });

  it('keeps only the newest requests when more arrive than the ring holds', () => {
    const window = new RequestWindow({ maxSamples: 3, now: clock().now });
    window.record(1, false);
    for (let i = 0; i < 3; i += 1) window.record(1000, true);
    expect(window.snapshot()).toEqual({ requests: 3, errors: 0, errorRatio: 0, p95Seconds: 1 });
  });
});
