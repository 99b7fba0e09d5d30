import { describe, expect, it } from '@jest/globals';
import { CauseKind } from './cause-kind.js';
import { DependencyGraph, EdgeSource } from './dependency-graph.js';
import { maxRootCauseConfidence, rankRootCauses } from './root-cause-analyzer.js';
import type { Symptom } from './symptom.js';

const t0 = Date.UTC(2026, 0, 1);
const services = ['orders', 'billing', 'inventory'];

const postgresOutage = (): Symptom[] => [
  { id: 'pg-1', target: 'postgres', metric: 'health_probe_failure', severity: 'critical', value: 1, time: t0 },
  { id: 'pg-2', target: 'postgres', metric: 'connections', severity: 'critical', value: 500, threshold: 400, time: t0 + 2_000 },
  ...services.map((target, i): Symptom => ({
    id: `${target}-errors`,
    target,
    metric: 'http_error_rate',
    severity: 'critical',
    value: 0.4,
    threshold: 0.05,
    time: t0 + 5_000 + i * 1_000,
  })),
];

describe('rankRootCauses', () => {
  it('ranks PostgreSQL first when it is down and three services that depend on it are erroring', () => {
    const graph = new DependencyGraph();
    for (const service of services) graph.dependsOn(service, 'postgres');
    const ranked = rankRootCauses(postgresOutage(), graph);
    const top = ranked[0];
    expect(top?.target).toBe('postgres');
    expect(top?.cause).toBe(CauseKind.unavailable);
    expect(top?.confidence).toBeLessThanOrEqual(maxRootCauseConfidence);
    expect(top?.confidence).toBeGreaterThan(ranked[1]?.confidence ?? 1);
    expect([...(top?.explains ?? [])].sort()).toEqual(postgresOutage().map((s) => s.id).sort());
    expect(top?.reasoning).toContain('explains 3');
  });

  it('demotes the dependent services to dependency_failure', () => {
    const graph = new DependencyGraph();
    for (const service of services) graph.dependsOn(service, 'postgres');
    const dependents = rankRootCauses(postgresOutage(), graph).filter((cause) => services.includes(cause.target));
    expect(dependents).toHaveLength(3);
    for (const cause of dependents) expect(cause.cause).toBe(CauseKind.dependencyFailure);
  });

  it('keeps every confidence within [0, 0.95]', () => {
    const graph = new DependencyGraph();
    for (const service of services) graph.dependsOn(service, 'postgres');
    for (const cause of rankRootCauses(postgresOutage(), graph)) {
      expect(cause.confidence).toBeGreaterThanOrEqual(0);
      expect(cause.confidence).toBeLessThanOrEqual(0.95);
    }
  });

  it('infers a silent upstream that several troubled services share', () => {
    const graph = new DependencyGraph().dependsOn('orders', 'nats').dependsOn('billing', 'nats');
    const symptoms: Symptom[] = ['orders', 'billing'].map((target, i) => ({
      id: `${target}-lat`, target, metric: 'latency_p99', severity: 'warning', value: 2, time: t0 + i,
    }));
    const nats = rankRootCauses(symptoms, graph).find((cause) => cause.target === 'nats');
    expect(nats?.cause).toBe(CauseKind.dependencyFailure);
    expect(nats?.explains).toEqual(['orders-lat', 'billing-lat']);
  });

  it('learns a dependency from repeated co-occurrence and uses it to rank the upstream first', () => {
    const graph = new DependencyGraph();
    for (let incident = 0; incident < 3; incident++) {
      const at = t0 + incident * 3_600_000;
      graph.observe([
        { id: `r${incident}`, target: 'redis', metric: 'memory_used', severity: 'critical', value: 1, time: at },
        { id: `c${incident}`, target: 'cart', metric: 'latency_p99', severity: 'warning', value: 1, time: at + 30_000 },
      ]);
    }
    expect(graph.dependenciesOf('cart')).toEqual([{ dependent: 'cart', dependency: 'redis', source: EdgeSource.learned, weight: 0.8 }]);
    const ranked = rankRootCauses(
      [
        { id: 'r', target: 'redis', metric: 'memory_used', severity: 'critical', value: 1, time: t0 },
        { id: 'c', target: 'cart', metric: 'latency_p99', severity: 'critical', value: 1, time: t0 + 30_000 },
      ],
      graph,
    );
    expect(ranked[0]).toMatchObject({ target: 'redis', cause: CauseKind.memoryLeak });
  });

  it('restores a checkpointed graph with the same edges', () => {
    const graph = new DependencyGraph().dependsOn('orders', 'postgres');
    const restored = DependencyGraph.restore(JSON.parse(JSON.stringify(graph.snapshot())) as ReturnType<DependencyGraph['snapshot']>);
    expect(restored.dependenciesOf('orders')).toEqual(graph.dependenciesOf('orders'));
  });
});
