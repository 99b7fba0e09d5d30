import { byCodeUnits } from './code-unit-order.js';
import { PatternKind, type Pattern } from './pattern.js';
import type { Symptom } from './symptom.js';

/** Thresholds of the four pattern rules. */
export interface PatternConfig {
  /** Temporal burst: at least this many symptoms… */
  readonly burstMinCount: number;
  /** …within this span. */
  readonly burstWindowMs: number;
  /** Spatial: at least this many symptoms on one component (or target when no component). */
  readonly spatialMinCount: number;
  /** Causal: two series co-occur when their symptoms are at most this far apart. */
  readonly causalLagMs: number;
  /** Causal: at least this many co-occurrences… */
  readonly causalMinCoOccurrences: number;
  /** …covering at least this share of the rarer series' symptoms. */
  readonly causalMinShare: number;
  /** Frequency: more than this many symptoms… */
  readonly frequencyMaxCount: number;
  /** …within this span. */
  readonly frequencyWindowMs: number;
}

export const defaultPatternConfig: PatternConfig = {
  burstMinCount: 3,
  burstWindowMs: 60_000,
  spatialMinCount: 3,
  causalLagMs: 30_000,
  causalMinCoOccurrences: 2,
  causalMinShare: 0.5,
  frequencyMaxCount: 8,
  frequencyWindowMs: 300_000,
};

/** Confidence of each pattern kind. */
export const patternConfidence: Readonly<Record<PatternKind, number>> = {
  temporal: 0.85,
  spatial: 0.8,
  causal: 0.75,
  frequency: 0.7,
};

const byTime = (symptoms: readonly Symptom[]): Symptom[] => [...symptoms].sort((a, b) => a.time - b.time || byCodeUnits(a.id, b.id));

/** Targets ordered by how many of the symptoms they carry. */
const rankTargets = (symptoms: readonly Symptom[]): string[] => {
  const counts = new Map<string, number>();
  for (const symptom of symptoms) counts.set(symptom.target, (counts.get(symptom.target) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || byCodeUnits(a[0], b[0])).map(([target]) => target);
};

/** Maximal runs of symptoms whose first and last are at most `spanMs` apart, with more than `minCount - 1` members. */
const dense = (sorted: readonly Symptom[], spanMs: number, minCount: number): Symptom[][] => {
  const groups: Symptom[][] = [];
  let start = 0;
  while (start < sorted.length) {
    const first = sorted[start];
    if (first === undefined) break;
    let end = start;
    while (end + 1 < sorted.length && (sorted[end + 1]?.time ?? Infinity) - first.time <= spanMs) end++;
    if (end - start + 1 >= minCount) {
      groups.push(sorted.slice(start, end + 1));
      start = end + 1;
    } else {
      start++;
    }
  }
  return groups;
};

const temporal = (sorted: readonly Symptom[], config: PatternConfig): Pattern[] =>
  dense(sorted, config.burstWindowMs, config.burstMinCount).map((group) => {
    const targets = rankTargets(group);
    return {
      kind: PatternKind.temporal,
      confidence: patternConfidence.temporal,
      diagnosis: 'cascade failure',
      description: `${group.length} symptoms within ${config.burstWindowMs / 1000} s across ${targets.length} target(s)`,
      evidence: group.map((symptom) => symptom.id),
      targets,
    };
  });

const spatial = (sorted: readonly Symptom[], config: PatternConfig): Pattern[] => {
  const byComponent = new Map<string, Symptom[]>();
  for (const symptom of sorted) {
    const key = symptom.component ?? symptom.target;
    byComponent.set(key, [...(byComponent.get(key) ?? []), symptom]);
  }
  return [...byComponent.entries()]
    .filter(([, group]) => group.length >= config.spatialMinCount)
    .map(([component, group]) => ({
      kind: PatternKind.spatial,
      confidence: patternConfidence.spatial,
      diagnosis: 'misconfiguration',
      description: `${group.length} symptoms on component ${component}`,
      evidence: group.map((symptom) => symptom.id),
      targets: rankTargets(group),
    }));
};

const seriesKey = (symptom: Symptom): string => `${symptom.target}/${symptom.metric}`;

const causal = (sorted: readonly Symptom[], config: PatternConfig): Pattern[] => {
  const bySeries = new Map<string, Symptom[]>();
  for (const symptom of sorted) bySeries.set(seriesKey(symptom), [...(bySeries.get(seriesKey(symptom)) ?? []), symptom]);
  const series = [...bySeries.entries()].sort((a, b) => byCodeUnits(a[0], b[0]));
  const patterns: Pattern[] = [];
  for (let a = 0; a < series.length; a++) {
    for (let b = a + 1; b < series.length; b++) {
      const [keyA, left] = series[a] ?? ['', []];
      const [keyB, right] = series[b] ?? ['', []];
      // Pair each symptom of the rarer series with the nearest symptom of the other.
      const [rare, common] = left.length <= right.length ? [left, right] : [right, left];
      const pairs: [Symptom, Symptom][] = [];
      for (const symptom of rare) {
        let nearest: Symptom | undefined;
        for (const other of common) {
          if (Math.abs(other.time - symptom.time) > config.causalLagMs) continue;
          if (nearest === undefined || Math.abs(other.time - symptom.time) < Math.abs(nearest.time - symptom.time)) nearest = other;
        }
        if (nearest !== undefined) pairs.push([symptom, nearest]);
      }
      if (pairs.length < config.causalMinCoOccurrences || pairs.length < config.causalMinShare * rare.length) continue;
      // The series whose symptoms come first on average is the likely cause.
      const leadOfLeft = pairs.reduce((sum, [r, c]) => sum + (rare === left ? c.time - r.time : r.time - c.time), 0);
      const [cause, effect] = leadOfLeft >= 0 ? [keyA, keyB] : [keyB, keyA];
      const evidence = [...new Set(pairs.flatMap(([r, c]) => [r.id, c.id]))];
      patterns.push({
        kind: PatternKind.causal,
        confidence: patternConfidence.causal,
        diagnosis: `correlated failure: ${cause} → ${effect}`,
        description: `${pairs.length} co-occurrences within ${config.causalLagMs / 1000} s between ${cause} and ${effect}`,
        evidence,
        targets: [...new Set([cause, effect].map((key) => key.slice(0, key.indexOf('/'))))],
      });
    }
  }
  return patterns;
};

const frequency = (sorted: readonly Symptom[], config: PatternConfig): Pattern[] =>
  dense(sorted, config.frequencyWindowMs, config.frequencyMaxCount + 1).map((group) => {
    const targets = rankTargets(group);
    return {
      kind: PatternKind.frequency,
      confidence: patternConfidence.frequency,
      diagnosis: 'overload',
      description: `${group.length} symptoms within ${config.frequencyWindowMs / 60_000} min, most on ${targets[0] ?? '?'}`,
      evidence: group.map((symptom) => symptom.id),
      targets,
    };
  });

/**
 * Finds the four patterns over a set of recent symptoms: temporal bursts (cascade failure),
 * spatial concentration on a component (misconfiguration), causal correlation between series,
 * and high frequency (overload). Highest confidence first.
 */
export const analyzePatterns = (symptoms: readonly Symptom[], config: PatternConfig = defaultPatternConfig): Pattern[] => {
  const sorted = byTime(symptoms);
  return [...temporal(sorted, config), ...spatial(sorted, config), ...causal(sorted, config), ...frequency(sorted, config)].sort(
    (a, b) => b.confidence - a.confidence,
  );
};
