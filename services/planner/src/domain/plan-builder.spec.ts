import { describe, expect, it } from '@jest/globals';
import { newEventId, type AnalysisV1 } from '@mapek/contracts';
import { buildPlan, holdOverHourlyCap, successRate, type ActionStats, type Guardrails } from './plan-builder.js';
import { defaultRemediationRules } from './remediation-rules.js';

const guardrails: Guardrails = { autoHealing: true, dryRun: false, maxAutoRisk: 'medium', planTtlMs: 60_000 };

function analysis(cause: AnalysisV1['rootCauses'][number]['cause'], confidence = 0.9): AnalysisV1 {
  const symptom = newEventId();
  return {
    symptomIds: [symptom],
    patterns: [],
    rootCauses: [{ target: 'demo-app', cause, confidence, explains: [symptom], reasoning: 'test' }],
    confidence,
  };
}

function input(overrides: Partial<Parameters<typeof buildPlan>[0]> = {}): Parameters<typeof buildPlan>[0] {
  return {
    analysisId: newEventId(),
    analysis: analysis('memory_leak'),
    rules: defaultRemediationRules,
    stats: new Map(),
    coolingDown: new Set(),
    effectors: new Set(['agent', 'orchestrator', 'operator']),
    guardrails,
    now: 0,
    ...overrides,
  };
}

describe('plan builder', () => {
  it('frees memory for a memory leak and approves it automatically at low risk', () => {
    const { plan, next } = buildPlan(input());
    expect(plan.steps.map((step) => step.action)).toEqual(['clear_cache', 'collect_garbage']);
    expect(plan.score).toBeCloseTo(0.9 * 0.9 - 0.1, 5);
    expect(next).toBe('approve');
    expect(plan.approval).toBe('automatic');
  });

  it('derives the same plan id from the same analysis', () => {
    const analysisId = newEventId();
    expect(buildPlan(input({ analysisId })).plan.planId).toBe(buildPlan(input({ analysisId })).plan.planId);
  });

  it('prefers the remedy knowledge says works', () => {
    const stats = new Map<string, ActionStats>([
      ['plan:clear_cache+collect_garbage', { attempts: 10, successes: 0, partials: 0, meanTimeToRecoveryMs: null }],
      ['plan:collect_garbage', { attempts: 10, successes: 10, partials: 0, meanTimeToRecoveryMs: 1000 }],
    ]);
    const { plan } = buildPlan(input({ stats }));
    expect(plan.steps.map((step) => step.action)).toEqual(['collect_garbage']);
  });

  it('skips remedies cooling down on the target and escalates when none is left', () => {
    const coolingDown = new Set(['demo-app:clear_cache', 'demo-app:collect_garbage', 'demo-app:restart_service']);
    const { plan, next } = buildPlan(input({ coolingDown }));
    expect(plan.steps[0]?.action).toBe('escalate');
    expect(next).toBe('approve');
  });

  it('never plans an action no effector here can carry out', () => {
    const { plan } = buildPlan(input({ analysis: analysis('unavailable'), effectors: new Set(['agent']) }));
    expect(plan.steps[0]?.action).toBe('escalate');
    expect(plan.reason).toMatch(/can be carried out/);
  });

  it('holds a plan for an operator when auto-healing is off', () => {
    const { plan, next } = buildPlan(input({ guardrails: { ...guardrails, autoHealing: false } }));
    expect(next).toBe('pending');
    expect(plan.requiredApprovals).toBe(1);
  });

  it('requires two approvers for a high-risk plan', () => {
    const rules = [
      {
        name: 'x',
        cause: 'latency' as const,
        priority: 'high' as const,
        candidates: [{ name: 'bypass', prior: 0.5, steps: [{ action: 'bypass_validation' as const, params: {}, timeoutMs: 1000 }] }],
      },
    ];
    const { plan, next } = buildPlan(
      input({
        rules,
        analysis: analysis('latency', 0.95),
        stats: new Map([['plan:bypass_validation', { attempts: 100, successes: 100, partials: 0, meanTimeToRecoveryMs: 1 }]]),
      }),
    );
    expect(next).toBe('pending');
    expect(plan.risk).toBe('high');
    expect(plan.requiredApprovals).toBe(2);
  });

  it('does not credit one remedy with the successes of another that shares an action', () => {
    const stats = new Map<string, ActionStats>([
      ['plan:clear_cache+collect_garbage', { attempts: 8, successes: 8, partials: 0, meanTimeToRecoveryMs: 500 }],
    ]);
    const { plan } = buildPlan(input({ stats }));
    expect(plan.steps.map((step) => step.action)).toEqual(['clear_cache', 'collect_garbage']);
  });

  it('starts an untried action at a 0.5 success rate', () => {
    expect(successRate(undefined)).toBe(0.5);
    expect(successRate({ attempts: 8, successes: 8, partials: 0, meanTimeToRecoveryMs: null })).toBeCloseTo(0.9);
  });

  describe('the hourly cap on automatic actions', () => {
    it('records the cap in the decision record of a plan that acts automatically while the hour has room', () => {
      const { plan, next } = holdOverHourlyCap(buildPlan(input()), 2, 3);
      expect(next).toBe('approve');
      expect(plan.approval).toBe('automatic');
      expect(plan.guardrails?.at(-1)).toEqual({ check: 'hourly_cap', verdict: 'pass', detail: '2 of 3 automatic approvals this hour' });
    });

    it('holds a plan for one operator once the hour has had its automatic actions', () => {
      const { plan, next } = holdOverHourlyCap(buildPlan(input()), 3, 3);
      expect(next).toBe('pending');
      expect(plan).toMatchObject({ approval: 'manual', requiredApprovals: 1, approvedBy: [] });
      expect(plan.reason).toMatch(/; held: more than 3 automatic actions this hour$/);
      expect(plan.guardrails?.at(-1)).toMatchObject({ check: 'hourly_cap', verdict: 'hold' });
    });

    it('leaves an escalation and a plan waiting for an operator as they are', () => {
      const escalation = buildPlan(
        input({ coolingDown: new Set(['demo-app:clear_cache', 'demo-app:collect_garbage', 'demo-app:restart_service']) }),
      );
      expect(holdOverHourlyCap(escalation, 10, 3)).toBe(escalation);
      const waiting = buildPlan(input({ guardrails: { ...guardrails, autoHealing: false } }));
      expect(holdOverHourlyCap(waiting, 10, 3)).toBe(waiting);
    });
  });
});
