import { describe, expect, it } from '@jest/globals';
import { CPU_RULE_FOR_MS, defaultThresholdRules, type ThresholdRule } from '@mapek/contracts';
import { type Crossing, ThresholdWatcher } from './threshold.watcher.js';

const MB = 1024 * 1024;

function watcher(options: {
  rules?: readonly ThresholdRule[];
  memory: () => number;
  cpu?: () => number;
  now?: () => number;
  push?: (crossing: Crossing) => Promise<void>;
}) {
  const pushed: Crossing[] = [];
  const instance = new ThresholdWatcher({
    rules: options.rules ?? defaultThresholdRules,
    readers: [
      { metric: 'process_resident_memory_bytes', read: options.memory },
      { metric: 'mapek_agent_cpu_percent', read: options.cpu ?? (() => 5) },
    ],
    minIntervalMs: 1000,
    ...(options.now ? { now: options.now } : {}),
    onCrossing: async (crossing) => {
      pushed.push(crossing);
      await options.push?.(crossing);
    },
  });
  return { instance, pushed };
}

describe('threshold watcher', () => {
  it('watches only the rules on gauges it can read, without label matches', () => {
    const labelled: ThresholdRule = { ...defaultThresholdRules[0]!, name: 'pool-memory', match: { pool: 'db' } };
    const { instance } = watcher({ rules: [...defaultThresholdRules, labelled], memory: () => 0 });
    expect(instance.rules.map((rule) => rule.name)).toEqual(['memory', 'cpu']);
  });

  it('reports a crossing once while the gauge stays above, and again after it went back within the rule', () => {
    let now = 0;
    let memory = 300 * MB;
    const { instance, pushed } = watcher({ memory: () => memory, now: () => now });
    expect(instance.check()).toEqual([]);
    memory = 450 * MB;
    now = 10;
    expect(instance.check().map((crossing) => [crossing.rule.name, crossing.value])).toEqual([['memory', 450 * MB]]);
    expect(pushed[0]?.observedAt).toEqual(new Date(10));
    now = 2000;
    expect(instance.check()).toEqual([]);
    memory = 100 * MB;
    now = 3000;
    instance.check();
    memory = 500 * MB;
    now = 4000;
    expect(instance.check().map((crossing) => crossing.rule.name)).toEqual(['memory']);
    expect(pushed).toHaveLength(2);
  });

  it('reports at most one crossing per rule per minimum interval when the gauge flaps', () => {
    let now = 0;
    let memory = 500 * MB;
    const { instance, pushed } = watcher({ memory: () => memory, now: () => now });
    instance.check();
    for (const [at, value] of [
      [100, 100],
      [200, 500],
      [300, 100],
      [400, 500],
    ] as const) {
      now = at;
      memory = value * MB;
      instance.check();
    }
    expect(pushed).toHaveLength(1);
    now = 1200;
    instance.check();
    expect(pushed).toHaveLength(2);
  });

  it('reports every rule a reading breaks, in rule order', () => {
    let now = 0;
    const { instance } = watcher({ memory: () => 450 * MB, cpu: () => 180, now: () => now });
    expect(instance.check().map((crossing) => crossing.rule.name)).toEqual(['memory']);
    now = CPU_RULE_FOR_MS;
    expect(instance.check().map((crossing) => crossing.rule.name)).toEqual(['cpu']);
  });

  it('reports a rule with forMs only once every check for that long found it broken', () => {
    let now = 0;
    let cpu = 95;
    const { instance, pushed } = watcher({ memory: () => 0, cpu: () => cpu, now: () => now });
    // A burst shorter than the rule's forMs (a service starting): nothing.
    for (now = 0; now < CPU_RULE_FOR_MS; now += 250) expect(instance.check()).toEqual([]);
    cpu = 40;
    instance.check();
    // Broken again: the time counts from this reading, not from the first burst.
    cpu = 95;
    const since = (now += 250);
    for (; now < since + CPU_RULE_FOR_MS; now += 250) expect(instance.check()).toEqual([]);
    now = since + CPU_RULE_FOR_MS;
    expect(instance.check().map((crossing) => [crossing.rule.name, crossing.value])).toEqual([['cpu', 95]]);
    expect(pushed[0]?.observedAt).toEqual(new Date(since + CPU_RULE_FOR_MS));
    now += 250;
    expect(instance.check()).toEqual([]);
  });

  it('tries again after the minimum interval when a push failed, if the rule is still broken', async () => {
    let now = 0;
    let fail = true;
    const { instance, pushed } = watcher({
      memory: () => 450 * MB,
      now: () => now,
      push: async () => (fail ? Promise.reject(new Error('no stream')) : undefined),
    });
    instance.check();
    await new Promise((resolve) => setImmediate(resolve));
    now = 500;
    instance.check();
    expect(pushed).toHaveLength(1);
    fail = false;
    now = 1000;
    instance.check();
    expect(pushed).toHaveLength(2);
  });

  it('checks when poked by the service, at most once per poke interval, and only while started', () => {
    let now = 0;
    let memory = 450 * MB;
    let reads = 0;
    const pushed: Crossing[] = [];
    const instance = new ThresholdWatcher({
      rules: defaultThresholdRules,
      readers: [{ metric: 'process_resident_memory_bytes', read: () => (reads++, memory) }],
      intervalMs: 60_000,
      pokeIntervalMs: 5,
      now: () => now,
      onCrossing: (crossing) => {
        pushed.push(crossing);
        return Promise.resolve();
      },
    });
    instance.poke();
    expect(reads).toBe(0);
    instance.start();
    instance.poke();
    now = 3;
    instance.poke();
    expect(reads).toBe(1);
    now = 10;
    memory = 100 * MB;
    instance.poke();
    now = 2000;
    memory = 450 * MB;
    instance.poke();
    expect(reads).toBe(3);
    expect(pushed.map((crossing) => crossing.observedAt.getTime())).toEqual([0, 2000]);
    instance.stop();
  });

  it('never reports NaN or a reading that threw', () => {
    const { instance } = watcher({
      memory: () => Number.NaN,
      cpu: () => {
        throw new Error('unavailable');
      },
    });
    expect(instance.check()).toEqual([]);
  });

  it('reads a slow gauge no more often than it asks', () => {
    let reads = 0;
    let now = 0;
    const instance = new ThresholdWatcher({
      rules: defaultThresholdRules,
      readers: [{ metric: 'mapek_agent_error_ratio', everyMs: 250, read: () => ++reads && 0 }],
      now: () => now,
      onCrossing: () => Promise.resolve(),
    });
    for (now = 0; now < 1000; now += 25) instance.check();
    expect(reads).toBe(4);
  });
});
