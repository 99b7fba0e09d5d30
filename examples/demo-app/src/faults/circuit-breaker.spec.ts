import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, CircuitState } from './circuit-breaker.js';

function breaker(): { breaker: CircuitBreaker; advance: (ms: number) => void } {
  let now = 0;
  return {
    breaker: new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now }),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and then fails fast', () => {
    const { breaker: b } = breaker();
    b.failure();
    b.failure();
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.current).toBe(CircuitState.open);
    expect(b.allow()).toBe(false);
  });

  it('lets one trial through after the cooldown and closes when it succeeds', () => {
    const { breaker: b, advance } = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    advance(1000);
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
    b.success();
    expect(b.current).toBe(CircuitState.closed);
  });

  it('reopens when the trial fails', () => {
    const { breaker: b, advance } = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    advance(1000);
    b.allow();
    b.failure();
    expect(b.current).toBe(CircuitState.open);
  });

  it('closes at once on reset and reports the state it was in', () => {
    const { breaker: b } = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    expect(b.reset()).toBe(CircuitState.open);
    expect(b.allow()).toBe(true);
  });
});
