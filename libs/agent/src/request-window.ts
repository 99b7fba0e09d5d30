/** What the agent's request gauges show: the requests recorded in the last window. */
export interface RequestWindowSnapshot {
  readonly requests: number;
  readonly errors: number;
  /** errors / requests; 0 when there were no requests. */
  readonly errorRatio: number;
  /** Nearest-rank 95th percentile of the durations, in seconds; 0 when there were no requests. */
  readonly p95Seconds: number;
}

export interface RequestWindowOptions {
  /** Default 30 000 ms. */
  readonly windowMs?: number;
  /** Ring capacity; beyond it the oldest requests are forgotten early. Default 50 000. */
  readonly maxSamples?: number;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly now?: () => number;
}

/**
 * Requests over a sliding time window, kept in a fixed-size ring so memory stays bounded under
 * any load. Recording is O(1); a snapshot sorts the live durations (fine at scrape rate).
 */
export class RequestWindow {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly times: Float64Array;
  private readonly durations: Float64Array;
  private readonly failed: Uint8Array;
  private head = 0; // next slot to write
  private size = 0;

  constructor(options: RequestWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
    const capacity = options.maxSamples ?? 50_000;
    if (!(this.windowMs > 0) || !Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('windowMs and maxSamples must be positive');
    this.times = new Float64Array(capacity);
    this.durations = new Float64Array(capacity);
    this.failed = new Uint8Array(capacity);
  }

  record(durationMs: number, ok: boolean): void {
    const capacity = this.times.length;
    this.times[this.head] = this.now();
    this.durations[this.head] = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
    this.failed[this.head] = ok ? 0 : 1;
    this.head = (this.head + 1) % capacity;
    if (this.size < capacity) this.size += 1;
  }

  snapshot(): RequestWindowSnapshot {
    this.prune();
    const capacity = this.times.length;
    const live = new Float64Array(this.size);
    let errors = 0;
    let slot = (this.head - this.size + capacity) % capacity;
    for (let i = 0; i < this.size; i += 1) {
      live[i] = this.durations[slot] ?? 0;
      errors += this.failed[slot] ?? 0;
      slot = (slot + 1) % capacity;
    }
    const requests = this.size;
    if (requests === 0) return { requests, errors, errorRatio: 0, p95Seconds: 0 };
    live.sort();
    const rank = Math.max(0, Math.ceil(0.95 * requests) - 1);
    return { requests, errors, errorRatio: errors / requests, p95Seconds: (live[rank] ?? 0) / 1000 };
  }

  private prune(): void {
    const capacity = this.times.length;
    const oldest = this.now() - this.windowMs;
    while (this.size > 0) {
      const tail = (this.head - this.size + capacity) % capacity;
      if ((this.times[tail] ?? 0) > oldest) return;
      this.size -= 1;
    }
  }
}
