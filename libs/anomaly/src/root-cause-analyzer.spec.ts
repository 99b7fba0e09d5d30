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
    expect([...(top?.explains ?? [])].sort()).toEqual(
      postgresOutage()
        .map((s) => s.id)
        .sort(),
    );
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
      id: `${target}-lat`,
      target,
      metric: 'latency_p99',
      severity: 'warning',
      value: 2,
      time: t0 + i,
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

  it("learns only the incident's own edges from the trouble around it: one outage of many targets is one co-occurrence per pair", () => {
    const graph = new DependencyGraph();
    const trouble = (target: string, at: number): Symptom => ({
      id: `${target}-${at}`,
      target,
      metric: 'memory_used',
      severity: 'critical',
      value: 1,
      time: at,
    });
    // An outage of 20 targets starting one millisecond apart, one incident per target.
    const outage = (at: number) => {
      const symptoms = Array.from({ length: 20 }, (_, index) => trouble(`svc-${index}`, at + index));
      for (const own of symptoms)
        graph.observe(
          [own],
          symptoms.filter((other) => other !== own),
        );
    };
    outage(t0);
    // Once is not repeated co-occurrence: no edge yet (counting every pair in every incident made 190).
    expect(graph.dependenciesOf('svc-19')).toEqual([]);
    expect(graph.snapshot().incidents['svc-0']).toBe(1);
    outage(t0 + 3_600_000);
    outage(t0 + 7_200_000);
    // Three times the same order: svc-19 came last each time, svc-1 after svc-0 alone.
    expect(graph.dependenciesOf('svc-19')).toHaveLength(19);
    expect(graph.dependenciesOf('svc-1').map((edge) => edge.dependency)).toEqual(['svc-0']);
    expect(graph.dependenciesOf('svc-0')).toEqual([]);
  });

  it('restores a checkpointed graph with the same edges', () => {
    const graph = new DependencyGraph().dependsOn('orders', 'postgres');
    const restored = DependencyGraph.restore(JSON.parse(JSON.stringify(graph.snapshot())) as ReturnType<DependencyGraph['snapshot']>);
    expect(restored.dependenciesOf('orders')).toEqual(graph.dependenciesOf('orders'));
  });
});

describe('rankRootCauses on one target with several kinds of trouble', () => {
  const leakWithCpuBurst = (): Symptom[] => [
    // The allocation burst shows first and weighs more: it must still not be taken for the cause.
    { id: 'cpu-1', target: 'shop', metric: 'mapek_agent_cpu_percent', severity: 'critical', value: 97, threshold: 75, time: t0 },
    { id: 'cpu-2', target: 'shop', metric: 'mapek_agent_cpu_percent', severity: 'critical', value: 95, threshold: 75, time: t0 + 1000 },
    {
      id: 'mem-1',
      target: 'shop',
      metric: 'process_resident_memory_bytes',
      severity: 'warning',
      value: 5e8,
      threshold: 4e8,
      time: t0 + 1000,
    },
  ];

  it('takes the memory leak, not the CPU it causes, as the cause, and explains every symptom with it', () => {
    const [top, ...rest] = rankRootCauses(leakWithCpuBurst(), new DependencyGraph());
    expect(top?.cause).toBe(CauseKind.memoryLeak);
    expect([...(top?.explains ?? [])].sort()).toEqual(['cpu-1', 'cpu-2', 'mem-1']);
    expect(top?.reasoning).toContain('memory_leak explains the cpu_overload seen with it');
    expect(rest).toEqual([]);
  });

  it('keeps CPU overload as the cause when it is the only trouble', () => {
    const cpuOnly = leakWithCpuBurst().filter((symptom) => symptom.id.startsWith('cpu'));
    expect(rankRootCauses(cpuOnly, new DependencyGraph())[0]?.cause).toBe(CauseKind.cpuOverload);
  });

  it('prefers a full connection pool over the latency and errors that follow it', () => {
    const symptoms: Symptom[] = [
      { id: 'lat', target: 'api', metric: 'request_latency_p95_seconds', severity: 'critical', value: 4, threshold: 3, time: t0 },
      { id: 'err', target: 'api', metric: 'error_ratio', severity: 'critical', value: 0.3, threshold: 0.1, time: t0 },
      { id: 'conn', target: 'api', metric: 'connections_active', severity: 'warning', value: 90, threshold: 80, time: t0 + 500 },
    ];
    expect(rankRootCauses(symptoms, new DependencyGraph())[0]?.cause).toBe(CauseKind.connectionExhaustion);
  });
});
