/** One reading of the process's CPU time at a monotonic instant. */
export interface CpuReading {
  readonly atMs: number;
  readonly usage: NodeJS.CpuUsage;
}

/**
 * Process CPU % between two readings: (user + system CPU time) / wall time × 100. Counts every
 * thread of the process (worker threads included), so it can exceed 100 on several cores, like
 * `top` and psutil's `Process.cpu_percent`.
 */
export function cpuPercent(previous: CpuReading, current: CpuReading): number {
  const wallMicros = (current.atMs - previous.atMs) * 1000;
  if (wallMicros <= 0) return 0;
  const cpuMicros = current.usage.user - previous.usage.user + (current.usage.system - previous.usage.system);
  return Math.max(0, (cpuMicros / wallMicros) * 100);
}

export interface CpuUsageSamplerOptions {
  /** How far back `percent()` looks. Default 1000 ms. */
  readonly spanMs?: number;
  /** How often a reading is kept. Default 250 ms. */
  readonly everyMs?: number;
  readonly read?: () => CpuReading;
}

const readProcess = (): CpuReading => ({ atMs: performance.now(), usage: process.cpuUsage() });

/**
 * Keeps a few recent readings so `percent()` can answer "CPU % over the last second" at scrape
 * time without blocking. The timer is unref'd: it never keeps the process alive.
 */
export class CpuUsageSampler {
  private readonly spanMs: number;
  private readonly everyMs: number;
  private readonly read: () => CpuReading;
  private readings: CpuReading[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: CpuUsageSamplerOptions = {}) {
    this.spanMs = options.spanMs ?? 1000;
    this.everyMs = options.everyMs ?? 250;
    this.read = options.read ?? readProcess;
  }

  start(): void {
    if (this.timer) return;
    this.keep(this.read());
    this.timer = setInterval(() => this.keep(this.read()), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** CPU % from the newest reading at least `spanMs` old (or the oldest one) to now. */
  percent(): number {
    const now = this.read();
    let base: CpuReading | undefined;
    for (const reading of this.readings) {
      if (now.atMs - reading.atMs >= this.spanMs) base = reading;
    }
    base ??= this.readings[0];
    return base ? cpuPercent(base, now) : 0;
  }

  private keep(reading: CpuReading): void {
    this.readings.push(reading);
    const keep = Math.ceil(this.spanMs / this.everyMs) + 2;
    if (this.readings.length > keep) this.readings.splice(0, this.readings.length - keep);
  }
}
