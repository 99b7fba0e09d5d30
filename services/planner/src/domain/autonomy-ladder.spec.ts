import { describe, expect, it } from '@jest/globals';
import type { AutonomyPolicyV1 } from '@mapek/contracts';
import { climbLadder, type LadderInput } from './autonomy-ladder.js';

const policy: AutonomyPolicyV1 = { promoteAfter: 2, demoteOn: ['ineffective', 'degradation'], maxLevel: 'auto' };
const planId = (n: number) => `0190a1b2-c3d4-7e5f-8a9b-${String(n).padStart(12, '0')}`;
const input = (overrides: Partial<LadderInput>): LadderInput => ({
  state: { key: 'flag.autonomy.memory_leak.clear_cache', level: 'approve', streak: 0 },
  cause: 'memory_leak',
  actions: ['clear_cache'],
  outcome: 'success',
  approvedByOperator: true,
  planId: planId(1),
  policy,
  now: '2026-12-04T12:00:00.000Z',
  ...overrides,
});

describe('the autonomy ladder', () => {
  it('counts a successful operator-approved run and promotes after promoteAfter of them in a row', () => {
    const first = climbLadder(input({}));
    expect(first).toMatchObject({ kind: 'count', record: { streak: 1, change: { level: 'approve' }, countedPlans: [planId(1)] } });
    if (first.kind !== 'count') throw new Error('expected a count');
    const second = climbLadder(input({ state: { key: 'k', level: 'approve', streak: 1, record: first.record }, planId: planId(2) }));
    expect(second).toMatchObject({
      kind: 'change',
      from: 'approve',
      to: 'auto',
      record: { streak: 0, actor: 'planner', change: { level: 'auto' } },
    });
  });

  it('demotes one level after a failure, whoever approved the plan, and resets the streak', () => {
    expect(
      climbLadder(input({ state: { key: 'k', level: 'auto', streak: 0 }, outcome: 'ineffective', approvedByOperator: false })),
    ).toMatchObject({ kind: 'change', from: 'auto', to: 'approve' });
    expect(climbLadder(input({ state: { key: 'k', level: 'approve', streak: 1 }, outcome: 'degradation' }))).toMatchObject({
      kind: 'change',
      from: 'approve',
      to: 'suggest',
      record: { streak: 0 },
    });
    expect(climbLadder(input({ state: { key: 'k', level: 'suggest', streak: 1 }, outcome: 'degradation' }))).toMatchObject({
      kind: 'count',
      record: { streak: 0, change: { level: 'suggest' } },
    });
  });

  it('learns nothing from a success the planner approved itself, from unknown outcomes, or from an outcome already counted', () => {
    expect(climbLadder(input({ approvedByOperator: false }))).toEqual({ kind: 'none' });
    expect(climbLadder(input({ outcome: 'unknown' }))).toEqual({ kind: 'none' });
    expect(climbLadder(input({ outcome: 'partial' }))).toEqual({ kind: 'none' });
    const counted = {
      change: { flag: 'autonomy' as const, cause: 'memory_leak' as const, actions: ['clear_cache' as const], level: 'approve' as const },
      actor: 'alice',
      changedAt: '2026-12-04T11:00:00.000Z',
      countedPlans: [planId(1)],
    };
    expect(climbLadder(input({ state: { key: 'k', level: 'approve', streak: 1, record: counted } }))).toEqual({ kind: 'none' });
  });

  it('stops promotion at the policy ceiling', () => {
    const capped = climbLadder(input({ state: { key: 'k', level: 'approve', streak: 5 }, policy: { ...policy, maxLevel: 'approve' } }));
    expect(capped).toMatchObject({ kind: 'count', record: { change: { level: 'approve' } } });
  });
});
