import { RemedyFailedError } from './agent.errors.js';
import type { RemedyHandler } from './remedy.js';

/** Memory before and after a full collection. "Freed" values are negative when memory grew. */
export interface GarbageCollectionReport {
  readonly heapUsedFreedBytes: number;
  readonly externalFreedBytes: number;
  readonly rssFreedBytes: number;
  readonly rssBytes: number;
}

/** True when the process runs with `--expose-gc`. */
export function canCollectGarbage(): boolean {
  return typeof globalThis.gc === 'function';
}

/**
 * Runs a full, synchronous major collection and measures what it released, or returns undefined
 * when `global.gc` is not exposed. Collects twice: V8 may free ArrayBuffer backing stores (Buffers)
 * on a background sweeper after the first pass, and the second pass waits for that sweep.
 */
export function collectGarbage(): GarbageCollectionReport | undefined {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return undefined;
  const before = process.memoryUsage();
  gc();
  gc();
  const after = process.memoryUsage();
  return {
    heapUsedFreedBytes: before.heapUsed - after.heapUsed,
    externalFreedBytes: before.external - after.external,
    rssFreedBytes: before.rss - after.rss,
    rssBytes: after.rss,
  };
}

const MB = 1024 * 1024;

/** The built-in `collect_garbage` remedy. Fails (remedy_failed) when the process lacks `--expose-gc`. */
export const collectGarbageRemedy: RemedyHandler = () => {
  const report = collectGarbage();
  if (!report) throw new RemedyFailedError('global.gc is not exposed: start node with --expose-gc');
  return {
    detail: `full GC freed ${(report.heapUsedFreedBytes / MB).toFixed(1)} MB of heap, ${(report.rssFreedBytes / MB).toFixed(1)} MB of RSS`,
    effects: { ...report },
  };
};
