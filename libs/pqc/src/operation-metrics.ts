import type { Algorithm, BackendName } from './algorithms.constants.js';

export const PqcOperation = {
  keygen: 'keygen',
  sign: 'sign',
  verify: 'verify',
  encapsulate: 'encapsulate',
  decapsulate: 'decapsulate',
  seal: 'seal',
  open: 'open',
} as const;
export type PqcOperation = (typeof PqcOperation)[keyof typeof PqcOperation];

/** One timed operation; services feed it to mapek_pqc_operation_duration_seconds{op,alg,backend}. */
export interface PqcOperationSample {
  readonly op: PqcOperation;
  readonly alg: Algorithm;
  readonly backend: BackendName;
  readonly seconds: number;
}

/** Optional hook; must be cheap and must not throw (exceptions from it are swallowed). */
export type PqcOperationObserver = (sample: PqcOperationSample) => void;

/** Runs `fn`, reporting its duration to `observer` if there is one. */
export function timed<T>(
  observer: PqcOperationObserver | undefined,
  op: PqcOperation,
  alg: Algorithm,
  backend: BackendName,
  fn: () => T,
): T {
  if (observer === undefined) return fn();
  const start = performance.now();
  try {
    return fn();
  } finally {
    const seconds = (performance.now() - start) / 1000;
    try {
      observer({ op, alg, backend, seconds });
    } catch {
      // A metrics hook must never break cryptography.
    }
  }
}
