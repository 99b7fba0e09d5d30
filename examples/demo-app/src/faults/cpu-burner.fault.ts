import { Worker } from 'node:worker_threads';

// CommonJS (eval) worker: spin until the deadline, checking the clock now and then.
const BUSY_LOOP = `
const { workerData } = require('node:worker_threads');
const end = Date.now() + workerData.durationMs;
let x = 0;
while (Date.now() < end) { for (let i = 0; i < 100000; i += 1) x += Math.sqrt(i); }
`;

/** The "CPU overload": worker threads busy-looping, so process CPU % goes far above 75. */
export class CpuBurner {
  private readonly workers = new Set<Worker>();
  private endsAt: number | undefined;

  start(durationSeconds: number, threads: number): { workers: number; endsAt: string } {
    const durationMs = durationSeconds * 1000;
    for (let i = 0; i < threads; i += 1) {
      const worker = new Worker(BUSY_LOOP, { eval: true, workerData: { durationMs } });
      this.workers.add(worker);
      worker.once('exit', () => this.workers.delete(worker));
      worker.once('error', () => this.workers.delete(worker));
    }
    this.endsAt = Math.max(this.endsAt ?? 0, Date.now() + durationMs);
    return { workers: this.workers.size, endsAt: new Date(this.endsAt).toISOString() };
  }

  /** Terminates every worker; resolves once they are gone. */
  async stop(): Promise<number> {
    const workers = [...this.workers];
    this.workers.clear();
    this.endsAt = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
    return workers.length;
  }

  status(): { workers: number; endsAt: string | null } {
    return {
      workers: this.workers.size,
      endsAt: this.workers.size > 0 && this.endsAt !== undefined ? new Date(this.endsAt).toISOString() : null,
    };
  }
}
