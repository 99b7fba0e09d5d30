import { describe, expect, it } from '@jest/globals';
import { newEventId, type AnalysisV1, type AutonomyLevel } from '@mapek/contracts';
import { buildPlan, type Guardrails } from './plan-builder.js';
import { defaultRemediationRules } from './remediation-rules.js';

const guardrails: Guardrails = { autoHealing: true, dryRun: false, maxAutoRisk: 'medium', planTtlMs: 60_000 };

function analysis(): AnalysisV1 {
  const symptom = newEventId();
  return {
    symptomIds: [symptom],
    patterns: [],
    rootCauses: [{ target: 'demo-app', cause: 'memory_leak', confidence: 0.9, explains: [symptom], reasoning: 'test' }],
    confidence: 0.9,
  };
}

function plan(overrides: { guardrails?: Partial<Guardrails>; level?: AutonomyLevel; coolingDown?: Set<string> } = {}) {
  return buildPlan({
    analysisId: newEventId(),
    analysis: analysis(),
    rules: defaultRemediationRules,
    stats: new Map(),
    coolingDown: overrides.coolingDown ?? new Set(),
    effectors: new Set(['agent', 'operator']),
    guardrails: { ...guardrails, ...overrides.guardrails },
    ...(overrides.level ? { autonomy: { of: () => ({ level: overrides.level ?? 'auto', streak: 1 }), promoteAfter: 3 } } : {}),
    now: 0,
  });
}

describe('the decision record a plan carries', () => {
  it('lists every candidate with its score and what became of it', () => {
    const { plan: made } = plan({ coolingDown: new Set(['demo-app:collect_garbage']) });
    expect(made.candidates?.map((candidate) => [candidate.name, candidate.status])).toEqual(
      expect.arrayContaining([
        [expect.any(String), 'cooling_down'],
        [expect.any(String), 'no_effector'],
      ]),
    );
    const { plan: free } = plan();
    expect(free.candidates?.[0]).toMatchObject({
      status: 'chosen',
      actions: ['clear_cache', 'collect_garbage'],
      score: free.score,
      successRate: expect.any(Number),
    });
  });

  it('records each guardrail check and where its flag came from', () => {
    const { plan: made, next } = plan({ guardrails: { autoHealing: false, autoHealingFrom: 'runtime flag flag.auto_healing by alice' } });
    expect(next).toBe('pending');
    expect(made.guardrails).toEqual(
      expect.arrayContaining([
        {
          check: 'auto_healing',
          verdict: 'hold',
          detail: 'off: every plan waits for an operator (runtime flag flag.auto_healing by alice)',
        },
        expect.objectContaining({ check: 'risk', verdict: 'pass' }),
        expect.objectContaining({ check: 'shadow_mode', verdict: 'pass' }),
      ]),
    );
  });

  it('holds a remedy at autonomy approve for one approver, and one at suggest for two different approvers', () => {
    const approve = plan({ level: 'approve' });
    expect(approve).toMatchObject({
      next: 'pending',
      plan: { approval: 'manual', requiredApprovals: 1, autonomy: { level: 'approve', streak: 1, promoteAfter: 3 } },
    });
    expect(approve.plan.guardrails).toContainEqual(expect.objectContaining({ check: 'autonomy', verdict: 'hold' }));
    expect(plan({ level: 'suggest' }).plan).toMatchObject({ approval: 'manual', requiredApprovals: 2 });
    expect(plan({ level: 'auto' })).toMatchObject({ next: 'approve', plan: { approval: 'automatic' } });
  });

  it('marks a plan of a target in shadow mode as a dry run and says so', () => {
    const { plan: made } = plan({ guardrails: { dryRun: true, dryRunFrom: 'runtime flag flag.shadow_mode.demo-app by carol' } });
    expect(made.dryRun).toBe(true);
    expect(made.guardrails).toContainEqual({
      check: 'shadow_mode',
      verdict: 'modify',
      detail: 'dry run: the executor simulates the plan, nothing is actuated (runtime flag flag.shadow_mode.demo-app by carol)',
    });
  });
});
