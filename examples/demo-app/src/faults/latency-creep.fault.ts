/** The "latency creep": every request waits a little longer, step by step, up to a ceiling. */
export class LatencyCreep {
  private currentMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private settings: { stepMs: number; everyMs: number; maxMs: number } | undefined;

  start(stepMs: number, everyMs: number, maxMs: number): void {
    this.stopTimer();
    this.settings = { stepMs, everyMs, maxMs };
    this.timer = setInterval(() => {
      this.currentMs = Math.min(maxMs, this.currentMs + stepMs);
      if (this.currentMs >= maxMs) this.stopTimer();
    }, everyMs);
    this.timer.unref();
  }

  /** Stops growing and removes the injected delay; returns the delay it had reached. */
  stop(): number {
    const reached = this.currentMs;
    this.stopTimer();
    this.currentMs = 0;
    this.settings = undefined;
    return reached;
  }

  get delayMs(): number {
    return this.currentMs;
  }

  status(): { delayMs: number; creeping: boolean; stepMs: number | null; everyMs: number | null; maxMs: number | null } {
    return {
      delayMs: this.currentMs,
      creeping: this.timer !== undefined,
      stepMs: this.settings?.stepMs ?? null,
      everyMs: this.settings?.everyMs ?? null,
      maxMs: this.settings?.maxMs ?? null,
    };
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
