import { describe, expect, it } from '@jest/globals';
import { mapekConfigurationSchema, newEventId, type AnalysisV1, type CauseKind } from '@mapek/contracts';
import { buildPlan, type PlanInput } from './plan-builder.js';
import { defaultRemediationRules } from './remediation-rules.js';
import { offeredTo, rulesFor } from './target-configuration.js';

const config = mapekConfigurationSchema.parse({
  version: 1,
  targets: [
    {
      name: 'orders',
      effector: {
        kind: 'container',
        compose: { project: 'shop', service: 'orders' },
        capabilities: [{ action: 'restart_service' }, { action: 'scale_up', inverse: { action: 'scale_down' } }],
      },
    },
    { name: 'ledger', effector: { kind: 'none' } },
    { name: 'demo-app', effector: { kind: 'agent' } },
    {
      name: 'search',
      effector: {
        kind: 'process',
        capabilities: [{ action: 'clear_cache', params: { command: 'flush' } }],
        commands: { flush: { argv: ['/bin/true'] } },
      },
      remediation: [
        {
          name: 'search-memory',
          cause: 'memory_leak',
          priority: 'high',
          candidates: [{ name: 'flush', prior: 0.9, steps: [{ action: 'clear_cache' }] }],
        },
      ],
    },
  ],
});

function plan(target: string, cause: CauseKind = 'memory_leak') {
  const symptom = newEventId();
  const analysis: AnalysisV1 = {
    symptomIds: [symptom],
    patterns: [],
    rootCauses: [{ target, cause, confidence: 0.9, explains: [symptom], reasoning: 'test' }],
    confidence: 0.9,
  };
  const offered = offeredTo(config, target);
  const input: PlanInput = {
    analysisId: newEventId(),
    analysis,
    rules: rulesFor(config, target, defaultRemediationRules),
    stats: new Map(),
    coolingDown: new Set(),
    effectors: new Set(['agent', 'operator']),
    guardrails: { autoHealing: true, dryRun: false, maxAutoRisk: 'medium', planTtlMs: 60_000 },
    ...(offered ? { offered } : {}),
    now: 0,
  };
  return buildPlan(input).plan;
}

describe('planning only what the target’s effector offers', () => {
  it('drops the agent’s remedies for a container target and plans the restart its effector offers, saying so in the decision record', () => {
    const made = plan('orders');
    expect(made.steps.map((step) => step.action)).toEqual(['restart_service']);
    expect(made.candidates?.map((candidate) => [candidate.name, candidate.status])).toEqual([
      ['restart', 'chosen'],
      ['free-memory', 'not_offered'],
      ['collect-garbage', 'not_offered'],
    ]);
    expect(made.guardrails).toContainEqual({
      check: 'capabilities',
      verdict: 'modify',
      detail: 'the container effector of orders offers restart_service, scale_up; dropped: free-memory, collect-garbage',
    });
  });

  it('escalates a watch-only target (effector none) and says why', () => {
    const made = plan('ledger');
    expect(made.steps).toMatchObject([
      { action: 'escalate', params: { reason: 'ledger is watched only (effector none): nothing acts on it' } },
    ]);
    expect(made.candidates?.every((candidate) => candidate.status === 'not_offered')).toBe(true);
  });

  it('escalates when the effector offers none of the cause’s remedies', () => {
    const made = plan('orders', 'connection_exhaustion');
    expect(made.steps[0]?.action).toBe('escalate');
    expect(made.reason).toBe('the container effector of orders offers none of the remedies for connection_exhaustion');
  });

  it('keeps today’s planning for an agent that does not list its remedies and for a target the file does not name', () => {
    expect(offeredTo(config, 'demo-app')).toBeUndefined();
    expect(offeredTo(config, 'unknown')).toBeUndefined();
    expect(plan('demo-app').steps.map((step) => step.action)).toEqual(['clear_cache', 'collect_garbage']);
    expect(plan('demo-app').guardrails?.some((check) => check.check === 'capabilities')).toBe(false);
  });

  it('takes the target’s own remediation rules before the built-in ones', () => {
    const made = plan('search');
    expect(made.rule).toBe('search-memory/flush');
    expect(made.guardrails).toContainEqual(expect.objectContaining({ check: 'capabilities', verdict: 'pass' }));
  });
});
