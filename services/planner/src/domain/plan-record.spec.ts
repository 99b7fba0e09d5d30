import { describe, expect, it } from '@jest/globals';
import { newEventId, type PlanV1 } from '@mapek/contracts';
import { PlanStatus, approve, cancelForResolvedSignal, type PlanRecord } from './plan-record.js';

function pending(): PlanRecord {
  const plan: PlanV1 = {
    planId: newEventId(),
    analysisId: newEventId(),
    cause: 'memory_leak',
    rule: 'memory-leak',
    priority: 'high',
    risk: 'medium',
    steps: [{ action: 'collect_garbage', target: 'demo-app', params: {}, timeoutMs: 5000 }],
    score: 0.4,
    benefit: 0.6,
    cost: 0.2,
    expectedSuccessRate: 0.5,
    approval: 'manual',
    requiredApprovals: 1,
    approvedBy: [],
    expiresAt: '2026-12-04T22:00:00.000Z',
    dryRun: false,
  };
  return {
    plan,
    status: PlanStatus.pending,
    target: 'demo-app',
    incidentId: newEventId(),
    analysisEventId: plan.analysisId,
    createdAt: '2026-12-04T21:00:00.000Z',
  };
}

describe('a plan whose signal was resolved', () => {
  it('is cancelled while it waits for approval, with signal_resolved for machines and a reason for people', () => {
    const cancelled = cancelForResolvedSignal(pending(), '2026-12-04T21:01:00.000Z');
    expect(cancelled).toMatchObject({
      status: 'rejected',
      rejectedBy: 'planner',
      decidedAt: '2026-12-04T21:01:00.000Z',
      plan: { rejectionCode: 'signal_resolved', reason: expect.stringContaining('resolved') },
    });
    expect(cancelled.plan.guardrails?.at(-1)).toEqual({
      check: 'signal',
      verdict: 'hold',
      detail: expect.stringContaining('resolved at its source'),
    });
    // An approval arriving afterwards changes nothing.
    expect(approve(cancelled, 'alice', '2026-12-04T21:02:00.000Z')).toBe(cancelled);
  });

  it('is left as it is once approved or decided: the executor refuses to start it instead', () => {
    const approved = approve(pending(), 'alice', '2026-12-04T21:00:30.000Z');
    expect(approved.status).toBe('approved');
    expect(cancelForResolvedSignal(approved, '2026-12-04T21:01:00.000Z')).toBe(approved);
  });
});
