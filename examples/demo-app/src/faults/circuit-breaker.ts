export const CircuitState = { closed: 'closed', open: 'open', halfOpen: 'half_open' } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 10. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial request. Default 30 000 ms. */
  readonly cooldownMs?: number;
  readonly now?: () => number;
}

/**
 * Guards `/api/work`'s dependency: after enough consecutive failures it fails fast (503) for a
 * cooldown, then lets one trial through. Injected failures open it, so the error ratio stays high
 * until it cools down or `reset_circuit_breaker` closes it.
 */
export class CircuitBreaker {
  private state: CircuitState = CircuitState.closed;
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 10;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** May a request go to the dependency now? */
  allow(): boolean {
    if (this.state === CircuitState.closed) return true;
    if (this.state === CircuitState.open && this.now() - this.openedAt >= this.cooldownMs) this.state = CircuitState.halfOpen;
    if (this.state === CircuitState.halfOpen && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.state = CircuitState.closed;
  }

  failure(): void {
    this.failures += 1;
    this.trialInFlight = false;
    if (this.state === CircuitState.halfOpen || this.failures >= this.threshold) {
      this.state = CircuitState.open;
      this.openedAt = this.now();
    }
  }

  /** Closes the circuit and forgets the failures; returns the state it was in. */
  reset(): CircuitState {
    const before = this.current;
    this.success();
    return before;
  }

  get current(): CircuitState {
    if (this.state === CircuitState.open && this.now() - this.openedAt >= this.cooldownMs) return CircuitState.halfOpen;
    return this.state;
  }

  status(): { state: CircuitState; consecutiveFailures: number } {
    return { state: this.current, consecutiveFailures: this.failures };
  }
}
