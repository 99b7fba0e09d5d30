import { describe, expect, it } from '@jest/globals';
import { mapekConfigurationSchema, prometheusRuleSchema } from '@mapek/contracts';
import { HeartbeatTracker } from './heartbeat-tracker.js';
import { monitorSources, probeEndpoint } from './monitored-target.js';
import { evaluatePromqlRule } from './promql-rules.js';
import { defaultRules } from './threshold-rules.js';

const configuration = mapekConfigurationSchema.parse({
  version: 1,
  sources: { prometheus: { url: 'http://127.0.0.1:9090' } },
  targets: [
    {
      name: 'orders',
      metricsUrl: 'http://127.0.0.1:3000/metrics',
      rules: [{ name: 'queue', metric: 'queue_depth', threshold: 100, severity: 'warning', description: 'queue too deep' }],
    },
    {
      name: 'orders-db',
      probes: [{ kind: 'postgres', url: 'postgres://monitor:secret@127.0.0.1:5432/orders' }],
      heartbeat: { timeoutMs: 30_000 },
    },
  ],
});

describe('the targets the monitor watches', () => {
  it('takes the environment targets and the file targets, the file winning on a name both declare', () => {
    const sources = monitorSources(
      [
        { name: 'demo-app', metricsUrl: 'http://127.0.0.1:8000/metrics', healthUrl: 'http://127.0.0.1:8000/health', labels: {} },
        { name: 'orders', metricsUrl: 'http://127.0.0.1:9999/metrics', labels: {} },
      ],
      configuration,
      defaultRules,
    );
    expect(sources.targets.map((target) => target.name)).toEqual(['demo-app', 'orders', 'orders-db']);
    expect(sources.targets[0]).toMatchObject({ probes: [{ kind: 'http', url: 'http://127.0.0.1:8000/health' }], rules: defaultRules });
    expect(sources.targets[1]).toMatchObject({ metricsUrl: 'http://127.0.0.1:3000/metrics', rules: [{ name: 'queue' }] });
    expect(sources.targets[2]).toMatchObject({ rules: defaultRules, heartbeat: { timeoutMs: 30_000 } });
    expect(sources.prometheus).toEqual({ url: 'http://127.0.0.1:9090', timeoutMs: 5000 });
  });

  it('watches only the environment targets without a configuration file', () => {
    const sources = monitorSources([{ name: 'demo-app', healthUrl: 'http://127.0.0.1:8000/health', labels: {} }], undefined, defaultRules);
    expect(sources.targets).toHaveLength(1);
    expect(sources.prometheus).toBeUndefined();
  });

  it('never shows a PostgreSQL password in a probe symptom', () => {
    const probe = configuration.targets[1]?.probes[0];
    expect(probe && probeEndpoint(probe)).toBe('postgres://monitor:redacted@127.0.0.1:5432/orders');
  });
});

describe('PromQL rules', () => {
  const rule = prometheusRuleSchema.parse({
    name: 'errors',
    query: 'sum by (instance) (rate(http_errors_total[1m]))',
    threshold: 5,
    severity: 'critical',
    description: 'errors',
    metric: 'http_error_rate',
  });

  it('make one violation per series that breaks the threshold, named by the rule metric', () => {
    const violations = evaluatePromqlRule(rule, [
      { labels: { instance: 'a' }, value: 7 },
      { labels: { instance: 'b' }, value: 2 },
      { labels: { instance: 'c' }, value: Number.NaN },
    ]);
    expect(violations.map((violation) => violation.series.labels['instance'])).toEqual(['a']);
    expect(violations[0]?.metric).toBe('http_error_rate');
  });

  it('name the symptom metric after the rule when it names none, and compare with its operator', () => {
    const below = prometheusRuleSchema.parse({
      name: 'replicas_available',
      query: 'kube_deployment_status_replicas_available',
      op: '<',
      threshold: 2,
      severity: 'warning',
      description: 'd',
    });
    expect(evaluatePromqlRule(below, [{ labels: {}, value: 1 }])).toMatchObject([{ metric: 'replicas_available' }]);
    expect(evaluatePromqlRule(below, [{ labels: {}, value: 2 }])).toEqual([]);
    expect(evaluatePromqlRule(below, [])).toEqual([]);
  });
});

describe('heartbeat tracker', () => {
  it('counts silence from the start of watching until the first heartbeat, then from the last one', () => {
    const tracker = new HeartbeatTracker();
    tracker.watch(['db'], 1000);
    expect(tracker.silentFor('db', 5000, 5000)).toBeUndefined();
    expect(tracker.silentFor('db', 5000, 6001)).toBe(5001);
    tracker.record('db', 6500);
    expect(tracker.silentFor('db', 5000, 7000)).toBeUndefined();
    tracker.record('db', 2000);
    expect(tracker.lastSeenAt('db')).toBe(6500);
    expect(tracker.silentFor('db', 5000, 12_000)).toBe(5500);
  });

  it('forgets a target it no longer watches and starts a new clock when it comes back', () => {
    const tracker = new HeartbeatTracker();
    tracker.watch(['db'], 0);
    tracker.record('db', 10);
    tracker.watch([], 20);
    expect(tracker.silentFor('db', 5, 100)).toBeUndefined();
    tracker.watch(['db'], 200);
    expect(tracker.lastSeenAt('db')).toBeUndefined();
    expect(tracker.silentFor('db', 50, 240)).toBeUndefined();
    expect(tracker.silentFor('db', 50, 251)).toBe(51);
  });
});
