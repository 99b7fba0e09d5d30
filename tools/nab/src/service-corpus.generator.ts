import type { CorpusFile } from './corpus.reader.js';
import { labelWindowRows } from './label-windows.js';
import { probationaryLength } from './nab.scorer.js';
import { SeededRandom, deriveSeed } from './seeded-random.js';
import { MetricFamily, generateMetric, type MetricSeries } from './service-metric.model.js';

/** The anomalies the corpus labels: the kinds of trouble a service's metrics show. */
export const AnomalyKind = {
  /** Memory (or connections) climbing steadily until the process restarts. */
  leakRamp: 'leakRamp',
  /** Latency rising gradually to a multiple of normal and staying there. */
  latencyCreep: 'latencyCreep',
  /** The metric pinned at its ceiling (CPU 100 %, pool exhausted, requests timing out). */
  saturationPlateau: 'saturationPlateau',
  /** Errors an order of magnitude above normal for a few to a few dozen samples. */
  errorBurst: 'errorBurst',
  /** Traffic suddenly down to a fraction of what this time of day and week brings. */
  trafficDrop: 'trafficDrop',
  /** The value frozen: a stuck exporter or a hung process reporting its last value. */
  flatline: 'flatline',
} as const;
export type AnomalyKind = (typeof AnomalyKind)[keyof typeof AnomalyKind];

/** One file of the corpus: which metric, how often sampled, how long, and which anomalies in which order. */
export interface SeriesPlan {
  readonly family: MetricFamily;
  readonly intervalSeconds: number;
  readonly rows: number;
  readonly anomalies: readonly AnomalyKind[];
}

/** An anomaly as generated: its kind, its labelled (onset) row and how many rows it lasts. */
export interface GeneratedAnomaly {
  readonly kind: AnomalyKind;
  readonly row: number;
  readonly duration: number;
}

/** The generated corpus: files in NAB's shape (windows included) and the anomalies behind the labels. */
export interface GeneratedCorpus {
  readonly seed: number;
  readonly files: readonly CorpusFile[];
  readonly anomalies: Readonly<Record<string, readonly GeneratedAnomaly[]>>;
}

/** The seed the benchmark figures are reported for. */
export const defaultCorpusSeed = 20_261;

const category: Record<MetricFamily, string> = {
  requestRate: 'serviceTraffic',
  latency: 'serviceLatency',
  memory: 'serviceMemory',
  cpu: 'serviceCpu',
  errorRatio: 'serviceErrors',
  connections: 'serviceConnections',
};

const stem: Record<MetricFamily, string> = {
  requestRate: 'requests_per_second',
  latency: 'latency_p95_ms',
  memory: 'memory_rss_mb',
  cpu: 'cpu_percent',
  errorRatio: 'error_ratio',
  connections: 'connections_in_use',
};

const { requestRate, latency, memory, cpu, errorRatio, connections } = MetricFamily;
const { leakRamp, latencyCreep, saturationPlateau, errorBurst, trafficDrop, flatline } = AnomalyKind;
const s10 = 10;
const s30 = 30;
const m1 = 60;
const m5 = 300;
const m15 = 900;
const h1 = 3600;
const plan = (family: MetricFamily, intervalSeconds: number, rows: number, anomalies: readonly AnomalyKind[] = []): SeriesPlan => ({
  family,
  intervalSeconds,
  rows,
  anomalies,
});

/**
 * The corpus: 6 files per metric family with one to three anomalies each, plus 6 files with none;
 * sampled every 10 s to 1 h, 2,000 to 10,080 rows (about 14 hours to 100 days).
 */
