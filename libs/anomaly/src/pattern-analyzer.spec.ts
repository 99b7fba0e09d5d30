import { describe, expect, it } from '@jest/globals';
import { PatternKind } from './pattern.js';
import { analyzePatterns } from './pattern-analyzer.js';
import type { Symptom } from './symptom.js';

const t0 = Date.UTC(2026, 0, 1);
let next = 0;
const symptom = (overrides: Partial<Symptom>): Symptom => ({
  id: `s${++next}`,
  target: 'api',
  metric: 'error_rate',
  severity: 'warning',
  value: 1,
  time: t0,
  ...overrides,
});

describe('analyzePatterns', () => {
  it('reports a temporal burst of three symptoms within 60 s as a cascade failure with confidence 0.85', () => {
    const burst = [
      symptom({ target: 'a', time: t0 }),
      symptom({ target: 'b', time: t0 + 20_000 }),
      symptom({ target: 'c', time: t0 + 55_000 }),
    ];
    const temporal = analyzePatterns(burst).filter((pattern) => pattern.kind === PatternKind.temporal);
    expect(temporal).toHaveLength(1);
    expect(temporal[0]).toMatchObject({ confidence: 0.85, diagnosis: 'cascade failure' });
    expect(temporal[0]?.evidence).toEqual(burst.map((s) => s.id));
  });

  it('finds no temporal burst when three symptoms spread over more than 60 s', () => {
    const spread = [
      symptom({ target: 'a', time: t0 }),
      symptom({ target: 'b', time: t0 + 40_000 }),
      symptom({ target: 'c', time: t0 + 61_000 }),
    ];
    expect(analyzePatterns(spread).some((pattern) => pattern.kind === PatternKind.temporal)).toBe(false);
  });

  it('reports three symptoms on one component as a misconfiguration with confidence 0.80', () => {
    const onPool = [0, 1, 2].map((i) => symptom({ target: 'orders', component: 'db-pool', time: t0 + i * 600_000 }));
    const spatial = analyzePatterns([...onPool, symptom({ target: 'other', time: t0 })]).filter(
      (pattern) => pattern.kind === PatternKind.spatial,
    );
    expect(spatial).toHaveLength(1);
    expect(spatial[0]).toMatchObject({ confidence: 0.8, diagnosis: 'misconfiguration', targets: ['orders'] });
    expect(spatial[0]?.evidence).toEqual(onPool.map((s) => s.id));
  });

  it('reports correlated series as a causal pattern with confidence 0.75, the leading series as cause', () => {
    const incidents = [0, 1, 2].flatMap((i) => [
      symptom({ target: 'postgres', metric: 'connections', time: t0 + i * 3_600_000 }),
      symptom({ target: 'orders', metric: 'latency_p99', time: t0 + i * 3_600_000 + 10_000 }),
    ]);
    const causal = analyzePatterns(incidents).filter((pattern) => pattern.kind === PatternKind.causal);
    expect(causal).toHaveLength(1);
    expect(causal[0]?.confidence).toBe(0.75);
    expect(causal[0]?.diagnosis).toBe('correlated failure: postgres/connections → orders/latency_p99');
    expect([...(causal[0]?.evidence ?? [])].sort()).toEqual(incidents.map((s) => s.id).sort());
  });

  it('reports more than eight symptoms in five minutes as overload with confidence 0.70', () => {
    const storm = Array.from({ length: 9 }, (_, i) => symptom({ target: `t${i % 2}`, time: t0 + i * 35_000 }));
    const frequency = analyzePatterns(storm).filter((pattern) => pattern.kind === PatternKind.frequency);
    expect(frequency).toHaveLength(1);
    expect(frequency[0]).toMatchObject({ confidence: 0.7, diagnosis: 'overload' });
    expect(frequency[0]?.evidence).toHaveLength(9);
  });

  it('does not report overload for exactly eight symptoms in five minutes', () => {
    const eight = Array.from({ length: 8 }, (_, i) => symptom({ target: `t${i}`, time: t0 + i * 35_000 }));
    expect(analyzePatterns(eight).some((pattern) => pattern.kind === PatternKind.frequency)).toBe(false);
  });

  it('orders patterns by confidence, highest first', () => {
    const storm = Array.from({ length: 9 }, (_, i) => symptom({ target: 'api', time: t0 + i * 1_000 }));
    const confidences = analyzePatterns(storm).map((pattern) => pattern.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(confidences[0]).toBe(0.85);
  });
});
