import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A series the analyzer scores for anomalies. `floor` gates alarms: an anomaly below it is noise
 * an SRE would not want remedied (a p95 latency of 20 ms that is unusual is still fine); `min`/`max`
 * give the detector its scale.
 */
export const watchedSeriesSchema = z.strictObject({
  metric: z.string().min(1),
  min: z.number(),
  max: z.number(),
  floor: z.number(),
  /** Which way is trouble. */
  direction: z.enum(['up', 'down']).default('up'),
});
export type WatchedSeries = z.infer<typeof watchedSeriesSchema>;

const MB = 1024 * 1024;

/** The agent gauges the monitor's static rules watch, with floors well below their thresholds. */
export const defaultWatchedSeries: readonly WatchedSeries[] = [
  { metric: 'process_resident_memory_bytes', min: 0, max: 2048 * MB, floor: 200 * MB, direction: 'up' },
  { metric: 'mapek_agent_cpu_percent', min: 0, max: 400, floor: 40, direction: 'up' },
  { metric: 'mapek_agent_connections_active', min: 0, max: 500, floor: 40, direction: 'up' },
  { metric: 'mapek_agent_error_ratio', min: 0, max: 1, floor: 0.03, direction: 'up' },
  { metric: 'mapek_agent_request_latency_p95_seconds', min: 0, max: 10, floor: 0.25, direction: 'up' },
];

export function loadWatchedSeries(path: string | undefined): WatchedSeries[] {
  if (!path) return [...defaultWatchedSeries];
  const parsed = z
    .array(watchedSeriesSchema)
    .min(1)
    .safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`watched series file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** One value per watched metric: the worst across label sets (the max when up is trouble). */
export function pickValues(
  series: readonly WatchedSeries[],
  samples: ReadonlyArray<{ metric: string; value: number }>,
): Map<string, number> {
  const values = new Map<string, number>();
  for (const watched of series) {
    for (const sample of samples) {
      if (sample.metric !== watched.metric || !Number.isFinite(sample.value)) continue;
      const current = values.get(watched.metric);
      const worse = current === undefined || (watched.direction === 'up' ? sample.value > current : sample.value < current);
      if (worse) values.set(watched.metric, sample.value);
    }
  }
  return values;
}

/**
 * Is this score an alarm worth a symptom? The learned sensitivity (σ, 2.0 by default) scales the
 * score needed: a series whose alarms proved false needs a stronger anomaly next time.
 */
export function isAlarm(watched: WatchedSeries, value: number, score: number, alarmLevel: number, learnedSigma: number): boolean {
  const needed = Math.min(1, alarmLevel * (learnedSigma / 2));
  const beyondFloor = watched.direction === 'up' ? value >= watched.floor : value <= watched.floor;
  return score >= needed && beyondFloor;
}
