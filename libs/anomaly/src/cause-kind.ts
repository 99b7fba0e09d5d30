/** What a root cause is, as a wire value. */
export const CauseKind = {
  memoryLeak: 'memory_leak',
  cpuOverload: 'cpu_overload',
  connectionExhaustion: 'connection_exhaustion',
  errorRate: 'error_rate',
  latency: 'latency',
  unavailable: 'unavailable',
  dependencyFailure: 'dependency_failure',
  anomaly: 'anomaly',
} as const;
export type CauseKind = (typeof CauseKind)[keyof typeof CauseKind];

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
export const causeKindForMetric = (metric: string): CauseKind => {
  const name = metric.toLowerCase().replace(/[_.-]+/g, ' ');
  for (const [pattern, kind] of rules) if (pattern.test(name) || pattern.test(metric.toLowerCase())) return kind;
  return CauseKind.anomaly;
};
