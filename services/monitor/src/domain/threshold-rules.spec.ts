import { describe, expect, it } from '@jest/globals';
import { SustainedViolations, defaultRules, evaluateRules, ruleFileSchema } from './threshold-rules.js';
import { ProbeTracker } from './probe-tracker.js';

describe('threshold rules', () => {
  it('flag resident memory above 400 MB as critical and leave 399 MB alone', () => {
    const samples = [
      { metric: 'process_resident_memory_bytes', labels: {}, value: 401 * 1024 * 1024 },
      { metric: 'mapek_agent_cpu_percent', labels: {}, value: 10 },
    ];
    const violations = evaluateRules(defaultRules, samples);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.rule.name).toBe('memory');
    expect(violations[0]?.severity).toBe('critical');
    expect(evaluateRules(defaultRules, [{ metric: 'process_resident_memory_bytes', labels: {}, value: 399 * 1024 * 1024 }])).toHaveLength(
      0,
    );
  });

  it('use the seeds defaults: CPU 75 %, 80 connections, 3 s latency, 0.1 error rate', () => {
    const byName = Object.fromEntries(defaultRules.map((rule) => [rule.name, rule.threshold]));
    expect(byName).toMatchObject({ cpu: 75, connections: 80, latency: 3, 'error-rate': 0.1 });
  });

  it('match only samples carrying the rule labels, and never on NaN', () => {
    const rule = { ...defaultRules[0]!, match: { pool: 'db' } };
    expect(evaluateRules([rule], [{ metric: rule.metric, labels: { pool: 'cache' }, value: 1e12 }])).toHaveLength(0);
    expect(evaluateRules([rule], [{ metric: rule.metric, labels: { pool: 'db' }, value: 1e12 }])).toHaveLength(1);
    expect(evaluateRules([rule], [{ metric: rule.metric, labels: { pool: 'db' }, value: Number.NaN }])).toHaveLength(0);
  });

  it('hold CPU back until it has stayed above 75 % for 5 s, per target and series, and count again after a reading within the rule', () => {
    const sustained = new SustainedViolations();
    const cpu = (value: number, labels: Record<string, string> = {}) => [{ metric: 'mapek_agent_cpu_percent', labels, value }];
    const due = (target: string, samples: ReturnType<typeof cpu>, at: number) =>
      sustained.due(target, evaluateRules(defaultRules, samples), at).map((violation) => violation.rule.name);
    for (let at = 0; at < 5000; at += 1000) expect(due('a', cpu(90), at)).toEqual([]);
    // Another target, and another series of the same target, count on their own.
    expect(due('b', cpu(90), 4000)).toEqual([]);
    expect(due('a', [...cpu(90), ...cpu(90, { pod: 'x' })], 5000)).toEqual(['cpu']);
    expect(due('a', [...cpu(90), ...cpu(90, { pod: 'x' })], 10_000)).toEqual(['cpu', 'cpu']);
    expect(due('a', cpu(50), 11_000)).toEqual([]);
    expect(due('a', cpu(90), 12_000)).toEqual([]);
    expect(due('a', cpu(90), 17_000)).toEqual(['cpu']);
    // A failed scrape could not tell: the time counts again.
    sustained.forget('a');
    expect(due('a', cpu(90), 18_000)).toEqual([]);
  });

  it('pass the violations of rules without forMs through at once, beside held ones', () => {
    const sustained = new SustainedViolations();
    const samples = [
      { metric: 'process_resident_memory_bytes', labels: {}, value: 500 * 1024 * 1024 },
      { metric: 'mapek_agent_cpu_percent', labels: {}, value: 99 },
    ];
    expect(sustained.due('a', evaluateRules(defaultRules, samples), 0).map((violation) => violation.rule.name)).toEqual(['memory']);
  });

  it('reject a rules file with unknown keys, or a negative forMs', () => {
    expect(
      ruleFileSchema.safeParse({ rules: [{ name: 'x', metric: 'm', threshold: 1, severity: 'info', description: 'd', forMs: -1 }] })
        .success,
    ).toBe(false);
    const result = ruleFileSchema.safeParse({
      rules: [{ name: 'x', metric: 'm', threshold: 1, severity: 'info', description: 'd', thresold: 2 }],
    });
    expect(result.success).toBe(false);
  });
});

describe('probe tracker', () => {
  it('reports only after the configured consecutive failures and resets on success', () => {
    const tracker = new ProbeTracker(3);
    expect(tracker.record('a', false)).toBeUndefined();
    expect(tracker.record('a', false)).toBeUndefined();
    expect(tracker.record('a', false)).toBe(3);
    expect(tracker.record('a', true)).toBeUndefined();
    expect(tracker.record('a', false)).toBeUndefined();
  });
});
