/** The "request handling failure": a share of `/api/work` requests fail with 500. */
export class FailureInjector {
  private rate = 0;
  private degradedSince: Date | undefined;

  constructor(private readonly random: () => number = Math.random) {}

  setRate(rate: number): void {
    this.rate = rate;
  }

  shouldFail(): boolean {
    return this.rate > 0 && this.random() < this.rate;
  }

  /** Degraded mode: stop calling the failing dependency; answer from what is at hand. */
  enableDegradedMode(): number {
    const before = this.rate;
    this.rate = 0;
    this.degradedSince ??= new Date();
    return before;
  }

  disableDegradedMode(): void {
    this.degradedSince = undefined;
  }

  get degraded(): boolean {
    return this.degradedSince !== undefined;
  }

  status(): { failureRate: number; degraded: boolean; degradedSince: string | null } {
    return { failureRate: this.rate, degraded: this.degraded, degradedSince: this.degradedSince?.toISOString() ?? null };
  }
}
