import type { ManagedProcess } from './managed-process.js';

/** One process of the stack, with the way to start it and know it is ready. */
export interface StackComponent {
  readonly process: ManagedProcess;
  /** Spawns the process and resolves once it is ready; rejects naming it, with its last output, otherwise. */
  start(timeoutMs: number): Promise<void>;
}
