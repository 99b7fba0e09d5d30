import { CauseKind } from '@mapek/contracts';

// The wire values are the contracts' own; this lib only maps metrics and rules onto them.
export { CauseKind } from '@mapek/contracts';

/** Checked in order: a health probe's failure is unavailability even if its name says "failure". */
const rules: readonly (readonly [RegExp, CauseKind])[] = [
  [/health|probe|liveness|readiness|availability|\bup\b|heartbeat/, CauseKind.unavailable],
  [/mem|heap|rss|\boom\b|swap/, CauseKind.memoryLeak],
  [/cpu|\bload\b|throttl/, CauseKind.cpuOverload],
  [/conn|pool|socket|session/, CauseKind.connectionExhaustion],
  [/error|err_|5xx|fail|exception|fault/, CauseKind.errorRate],
  [/latency|duration|response[_ .-]?time|\bp9\d|\brtt\b|delay/, CauseKind.latency],
];

/**
 * Maps a metric name to the cause it points at: memory → memory_leak, cpu → cpu_overload,
 * connections → connection_exhaustion, error rate → error_rate, latency → latency, a failing
 * health probe → unavailable; anything else is a plain anomaly.
 */
/** The kinds a metric's name can point at (the rest come from probes' absence, dependencies or the detector alone). */
export const metricCauseKinds: ReadonlySet<CauseKind> = new Set(
  rules.map(([, kind]) => kind).filter((kind) => kind !== CauseKind.unavailable),
);

export const causeKindForMetric = (metric: string): CauseKind => {
  const name = metric.toLowerCase().replace(/[_.-]+/g, ' ');
  for (const [pattern, kind] of rules) if (pattern.test(name) || pattern.test(metric.toLowerCase())) return kind;
  return CauseKind.anomaly;
};

/**
 * Kinds of trouble that one kind commonly brings about on the same target. When several start
 * together, the one no other present kind explains is the root: a leaking heap makes the garbage
 * collector burn CPU and requests slow down, not the other way round. Sources: the usual
 * saturation chains of the USE and RED methods (memory → GC → CPU → latency → errors; a full
 * connection pool → waits → latency → errors).
 */
export const consequencesOf: Readonly<Record<CauseKind, readonly CauseKind[]>> = {
  [CauseKind.unavailable]: [CauseKind.errorRate, CauseKind.latency, CauseKind.anomaly],
  [CauseKind.memoryLeak]: [CauseKind.cpuOverload, CauseKind.latency, CauseKind.errorRate, CauseKind.anomaly],
  [CauseKind.connectionExhaustion]: [CauseKind.latency, CauseKind.errorRate, CauseKind.anomaly],
  [CauseKind.cpuOverload]: [CauseKind.latency, CauseKind.errorRate, CauseKind.anomaly],
  [CauseKind.dependencyFailure]: [CauseKind.errorRate, CauseKind.latency, CauseKind.anomaly],
  [CauseKind.latency]: [CauseKind.errorRate, CauseKind.anomaly],
  [CauseKind.errorRate]: [CauseKind.anomaly],
  [CauseKind.anomaly]: [],
  [CauseKind.unknown]: [],
};

/** The kinds that commonly bring `kind` about (the inverse of `consequencesOf`), in its order. */
export const causesOf = (kind: CauseKind): CauseKind[] =>
  (Object.keys(consequencesOf) as CauseKind[]).filter((cause) => cause !== kind && consequencesOf[cause].includes(kind));

/** True when `kind` is commonly a consequence of another kind (so a better explanation may still show up). */
export const isSecondaryKind = (kind: CauseKind): boolean => causesOf(kind).length > 0;

/**
 * The root among kinds of trouble seen together on one target: the kind that no other present
 * kind explains; among several, the one explaining most of the others, then the heaviest.
 */
export const rootKindOf = (weights: ReadonlyMap<CauseKind, number>): CauseKind => {
  const present = [...weights.keys()];
  const explainedBy = (kind: CauseKind): boolean => present.some((other) => other !== kind && consequencesOf[other].includes(kind));
  const explains = (kind: CauseKind): number => present.filter((other) => consequencesOf[kind].includes(other)).length;
  const roots = present.filter((kind) => !explainedBy(kind));
  const candidates = roots.length > 0 ? roots : present;
  return [...candidates].sort((a, b) => explains(b) - explains(a) || (weights.get(b) ?? 0) - (weights.get(a) ?? 0))[0] ?? CauseKind.anomaly;
};
