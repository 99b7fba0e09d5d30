import { describe, expect, it } from '@jest/globals';
import { CauseKind, causeKindForMetric, causesOf, isSecondaryKind, rootKindOf } from './cause-kind.js';

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

describe('rootKindOf and isSecondaryKind', () => {
  it('picks the kind that explains the others, whatever their weights', () => {
    expect(
      rootKindOf(
        new Map([
          [CauseKind.cpuOverload, 3],
          [CauseKind.memoryLeak, 0.6],
        ]),
      ),
    ).toBe(CauseKind.memoryLeak);
    expect(
      rootKindOf(
        new Map([
          [CauseKind.latency, 1],
          [CauseKind.errorRate, 1],
          [CauseKind.cpuOverload, 0.25],
        ]),
      ),
    ).toBe(CauseKind.cpuOverload);
  });

  it('falls back to the heaviest kind when none explains the others', () => {
    expect(
      rootKindOf(
        new Map([
          [CauseKind.memoryLeak, 0.6],
          [CauseKind.connectionExhaustion, 1],
        ]),
      ),
    ).toBe(CauseKind.connectionExhaustion);
  });

  it('calls CPU, latency and errors secondary, and a leak, a full pool or an outage primary', () => {
    expect([CauseKind.cpuOverload, CauseKind.latency, CauseKind.errorRate, CauseKind.anomaly].every(isSecondaryKind)).toBe(true);
    expect([CauseKind.memoryLeak, CauseKind.connectionExhaustion, CauseKind.unavailable].some(isSecondaryKind)).toBe(false);
  });

  it('names the kinds that commonly bring a kind about: a leak behind CPU, none behind a leak', () => {
    expect(causesOf(CauseKind.cpuOverload)).toEqual([CauseKind.memoryLeak]);
    expect(causesOf(CauseKind.errorRate)).toEqual(
      expect.arrayContaining([CauseKind.memoryLeak, CauseKind.cpuOverload, CauseKind.latency, CauseKind.connectionExhaustion]),
    );
    expect(causesOf(CauseKind.errorRate)).not.toContain(CauseKind.errorRate);
    expect(causesOf(CauseKind.memoryLeak)).toEqual([]);
  });
});
