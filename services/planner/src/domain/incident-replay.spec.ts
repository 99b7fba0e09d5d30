import { describe, expect, it } from '@jest/globals';
import { DependencyGraph, analyzeIncident } from '@mapek/anomaly';
import { AutonomyLevel, newEventId, type AnalysisV1 } from '@mapek/contracts';
import { ReplayNotPossibleError, compareDecisions, replayIncident, type StoredEvent, type StoredIncident } from './incident-replay.js';
import { buildPlan, type Guardrails } from './plan-builder.js';
import { defaultRemediationRules } from './remediation-rules.js';

const guardrails: Guardrails = { autoHealing: true, dryRun: false, maxAutoRisk: 'medium', planTtlMs: 60_000 };
const effectors = new Set(['agent', 'operator']);

function decide(overrides: { guardrails?: Guardrails; level?: AutonomyLevel } = {}) {
  return (analysisId: string, analysis: AnalysisV1) =>
    buildPlan({
      analysisId,
      analysis,
      rules: defaultRemediationRules,
      stats: new Map(),
      coolingDown: new Set(),
      effectors,
      guardrails: overrides.guardrails ?? guardrails,
      ...(overrides.level
        ? { autonomy: { of: () => ({ level: overrides.level ?? AutonomyLevel.auto, streak: 0 }), promoteAfter: 3 } }
        : {}),
      now: 0,
    });
}

/** A healed memory leak as knowledge stores it: the symptom, the analysis, and the plan decided then. */
function storedLeak(): StoredIncident {
  const incidentId = newEventId();
  const symptomId = newEventId();
  const analysisId = newEventId();
  const time = '2026-01-01T00:00:00.000Z';
  const symptom: StoredEvent = {
    id: symptomId,
    type: 'symptom',
    time,
    target: 'demo-app',
    data: { metric: 'memory_mb', severity: 'critical', value: 512, threshold: 400, observedAt: time },
  };
  const analysis: AnalysisV1 = analyzeIncident(
    [{ id: symptomId, target: 'demo-app', metric: 'memory_mb', severity: 'critical', value: 512, threshold: 400, time: Date.parse(time) }],
    [],
    new DependencyGraph(),
  );
  const plan = decide()(analysisId, analysis).plan;
  return {
    id: incidentId,
    target: 'demo-app',
    events: {
      symptoms: [symptom],
      analyses: [{ id: analysisId, type: 'analysis', time, target: 'demo-app', incidentId, data: analysis }],
      plans: [
        { id: newEventId(), type: 'plan.proposed', time, target: 'demo-app', incidentId, data: plan },
        { id: newEventId(), type: 'plan.approved', time, target: 'demo-app', incidentId, data: plan },
      ],
    },
  };
}

describe('incident replay', () => {
  it('finds no difference when the rules and flags are those of then', () => {
    const report = replayIncident({ incident: storedLeak(), decide: decide(), now: 0 });
    expect(report.then.plan?.actions).toEqual(['clear_cache', 'collect_garbage']);
    expect(report.now.plan?.actions).toEqual(['clear_cache', 'collect_garbage']);
    expect(report.now.rootCauses[0]).toMatchObject({ target: 'demo-app', cause: 'memory_leak' });
    expect(report.differences).toEqual([]);
  });

  it('shows that shadow mode turned on since would make the same remedy a dry run', () => {
    const report = replayIncident({ incident: storedLeak(), decide: decide({ guardrails: { ...guardrails, dryRun: true } }), now: 0 });
    expect(report.then.plan?.dryRun).toBe(false);
    expect(report.now.plan?.dryRun).toBe(true);
    expect(report.differences).toContain('dry run (shadow mode): off then, on now');
  });

  it('shows that a lower autonomy level would make the plan wait for two approvers', () => {
    const report = replayIncident({ incident: storedLeak(), decide: decide({ level: AutonomyLevel.suggest }), now: 0 });
    expect(report.now.plan).toMatchObject({ approval: 'manual', requiredApprovals: 2, status: 'pending', autonomyLevel: 'suggest' });
    expect(report.differences).toEqual(
      expect.arrayContaining([
        'approval: automatic (0 approvers) then, manual (2 approvers) now',
        'autonomy: none then, suggest now',
        'first step: approved at once then, pending now',
      ]),
    );
  });

  it('reports a changed root-cause ranking, chosen plan and candidate scores', () => {
    const then = {
      rootCauses: [{ target: 'a', cause: 'latency', confidence: 0.6 }],
      plan: {
        planId: 'p',
        rule: 'latency/degrade',
        actions: ['enable_degraded_mode'],
        score: 0.2,
        approval: 'automatic',
        requiredApprovals: 0,
        dryRun: false,
        autonomyLevel: null,
        status: 'approved',
        reason: null,
        candidates: [{ name: 'degrade', status: 'chosen', score: 0.2 }],
      },
    };
    const now = {
      rootCauses: [
        { target: 'a', cause: 'memory_leak', confidence: 0.9 },
        { target: 'a', cause: 'latency', confidence: 0.6 },
      ],
      plan: {
        ...then.plan,
        rule: 'memory-leak/free-memory',
        actions: ['clear_cache', 'collect_garbage'],
        candidates: [
          { name: 'degrade', status: 'outranked', score: 0.1 },
          { name: 'free-memory', status: 'chosen', score: 0.7 },
        ],
      },
    };
    expect(compareDecisions(then, now)).toEqual([
      'root causes: latency@a then, memory_leak@a > latency@a now',
      'chosen plan: latency/degrade then, memory-leak/free-memory now',
      'actions: enable_degraded_mode then, clear_cache+collect_garbage now',
      'candidate degrade: chosen then, outranked now',
      'candidate free-memory: new (chosen)',
    ]);
  });

  it('cannot replay an incident without stored symptoms', () => {
    const incident = { ...storedLeak(), events: { symptoms: [] } };
    expect(() => replayIncident({ incident, decide: decide(), now: 0 })).toThrow(ReplayNotPossibleError);
  });
});