export const serviceCorpusPlan: readonly SeriesPlan[] = [
  plan(requestRate, m5, 8640, [trafficDrop, trafficDrop]),
  plan(requestRate, m1, 10_080, [flatline]),
  plan(requestRate, m15, 4032, [trafficDrop, flatline, trafficDrop]),
  plan(requestRate, h1, 2400, [trafficDrop]),
  plan(requestRate, s30, 6000, [flatline, trafficDrop]),
  plan(requestRate, m5, 4032, [trafficDrop]),
  plan(latency, m1, 7200, [latencyCreep]),
  plan(latency, m5, 6048, [latencyCreep, saturationPlateau]),
  plan(latency, s10, 5000, [saturationPlateau]),
  plan(latency, m15, 3000, [latencyCreep, latencyCreep]),
  plan(latency, s30, 8000, [latencyCreep, saturationPlateau]),
  plan(latency, h1, 2500, [latencyCreep]),
  plan(memory, m1, 8000, [leakRamp]),
  plan(memory, s10, 6000, [leakRamp, flatline]),
  plan(memory, m5, 5000, [leakRamp, leakRamp]),
  plan(memory, m15, 3500, [flatline]),
  plan(memory, s30, 10_000, [leakRamp]),
  plan(memory, h1, 2000, [leakRamp, flatline]),
  plan(cpu, m5, 7000, [saturationPlateau]),
  plan(cpu, m1, 6000, [saturationPlateau, flatline]),
  plan(cpu, s10, 4500, [flatline]),
  plan(cpu, m15, 4000, [saturationPlateau, saturationPlateau]),
  plan(cpu, h1, 3000, [saturationPlateau]),
  plan(cpu, s30, 7000, [flatline, saturationPlateau]),
  plan(errorRatio, m1, 9000, [errorBurst, errorBurst]),
  plan(errorRatio, m5, 6000, [errorBurst]),
  plan(errorRatio, s10, 7000, [errorBurst, flatline]),
  plan(errorRatio, m15, 3000, [errorBurst]),
  plan(errorRatio, s30, 5000, [errorBurst, errorBurst, errorBurst]),
  plan(errorRatio, h1, 2200, [flatline]),
  plan(connections, m5, 6000, [saturationPlateau]),
  plan(connections, m1, 8000, [leakRamp]),
  plan(connections, s10, 5000, [saturationPlateau, leakRamp]),
  plan(connections, m15, 3200, [leakRamp]),
  plan(connections, s30, 6500, [saturationPlateau]),
  plan(connections, h1, 2600, [leakRamp, saturationPlateau]),
  plan(requestRate, m5, 5000),
  plan(latency, m1, 6000),
  plan(memory, s30, 5000),
  plan(cpu, m15, 3000),
  plan(errorRatio, m1, 4000),
  plan(connections, h1, 2000),
];

const intervalLabel = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;

/** `YYYY-MM-DD HH:MM:SS` in UTC, as NAB's data files write timestamps. */
export const formatTimestamp = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Onset rows: one per anomaly, each drawn from the middle of its own share of the rows after the
 * probationary period and a fifth of the file (so the normal pattern, daily cycle included, has
 * been seen first), far enough from the end that the anomaly and its window fit.
 */
const placeOnsets = (random: SeededRandom, rows: number, count: number, half: number): number[] => {
  const earliest = Math.max(probationaryLength(rows) + half + 1, Math.floor(0.2 * rows));
  const latest = rows - Math.ceil(1.7 * half) - 2;
  const share = (latest - earliest) / count;
  return Array.from({ length: count }, (_, k) => Math.floor(earliest + share * (k + random.uniform(0.2, 0.8))));
};

/** A duration in rows between `low` and `high` halves of a window, at least 2 rows. */
const rowsOf = (random: SeededRandom, half: number, low: number, high: number): number =>
  Math.max(2, Math.round(half * random.uniform(low, high)));

