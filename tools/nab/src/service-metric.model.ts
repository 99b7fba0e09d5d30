import type { SeededRandom } from './seeded-random.js';

/** The kinds of service metric the corpus holds, each with its own shape and noise. */
export const MetricFamily = {
  requestRate: 'requestRate',
  latency: 'latency',
  memory: 'memory',
  cpu: 'cpu',
  errorRatio: 'errorRatio',
  connections: 'connections',
} as const;
export type MetricFamily = (typeof MetricFamily)[keyof typeof MetricFamily];

/** A metric's normal behaviour, before any anomaly, plus what its anomalies need to know. */
export interface MetricSeries {
  /** Normal values, row for row (seasonality, noise and benign heavy-tailed spikes, no anomaly). */
  readonly values: Float64Array;
  /** Where the metric pins when saturated (CPU 100 %, the pool size, the request timeout). */
  readonly saturation: number;
  /** Small relative jitter of a saturated value (0: exactly pinned). */
  readonly saturationJitter: number;
  /** How far a leak climbs above normal over its whole ramp. */
  readonly leakRise: number;
  /** The typical normal level, for anomalies stated relative to it. */
  readonly typical: number;
  /** Rounds a value to the metric's reporting precision. */
  readonly round: (value: number) => number;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

const roundTo = (decimals: number) => {
  const factor = 10 ** decimals;
  return (value: number): number => Math.round(value * factor) / factor;
};

const logUniform = (random: SeededRandom, low: number, high: number): number => Math.exp(random.uniform(Math.log(low), Math.log(high)));

/**
 * Load over time, mean about 1: a daily business-hours curve (two harmonics, random peak hour and
 * amplitude), a weekend dip and a small day-to-day level wander, both interpolated between day
 * centres so that no step appears at midnight.
 */
export const seasonalLoad = (random: SeededRandom, epochMs: Float64Array, amplitude: number): Float64Array => {
  const peakHour = random.uniform(10, 17);
  const second = random.uniform(0.1, 0.4);
  const weekend = random.uniform(0.55, 0.9);
  const shiftMs = random.integer(-6, 6) * hourMs;
  const first = Math.floor(((epochMs[0] ?? 0) + shiftMs) / dayMs) - 1;
  const last = Math.floor(((epochMs.at(-1) ?? 0) + shiftMs) / dayMs) + 2;
  const dayFactor: number[] = [];
  for (let day = first; day <= last; day++) {
    // Day 0 (1970-01-01) was a Thursday; weekday 0 is Sunday, 6 Saturday.
    const weekday = ((((day % 7) + 7) % 7) + 4) % 7;
    dayFactor.push((1 + 0.04 * random.normal()) * (weekday === 6 || weekday === 0 ? weekend : 1));
  }
  return epochMs.map((time) => {
    const local = time + shiftMs;
    const hour = (((local % dayMs) + dayMs) % dayMs) / hourMs;
    const shape =
      (Math.cos((2 * Math.PI * (hour - peakHour)) / 24) + second * Math.cos((4 * Math.PI * (hour - peakHour)) / 24)) / (1 + second);
    // Interpolate the day factor between day centres (noon).
    const position = (local - dayMs / 2) / dayMs - first;
    const index = Math.floor(position);
    const fraction = position - index;
    const factor = (dayFactor[index] ?? 1) * (1 - fraction) + (dayFactor[index + 1] ?? 1) * fraction;
    return factor * (1 + amplitude * shape);
  });
};

/** Innovations are clipped here (in their own standard deviations): heavy tails, but no noise sample that looks like an outage. */
const innovationClip = 6;

/** Unit-variance AR(1) noise with Student-t innovations (heavy tails; `degrees` 2.5–5), clipped at ±6 σ. */
export const heavyTailedNoise = (random: SeededRandom, rows: number, persistence: number, degrees: number): Float64Array => {
  const out = new Float64Array(rows);
  const innovation = Math.sqrt(1 - persistence * persistence);
  const draw = (): number => Math.max(-innovationClip, Math.min(innovationClip, random.studentT(degrees)));
  let previous = draw();
  for (let i = 0; i < rows; i++) {
    previous = persistence * previous + innovation * draw();
    out[i] = previous;
  }
  return out;
};

/** Benign single-sample spikes (not anomalies): a multiplier ≥ 1 per row, Pareto-distributed when present. */
const benignSpikes = (random: SeededRandom, rows: number, rate: number, alpha: number, cap: number): Float64Array => {
  const out = new Float64Array(rows).fill(1);
  for (let i = 0; i < rows; i++) if (random.next() < rate) out[i] = Math.min(cap, random.pareto(alpha));
  return out;
};

/** Requests per second: strongly seasonal, multiplicative heavy-tailed noise, occasional bursts. */
const requestRate = (random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  const rows = epochMs.length;
  const base = logUniform(random, 20, 3000);
  const load = seasonalLoad(random, epochMs, random.uniform(0.3, 0.75));
  const noise = heavyTailedNoise(random, rows, random.uniform(0.2, 0.7), random.uniform(2.5, 5));
  const sigma = random.uniform(0.03, 0.08);
  const spikes = benignSpikes(random, rows, random.uniform(0.001, 0.005), 3, 1.5);
  const values = load.map((l, i) => base * l * Math.exp(sigma * (noise[i] ?? 0)) * (spikes[i] ?? 1));
  return { values, saturation: base * 2, saturationJitter: 0.01, leakRise: base, typical: base, round: roundTo(2) };
};

/** p95 latency in ms: load-coupled, log-normal heavy-tailed noise and benign tail spikes. */
const latency = (random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  const rows = epochMs.length;
  const base = logUniform(random, 15, 400);
  const coupling = random.uniform(0.1, 0.5);
  const load = seasonalLoad(random, epochMs, random.uniform(0.3, 0.7));
  const noise = heavyTailedNoise(random, rows, random.uniform(0.1, 0.6), random.uniform(2.5, 4.5));
  const sigma = random.uniform(0.06, 0.18);
  const spikes = benignSpikes(random, rows, random.uniform(0.003, 0.01), random.uniform(1.6, 2.5), 3);
  const values = load.map((l, i) => base * (1 + coupling * (l - 1)) * Math.exp(sigma * (noise[i] ?? 0)) * (spikes[i] ?? 1));
  // A timeout well above anything normal: requests that hit it make p95 pin there.
  const timeout = Math.ceil((base * random.uniform(8, 20)) / 100) * 100;
  return { values, saturation: timeout, saturationJitter: 0.01, leakRise: base * 2, typical: base, round: roundTo(1) };
};

/** Resident memory in MB: a garbage-collection sawtooth of random period, small load coupling. */
const memory = (random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  const rows = epochMs.length;
  const base = logUniform(random, 150, 3000);
  const amplitude = base * random.uniform(0.03, 0.12);
  const period = random.integer(15, 120);
  const load = seasonalLoad(random, epochMs, random.uniform(0.1, 0.4));
  const noise = heavyTailedNoise(random, rows, random.uniform(0, 0.5), random.uniform(3, 5));
  const sigma = amplitude * random.uniform(0.03, 0.1);
  const values = new Float64Array(rows);
  let cycleLength = period;
  let phase = random.integer(0, period - 1);
  for (let i = 0; i < rows; i++) {
    if (phase >= cycleLength) {
      phase = 0;
      cycleLength = Math.max(4, Math.round(period * random.uniform(0.7, 1.3)));
    }
    const sawtooth = (amplitude * phase) / cycleLength;
    values[i] = base + sawtooth + base * 0.05 * ((load[i] ?? 1) - 1) + sigma * (noise[i] ?? 0);
    phase++;
  }
  return {
    values,
    saturation: base * 2,
    saturationJitter: 0,
    leakRise: amplitude * random.uniform(1.5, 4),
    typical: base,
    round: roundTo(1),
  };
};

/** CPU percent: follows load, additive heavy-tailed noise and benign bursts, bounded by 0–100. */
const cpu = (random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  const rows = epochMs.length;
  const idle = random.uniform(3, 10);
  const peak = random.uniform(35, 70);
  const amplitude = random.uniform(0.3, 0.7);
  const load = seasonalLoad(random, epochMs, amplitude);
  const slope = (peak - idle) / (1 + amplitude);
  const noise = heavyTailedNoise(random, rows, random.uniform(0.2, 0.7), random.uniform(2.5, 5));
  const sigma = random.uniform(1, 3.5);
  const burstRate = random.uniform(0.002, 0.008);
  const values = load.map((l, i) => {
    const burst = random.next() < burstRate ? random.uniform(8, 20) : 0;
    return Math.min(100, Math.max(0, idle + slope * l + sigma * (noise[i] ?? 0) + burst));
  });
  return { values, saturation: 100, saturationJitter: 0.006, leakRise: peak, typical: (idle + peak) / 2, round: roundTo(2) };
};

/** Error ratio: Poisson error counts over seasonal request counts, heavy-tailed ratio noise, benign blips. */
const errorRatio = (random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  const rows = epochMs.length;
  const ratio = logUniform(random, 0.0005, 0.01);
  const requests = logUniform(random, 300, 20_000);
  const load = seasonalLoad(random, epochMs, random.uniform(0.3, 0.7));
  const noise = heavyTailedNoise(random, rows, random.uniform(0.2, 0.6), random.uniform(2.5, 4));
  const sigma = random.uniform(0.3, 0.6);
  const spikes = benignSpikes(random, rows, random.uniform(0.003, 0.01), 2, 4);
  const values = load.map((l, i) => {
    const count = Math.max(1, Math.round(requests * l));
    const expected = ratio * Math.exp(sigma * (noise[i] ?? 0)) * (spikes[i] ?? 1);
    return Math.min(1, random.poisson(count * expected) / count);
  });
  return { values, saturation: 1, saturationJitter: 0, leakRise: ratio * 10, typical: ratio, round: roundTo(6) };
};

/** Connections in use from a fixed pool: integer, load-following, Poisson noise, benign bursts. */
const connections = (random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  const rows = epochMs.length;
  const pool = random.pick([50, 100, 200, 500]);
  const usage = pool * random.uniform(0.15, 0.35);
  const load = seasonalLoad(random, epochMs, random.uniform(0.3, 0.7));
  const noise = heavyTailedNoise(random, rows, random.uniform(0.3, 0.8), random.uniform(2.5, 5));
  const sigma = random.uniform(0.03, 0.1);
  const spikes = benignSpikes(random, rows, random.uniform(0.002, 0.006), 3, 1.5);
  const values = load.map((l, i) =>
    Math.min(pool, random.poisson(Math.max(0, usage * l * (1 + sigma * (noise[i] ?? 0)) * (spikes[i] ?? 1)))),
  );
  return { values, saturation: pool, saturationJitter: 0, leakRise: pool * random.uniform(0.4, 0.8), typical: usage, round: roundTo(0) };
};

/** Draws a metric's normal behaviour over the given sample times. */
export const generateMetric = (family: MetricFamily, random: SeededRandom, epochMs: Float64Array): MetricSeries => {
  switch (family) {
    case MetricFamily.requestRate:
      return requestRate(random, epochMs);
    case MetricFamily.latency:
      return latency(random, epochMs);
    case MetricFamily.memory:
      return memory(random, epochMs);
    case MetricFamily.cpu:
      return cpu(random, epochMs);
    case MetricFamily.errorRatio:
      return errorRatio(random, epochMs);
    case MetricFamily.connections:
      return connections(random, epochMs);
  }
};
