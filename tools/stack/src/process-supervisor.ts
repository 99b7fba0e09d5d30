import { backoffDelay, sleep, type BackoffPolicy } from '@mapek/service-kit';
import type { ProcessExit } from './managed-process.js';
import type { StackComponent } from './stack-component.js';

export interface RestartPolicy extends BackoffPolicy {
  /** A run that lasted this long counts as healthy: the next crash starts the backoff again. */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialMs: 500, maxMs: 30_000, stableAfterMs: 60_000 };

function describeExit(exit: ProcessExit): string {
  if (exit.error) return `could not be started (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
}

/**
 * Restarts a process of the stack that ends without being asked to, the way compose's
 * `restart: unless-stopped` or a Kubernetes pod would: with exponential backoff and jitter, a
 * notice per restart, and a count per process. A stop through the stack (`hold`) is not a crash.
 */
export class ProcessSupervisor {
  private readonly generation = new Map<string, number>();
  private readonly restartCounts = new Map<string, number>();
  private readonly abort = new AbortController();

  constructor(
    private readonly notice: (message: string) => void,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {}

  /** How many times the supervisor restarted `name`. */
  restarts(name: string): number {
    return this.restartCounts.get(name) ?? 0;
  }

  /** Watches the current run of `component` (call after every start) and restarts it when it ends on its own. */
  watch(name: string, component: StackComponent, readyTimeoutMs: number): void {
    const generation = (this.generation.get(name) ?? 0) + 1;
    this.generation.set(name, generation);
    void this.supervise(name, generation, component, readyTimeoutMs);
  }

  /** Stop watching `name` until the next `watch` (a stop the stack was asked for). */
  hold(name: string): void {
    this.generation.set(name, (this.generation.get(name) ?? 0) + 1);
  }

  /** Stop watching everything (the stack is stopping). */
  stop(): void {
    this.abort.abort();
  }

  private current(name: string, generation: number): boolean {
    return !this.abort.signal.aborted && this.generation.get(name) === generation;
  }

  private async supervise(name: string, generation: number, component: StackComponent, readyTimeoutMs: number): Promise<void> {
    let attempt = 0;
    let startedAt = Date.now();
    for (;;) {
      const exit = await component.process.exited;
      if (!this.current(name, generation)) return;
      if (Date.now() - startedAt >= this.policy.stableAfterMs) attempt = 0;
      const delay = backoffDelay(attempt, this.policy);
      attempt++;
      const count = (this.restartCounts.get(name) ?? 0) + 1;
      this.restartCounts.set(name, count);
      this.notice(`${name} ${describeExit(exit)}; restarting it in ${delay} ms (restart ${count})`);
      await sleep(delay, this.abort.signal);
      if (!this.current(name, generation)) return;
      startedAt = Date.now();
      try {
        await component.start(readyTimeoutMs);
        this.notice(`${name} is ready again after restart ${count}`);
      } catch (error) {
        this.notice(`${name} did not come back after restart ${count}: ${(error as Error).message.split('\n')[0] ?? ''}`);
        // start() failed: either the process already exited (the loop sees that exit) or it never
        // became ready; make sure it is gone so the next attempt starts from a clean slate.
        if (component.process.running) await component.process.stop('SIGKILL');
      }
    }
  }
}
