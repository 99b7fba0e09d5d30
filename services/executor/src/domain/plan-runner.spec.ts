import { describe, expect, it } from '@jest/globals';
import { newEventId, type PlanV1 } from '@mapek/contracts';
import type { ExecutionRecord } from './execution-record.js';
import { initialSteps, runPlan, type RunnerPorts, type StepOutcome } from './plan-runner.js';

function plan(actions: Array<{ action: PlanV1['steps'][number]['action']; rollback?: boolean }>): PlanV1 {
  return {
    planId: newEventId(),
    analysisId: newEventId(),
    cause: 'cpu_overload',
    rule: 'r',
    priority: 'high',
    risk: 'low',
    steps: actions.map(({ action, rollback }) => ({
      action,
      target: 't',
      params: {},
      timeoutMs: 100,
      ...(rollback ? { rollback: { action: 'throttle_requests' as const, params: { rate_limit: 0 } } } : {}),
    })),
    score: 1,
    benefit: 1,
    cost: 0,
    expectedSuccessRate: 1,
    approval: 'automatic',
    requiredApprovals: 0,
    approvedBy: [],
    expiresAt: new Date().toISOString(),
    dryRun: false,
  };
}

function record(p: PlanV1): ExecutionRecord {
  return {
    executionId: newEventId(),
    plan: p,
    target: 't',
    approvedEventId: newEventId(),
    status: 'pending',
    steps: initialSteps(p.steps),
    startedAt: new Date().toISOString(),
  };
}

function ports(results: Record<string, StepOutcome>, calls: string[]): RunnerPorts {
  return {
    runStep: (step, index, _id, rollback) => {
      calls.push(`${rollback ? 'undo' : 'do'}:${index}:${step.action}`);
      return Promise.resolve(results[`${rollback ? 'undo' : 'do'}:${index}`] ?? { ok: true, detail: 'ok' });
    },
    inverseOf: (step) => step.rollback,
    checkpoint: () => Promise.resolve(),
    now: () => new Date(),
  };
}

describe('plan runner', () => {
  it('marks a step whose symptom was gone not_needed, does not run the rest, and keeps the checks', async () => {
    const calls: string[] = [];
    const gone: StepOutcome = {
      ok: true,
      notNeeded: true,
      detail: 'gone',
      checks: [{ check: 'symptom', step: 1, verdict: 'skip', detail: 'gone' }],
    };
    const done = await runPlan(
      record(plan([{ action: 'clear_cache' }, { action: 'collect_garbage' }, { action: 'restart_service' }])),
      ports({ 'do:1': gone }, calls),
    );
    expect(calls).toEqual(['do:0:clear_cache', 'do:1:collect_garbage']);
    expect(done.status).toBe('completed');
    expect(done.steps.map((step) => step.status)).toEqual(['completed', 'not_needed', 'not_needed']);
    expect(done.checks).toEqual([{ check: 'symptom', step: 1, verdict: 'skip', detail: 'gone' }]);
  });

  it('undoes a completed step with the inverse its effector declares when the plan names no rollback', async () => {
    const calls: string[] = [];
    const runner = {
      ...ports({ 'do:1': { ok: false, detail: 'broken' } }, calls),
      inverseOf: () => ({ action: 'scale_down' as const, params: {} }),
    };
    const done = await runPlan(record(plan([{ action: 'scale_up' }, { action: 'restart_service' }])), runner);
    expect(calls).toEqual(['do:0:scale_up', 'do:1:restart_service', 'undo:0:scale_down']);
    expect(done.status).toBe('rolled_back');
  });

  it('runs every step in order and completes', async () => {
    const calls: string[] = [];
    const done = await runPlan(record(plan([{ action: 'clear_cache' }, { action: 'collect_garbage' }])), ports({}, calls));
    expect(done.status).toBe('completed');
    expect(calls).toEqual(['do:0:clear_cache', 'do:1:collect_garbage']);
  });

  it('rolls back the completed steps in reverse when a step fails', async () => {
    const calls: string[] = [];
    const p = plan([
      { action: 'throttle_requests', rollback: true },
      { action: 'scale_up', rollback: true },
      { action: 'restart_service' },
    ]);
    const done = await runPlan(record(p), ports({ 'do:2': { ok: false, detail: 'boom', errorCode: 'remedy_failed' } }, calls));
    expect(done.status).toBe('rolled_back');
    expect(calls).toEqual([
      'do:0:throttle_requests',
      'do:1:scale_up',
      'do:2:restart_service',
      'undo:1:throttle_requests',
      'undo:0:throttle_requests',
    ]);
    expect(done.steps.map((step) => step.status)).toEqual(['rolled_back', 'rolled_back', 'failed']);
  });

  it('resumes after the last completed step', async () => {
    const calls: string[] = [];
    const start = record(plan([{ action: 'clear_cache' }, { action: 'collect_garbage' }]));
    const resumed = { ...start, steps: start.steps.map((step) => (step.index === 0 ? { ...step, status: 'completed' as const } : step)) };
    await runPlan(resumed, ports({}, calls));
    expect(calls).toEqual(['do:1:collect_garbage']);
  });

  it('actuates nothing in dry-run mode', async () => {
    const calls: string[] = [];
    const done = await runPlan(record({ ...plan([{ action: 'restart_service' }]), dryRun: true }), ports({}, calls));
    expect(calls).toEqual([]);
    expect(done.steps[0]?.detail).toMatch(/dry run/);
  });
});
