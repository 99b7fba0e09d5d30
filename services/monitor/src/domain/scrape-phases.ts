import { nameHash } from './name-hash.js';

/**
 * Where in the scrape interval a target is observed. Observing every target at the same instant
 * makes a burst at the start of each interval: a thousand requests at once to the targets, then
 * the monitor, the analyzer, NATS and the targets' host all busy for tens of milliseconds while
 * the loop's other services wait for a core. Each target gets a fixed offset in [0, interval)
 * from its name's hash instead, as Prometheus spreads its scrapes, so the work is spread evenly
 * over the interval; the offset is the same on every replica and after a restart.
 */
export function scrapeOffsetMs(target: string, intervalMs: number): number {
  return Math.floor((mixed(nameHash(target)) / 2 ** 32) * intervalMs);
}

/**
 * The hash with its bits mixed (MurmurHash3's 32-bit finalizer): names that differ in their last
 * characters (`svc-1`, `svc-2`, …) differ mostly in FNV-1a's low bits, which also pick the
 * target's batch partition (SampleBatcher); mixed, they spread over the whole interval.
 */
function mixed(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Whether a target at `offsetMs` came due in (afterMs, uptoMs]: some whole number of intervals
 * plus its offset falls in that span. Due once however long the span, so a stalled event loop
 * does not pile up a target's observations.
 */
export function cameDue(offsetMs: number, intervalMs: number, afterMs: number, uptoMs: number): boolean {
  const latest = Math.floor((uptoMs - offsetMs) / intervalMs) * intervalMs + offsetMs;
  return latest > afterMs;
}
