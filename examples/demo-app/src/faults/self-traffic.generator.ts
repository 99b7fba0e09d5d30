/**
 * The app's own background load: a few requests per second to its `/api/work`, so the error-ratio
 * and latency gauges move without anyone running a load generator.
 */
export class SelfTraffic {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private rps: number;

  constructor(
    private readonly url: string,
    private readonly baseRps: number,
    private readonly maxInFlight = 50,
  ) {
    this.rps = baseRps;
  }

  start(): void {
    this.schedule();
  }

  /** Lowers (never raises) the rate; 0 stops it. Returns the new rate. */
  limit(maxRps: number): number {
    this.rps = Math.min(this.rps, Math.max(0, maxRps));
    this.schedule();
    return this.rps;
  }

  /** Back to the configured rate. */
  restore(): void {
    this.rps = this.baseRps;
    this.schedule();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  status(): { rps: number; baseRps: number; inFlight: number } {
    return { rps: this.rps, baseRps: this.baseRps, inFlight: this.inFlight };
  }

  private schedule(): void {
    this.stop();
    if (this.rps <= 0) return;
    this.timer = setInterval(() => this.fire(), Math.max(10, Math.round(1000 / this.rps)));
    this.timer.unref();
  }

  private fire(): void {
    if (this.inFlight >= this.maxInFlight) return;
    this.inFlight += 1;
    void fetch(this.url, { signal: AbortSignal.timeout(60_000) })
      .then((response) => response.arrayBuffer())
      .catch(() => undefined) // the server already counted the failure
      .finally(() => {
        this.inFlight -= 1;
      });
  }
}
