import { describe, expect, it } from '@jest/globals';
import { CauseKind, causeKindForMetric } from './cause-kind.js';

describe('causeKindForMetric', () => {
  it.each([
    ['memory_usage_bytes', CauseKind.memoryLeak],
    ['jvm_heap_used', CauseKind.memoryLeak],
    ['cpu_utilization', CauseKind.cpuOverload],
    ['db_connections_active', CauseKind.connectionExhaustion],
    ['http_error_rate', CauseKind.errorRate],
    ['request_latency_p99', CauseKind.latency],
    ['health probe failure', CauseKind.unavailable],
    ['health_probe_failure', CauseKind.unavailable],
    ['queue_depth', CauseKind.anomaly],
  ])('maps %s to %s', (metric, kind) => {
    expect(causeKindForMetric(metric)).toBe(kind);
  });
});
