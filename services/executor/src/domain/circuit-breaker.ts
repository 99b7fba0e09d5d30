/** A circuit breaker's state as stored in KV, so every replica sees the same one. */
export interface BreakerState {
  readonly state: 'closed' | 'open' | 'half_open';
  readonly failures: number;
  readonly openedAt?: number;
}

export const closedBreaker: BreakerState = { state: 'closed', failures: 0 };

/** May a call go through now? An open breaker lets one trial through after `resetMs` (half-open). */
export function admits(breaker: BreakerState, now: number, resetMs: number): { allowed: boolean; next: BreakerState } {
  if (breaker.state === 'open') {
    if (breaker.openedAt !== undefined && now - breaker.openedAt >= resetMs)
      return { allowed: true, next: { ...breaker, state: 'half_open' } };
    return { allowed: false, next: breaker };
  }
  return { allowed: true, next: breaker };
}

export function recordResult(breaker: BreakerState, ok: boolean, now: number, threshold: number): BreakerState {
  if (ok) return closedBreaker;
  const failures = breaker.failures + 1;
  if (breaker.state === 'half_open' || failures >= threshold) return { state: 'open', failures, openedAt: now };
  return { state: 'closed', failures };
}