/** Writes one anomaly into `values` from `onset`; returns how many rows it lasts. */
const applyAnomaly = (
  kind: AnomalyKind,
  values: Float64Array,
  metric: MetricSeries,
  onset: number,
  half: number,
  random: SeededRandom,
): number => {
  const room = values.length - onset;
  const last = (duration: number): number => Math.min(duration, room);
  switch (kind) {
    case AnomalyKind.trafficDrop: {
      const duration = last(rowsOf(random, half, 0.4, 1.2));
      const factor = random.uniform(0.25, 0.6);
      for (let k = 0; k < duration; k++) values[onset + k] = (values[onset + k] ?? 0) * factor;
      return duration;
    }
    case AnomalyKind.flatline: {
      const duration = last(rowsOf(random, half, 0.3, 1.2));
      const stuck = values[onset - 1] ?? 0;
      for (let k = 0; k < duration; k++) values[onset + k] = stuck;
      return duration;
    }
    case AnomalyKind.leakRamp: {
      // Climbs linearly; a process restart at the end brings it back to normal.
      const duration = last(rowsOf(random, half, 0.7, 1.1));
      for (let k = 0; k < duration; k++) {
        values[onset + k] = Math.min(metric.saturation, (values[onset + k] ?? 0) + (metric.leakRise * (k + 1)) / duration);
      }
      return duration;
    }
    case AnomalyKind.latencyCreep: {
      const ramp = rowsOf(random, half, 0.2, 0.6);
      const duration = last(Math.max(ramp + rowsOf(random, half, 0.2, 0.4), rowsOf(random, half, 0.6, 1.4)));
      const factor = random.uniform(1.8, 3.5);
      for (let k = 0; k < duration; k++) values[onset + k] = (values[onset + k] ?? 0) * (1 + (factor - 1) * Math.min(1, (k + 1) / ramp));
      return duration;
    }
    case AnomalyKind.saturationPlateau: {
      const rise = random.integer(1, Math.max(1, Math.round(0.05 * half)));
      const duration = last(rowsOf(random, half, 0.3, 1.2));
      for (let k = 0; k < duration; k++) {
        const pinned = metric.saturation * (1 - metric.saturationJitter * Math.abs(random.normal()));
        const toward = Math.min(1, (k + 1) / rise);
        values[onset + k] = (values[onset + k] ?? 0) * (1 - toward) + pinned * toward;
      }
      return duration;
    }
    case AnomalyKind.errorBurst: {
      const duration = last(random.integer(3, Math.max(4, Math.min(40, Math.round(0.4 * half)))));
      const level = Math.min(0.8 * metric.saturation, Math.max(metric.typical * random.uniform(8, 40), 0.02));
      for (let k = 0; k < duration; k++) values[onset + k] = Math.min(metric.saturation, level * Math.exp(0.25 * random.normal()));
      return duration;
    }
  }
};

/** Generates one file of the plan: timestamps, values with their anomalies, windows as NAB computes them. */
const generateFile = (seed: number, seriesPlan: SeriesPlan, index: number): { file: CorpusFile; anomalies: GeneratedAnomaly[] } => {
  const name = `${stem[seriesPlan.family]}_${intervalLabel(seriesPlan.intervalSeconds)}_${String(index + 1).padStart(2, '0')}`;
  const directory = seriesPlan.anomalies.length === 0 ? 'serviceNoAnomaly' : category[seriesPlan.family];
  const key = `${directory}/${name}.csv`;
  const random = new SeededRandom(deriveSeed(seed, key));
  const { rows, intervalSeconds } = seriesPlan;
  // A Monday in January 2025, shifted by up to a week and a day so files start on different days and hours.
  const start = Date.UTC(2025, 0, 6) + random.integer(0, 6) * 86_400_000 + random.integer(0, 23) * 3_600_000;
  const epochMs = Float64Array.from({ length: rows }, (_, i) => start + i * intervalSeconds * 1000);
  const metric = generateMetric(seriesPlan.family, random, epochMs);
  const values = Float64Array.from(metric.values);
  const count = seriesPlan.anomalies.length;
  const half = count === 0 ? 0 : Math.floor(Math.floor((0.1 * rows) / count) / 2);
  const onsets = count === 0 ? [] : placeOnsets(random, rows, count, half);
  const anomalies = seriesPlan.anomalies.map((kind, k) => {
    const row = onsets[k] ?? 0;
    return { kind, row, duration: applyAnomaly(kind, values, metric, row, half, random) };
  });
  for (let i = 0; i < rows; i++) values[i] = metric.round(values[i] ?? 0);
  const timestamps = Array.from(epochMs, formatTimestamp);
  const windows = labelWindowRows(
    rows,
    anomalies.map((anomaly) => anomaly.row),
  ).map(([first, last]) => [timestamps[first] ?? '', timestamps[last] ?? ''] as const);
  return { file: { key, category: directory, name, timestamps, epochMs, values, windows }, anomalies };
};

/**
 * Generates the service-metrics corpus from a seed: the same seed gives the same files, values and
 * labels, byte for byte. Files are sorted by key, as `readCorpus` returns a corpus read from disk.
 */
export const generateServiceCorpus = (
  seed: number = defaultCorpusSeed,
  seriesPlans: readonly SeriesPlan[] = serviceCorpusPlan,
): GeneratedCorpus => {
  const generated = seriesPlans.map((seriesPlan, index) => generateFile(seed, seriesPlan, index));
  generated.sort((a, b) => (a.file.key < b.file.key ? -1 : a.file.key > b.file.key ? 1 : 0));
  return {
    seed,
    files: generated.map((entry) => entry.file),
    anomalies: Object.fromEntries(generated.map((entry) => [entry.file.key, entry.anomalies])),
  };
};
