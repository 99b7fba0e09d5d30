/**
 * The loop's work before the bulk, in one analyzer. A remedy waits on the symptoms, outcomes and
 * resolved alerts (each a few KV round trips), while the sample batches of a 1,000-target second
 * are a few hundred milliseconds of scoring and megabytes of checkpoints on the same event loop
 * and NATS connection, which the round trips waited behind (ADR 0018). Loop work is marked while
 * it runs ({@link run}); the scoring of each target and each slice of a checkpoint flush first
 * wait until none runs ({@link clear}), for at most `maxWaitMs`, so that a storm of symptoms
 * slows the telemetry down but never stops it.
 */
export class LoopFirst {
  private running = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly maxWaitMs: number) {}

  /** Runs `work` as loop work: bulk work that asks meanwhile waits for it. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      if (--this.running === 0) for (const release of [...this.waiting]) release();
    }
  }

  /**
   * Undefined when no loop work runs (go on at once, without a turn of the event loop); else a
   * promise that resolves when none runs, or after `maxWaitMs`.
   */
  clear(): Promise<void> | undefined {
    if (this.running === 0) return undefined;
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.waiting.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.maxWaitMs);
      this.waiting.add(release);
    });
  }

  /** Loop work running now. */
  get busy(): boolean {
    return this.running > 0;
  }
}
