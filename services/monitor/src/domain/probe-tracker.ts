/**
 * Consecutive-failure counting per probe: one failed probe is noise, N in a row is a symptom.
 * A success resets the count.
 */
export class ProbeTracker {
  private readonly failures = new Map<string, number>();
  constructor(private readonly threshold: number) {}

  /** Records a result; returns the consecutive failure count when it reaches the threshold or beyond. */
  record(probe: string, ok: boolean): number | undefined {
    if (ok) {
      this.failures.delete(probe);
      return undefined;
    }
    const count = (this.failures.get(probe) ?? 0) + 1;
    this.failures.set(probe, count);
    return count >= this.threshold ? count : undefined;
  }

  count(probe: string): number {
    return this.failures.get(probe) ?? 0;
  }

  /** Forgets the probes not in `probes` (a target or probe the configuration no longer has). */
  retain(probes: ReadonlySet<string>): void {
    for (const probe of [...this.failures.keys()]) if (!probes.has(probe)) this.failures.delete(probe);
  }
}
