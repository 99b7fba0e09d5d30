import { setTimeout as pause } from 'node:timers/promises';

/**
 * Probes until `accept` holds or the deadline passes. For signals that only exist as a gauge
 * (CPU over the last second): each probe reads the real value, nothing is assumed from time.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  options: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`${options.what ?? 'condition'} not reached in time; last value: ${JSON.stringify(last)}`);
    await pause(options.everyMs ?? 100);
    last = await probe();
  }
  return last;
}
