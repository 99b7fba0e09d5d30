import { describe, expect, it } from '@jest/globals';
import { RuntimeFlags, planningFlags } from './runtime-flags.js';

const at = '2026-12-04T12:00:00.000Z';
const guardrails = { autoHealing: true, dryRun: false, maxAutoRisk: 'medium' as const, planTtlMs: 60_000 };
const autonomy = {
  defaultLevel: 'auto' as const,
  policy: { promoteAfter: 3, demoteOn: ['ineffective' as const], maxLevel: 'auto' as const },
};

describe('the runtime flags the planner watches', () => {
  it("lets a target's auto-healing win over the global flag, and the global flag over the config", () => {
    const flags = new RuntimeFlags();
    expect(flags.autoHealing('demo-app', true)).toEqual({ value: true, from: 'config' });
    flags.apply('flag.auto_healing', 1, { change: { flag: 'auto_healing', enabled: false }, actor: 'alice', changedAt: at });
    expect(flags.autoHealing('demo-app', true)).toMatchObject({ value: false, from: 'flag.auto_healing' });
    flags.apply('flag.auto_healing.demo-app', 2, {
      change: { flag: 'auto_healing', target: 'demo-app', enabled: true },
      actor: 'bob',
      changedAt: at,
    });
    expect(flags.autoHealing('demo-app', true)).toMatchObject({ value: true, from: 'flag.auto_healing.demo-app' });
    expect(flags.autoHealing('other', true).value).toBe(false);
  });

  it('ignores an older revision and forgets a deleted key', () => {
    const flags = new RuntimeFlags();
    flags.apply('flag.shadow_mode.demo-app', 5, {
      change: { flag: 'shadow_mode', target: 'demo-app', enabled: true },
      actor: 'a',
      changedAt: at,
    });
    flags.apply('flag.shadow_mode.demo-app', 4, {
      change: { flag: 'shadow_mode', target: 'demo-app', enabled: false },
      actor: 'a',
      changedAt: at,
    });
    expect(flags.shadowMode('demo-app').value).toBe(true);
    flags.apply('flag.shadow_mode.demo-app', 6, undefined);
    expect(flags.shadowMode('demo-app').value).toBe(false);
  });

  it('puts the flags over the configured guardrails, saying where each value came from', () => {
    const flags = new RuntimeFlags();
    flags.apply('flag.shadow_mode.demo-app', 1, {
      change: { flag: 'shadow_mode', target: 'demo-app', enabled: true },
      actor: 'carol',
      changedAt: at,
    });
    flags.apply('flag.autonomy.memory_leak.clear_cache.collect_garbage', 2, {
      change: { flag: 'autonomy', cause: 'memory_leak', actions: ['clear_cache', 'collect_garbage'], level: 'approve' },
      actor: 'carol',
      changedAt: at,
      streak: 1,
    });
    const planning = planningFlags(flags, guardrails, autonomy, { target: 'demo-app', cause: 'memory_leak' });
    expect(planning.guardrails).toMatchObject({
      autoHealing: true,
      dryRun: true,
      dryRunFrom: 'runtime flag flag.shadow_mode.demo-app by carol',
    });
    expect(planning.autonomy.of(['clear_cache', 'collect_garbage'])).toMatchObject({ level: 'approve', streak: 1 });
    expect(planning.autonomy.of(['collect_garbage'])).toMatchObject({ level: 'auto', streak: 0 });
    expect(planning.autonomy.promoteAfter).toBe(3);
  });
});
