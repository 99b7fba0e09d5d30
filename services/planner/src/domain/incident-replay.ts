import { analyzeIncident, DependencyGraph, type IncidentAnalysis, type Symptom } from '@mapek/anomaly';
import { deriveEventId, type AnalysisV1, type PlanCandidate, type PlanV1 } from '@mapek/contracts';
import type { PlanDecision } from './plan-builder.js';

/** An event as knowledge's incident endpoint returns it. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly target: string;
  readonly incidentId?: string | null;
  readonly data: unknown;
}

/** Knowledge's incident detail: the incident and its events grouped by kind. */
export interface StoredIncident {
  readonly id: string;
  readonly target: string;
  readonly events: Readonly<Record<string, readonly StoredEvent[] | undefined>>;
}

/** One side of the comparison: a ranked analysis and the plan chosen for it. */
export interface ReplayedDecision {
  readonly rootCauses: readonly { target: string; cause: string; confidence: number }[];
  readonly plan: {
    readonly planId: string;
    readonly rule: string;
    readonly actions: readonly string[];
    readonly score: number;
    readonly approval: string;
    readonly requiredApprovals: number;
    readonly dryRun: boolean;
    readonly autonomyLevel: string | null;
    /** approved / pending / rejected: then the plan's final state, now what the planner would do at once. */
    readonly status: string;
    readonly reason: string | null;
    readonly candidates: readonly { name: string; status: string; score: number | null }[];
  } | null;
}

export interface ReplayReport {
  readonly incidentId: string;
  readonly target: string;
  readonly replayedAt: string;
  readonly symptoms: number;
  readonly then: ReplayedDecision;
  readonly now: ReplayedDecision;
  /** One line per difference a person should look at; empty when the current rules decide alike. */
  readonly differences: readonly string[];
  /** What the replay leaves out, since it decides for a past moment and changes nothing. */
  readonly notReplayed: readonly string[];
}

export interface ReplayInput {
  readonly incident: StoredIncident;
  /** The current planning logic (rules, flags, learned statistics) over an analysis. */
  readonly decide: (analysisId: string, analysis: AnalysisV1) => PlanDecision;
  /** Declared dependency edges [dependent, dependency]; none: causes are ranked per target. */
  readonly dependencies?: readonly (readonly [string, string])[];
  readonly now: number;
}

export class ReplayNotPossibleError extends Error {
  override readonly name = 'ReplayNotPossibleError';
  readonly code = 'no_symptoms';
  readonly retryable = false;
}

const events = (incident: StoredIncident, kind: string): readonly StoredEvent[] => incident.events[kind] ?? [];

function symptomOf(event: StoredEvent): Symptom | undefined {
  const data = event.data as {
    metric?: unknown;
    severity?: unknown;
    value?: unknown;
    threshold?: unknown;
    component?: unknown;
    observedAt?: unknown;
  } | null;
  if (!data || typeof data.metric !== 'string' || typeof data.value !== 'number') return undefined;
  const severity = data.severity === 'critical' || data.severity === 'warning' || data.severity === 'info' ? data.severity : 'warning';
  const time = Date.parse(typeof data.observedAt === 'string' ? data.observedAt : event.time);
  return {
    id: event.id,
    target: event.target,
    ...(typeof data.component === 'string' ? { component: data.component } : {}),
    metric: data.metric,
    severity,
    value: data.value,
    ...(typeof data.threshold === 'number' ? { threshold: data.threshold } : {}),
    time,
  };
}

function ranked(analysis: Pick<IncidentAnalysis | AnalysisV1, 'rootCauses'> | undefined): ReplayedDecision['rootCauses'] {
  return (analysis?.rootCauses ?? []).map((cause) => ({ target: cause.target, cause: cause.cause, confidence: cause.confidence }));
}

function planSummary(plan: PlanV1, status: string): NonNullable<ReplayedDecision['plan']> {
  return {
    planId: plan.planId,
    rule: plan.rule,
    actions: plan.steps.map((step) => step.action),
    score: plan.score,
    approval: plan.approval,
    requiredApprovals: plan.requiredApprovals,
    dryRun: plan.dryRun,
    autonomyLevel: plan.autonomy?.level ?? null,
    status,
    reason: plan.reason ?? null,
    candidates: (plan.candidates ?? []).map((candidate: PlanCandidate) => ({
      name: candidate.name,
      status: candidate.status,
      score: candidate.score ?? null,
    })),
  };
}

/** What was decided then: the first analysis and its plan, with the plan's final state. */
function decidedThen(incident: StoredIncident): { analysisEvent: StoredEvent | undefined; decision: ReplayedDecision } {
  const analysisEvent = events(incident, 'analyses')[0];
  const analysis = analysisEvent?.data as AnalysisV1 | undefined;
  const plans = events(incident, 'plans');
  const proposed =
    plans.find((event) => event.type === 'plan.proposed' && (!analysisEvent || (event.data as PlanV1).analysisId === analysisEvent.id)) ??
    plans.find((event) => event.type === 'plan.proposed');
  const plan = proposed?.data as PlanV1 | undefined;
  const final = plan
    ? plans.filter((event) => event.type !== 'plan.proposed' && (event.data as PlanV1).planId === plan.planId).at(-1)
    : undefined;
  const status = final?.type === 'plan.approved' ? 'approved' : final?.type === 'plan.rejected' ? 'rejected' : 'pending';
  return { analysisEvent, decision: { rootCauses: ranked(analysis), plan: plan ? planSummary(plan, status) : null } };
}

/** The differences between then and now that change what happens, one sentence each. */
export function compareDecisions(then: ReplayedDecision, now: ReplayedDecision): string[] {
  const differences: string[] = [];
  const order = (decision: ReplayedDecision) => decision.rootCauses.map((cause) => `${cause.cause}@${cause.target}`).join(' > ');
  if (order(then) !== order(now)) differences.push(`root causes: ${order(then) || 'none'} then, ${order(now) || 'none'} now`);
  const a = then.plan;
  const b = now.plan;
  if (!a || !b) {
    if (a !== b) differences.push(`plan: ${a ? a.rule : 'none'} then, ${b ? b.rule : 'none'} now`);
    return differences;
  }
  if (a.rule !== b.rule) differences.push(`chosen plan: ${a.rule} then, ${b.rule} now`);
  if (a.actions.join('+') !== b.actions.join('+')) differences.push(`actions: ${a.actions.join('+')} then, ${b.actions.join('+')} now`);
  if (a.approval !== b.approval || a.requiredApprovals !== b.requiredApprovals) {
    differences.push(
      `approval: ${a.approval} (${a.requiredApprovals} approvers) then, ${b.approval} (${b.requiredApprovals} approvers) now`,
    );
  }
  if (a.dryRun !== b.dryRun) differences.push(`dry run (shadow mode): ${a.dryRun ? 'on' : 'off'} then, ${b.dryRun ? 'on' : 'off'} now`);
  if ((a.autonomyLevel ?? 'none') !== (b.autonomyLevel ?? 'none'))
    differences.push(`autonomy: ${a.autonomyLevel ?? 'none'} then, ${b.autonomyLevel ?? 'none'} now`);
  const thenStatus = a.status === 'approved' && a.approval === 'manual' ? 'pending' : a.status;
  if (thenStatus !== b.status)
    differences.push(
      `first step: ${thenStatus === 'approved' ? 'approved at once' : thenStatus} then, ${b.status === 'approved' ? 'approved at once' : b.status} now`,
    );
  for (const candidate of b.candidates) {
    const before = a.candidates.find((known) => known.name === candidate.name);
    if (!before) differences.push(`candidate ${candidate.name}: new (${candidate.status})`);
    else if (before.status !== candidate.status)
      differences.push(`candidate ${candidate.name}: ${before.status} then, ${candidate.status} now`);
    else if (before.score !== null && candidate.score !== null && Math.abs(before.score - candidate.score) >= 0.0005) {
      differences.push(`candidate ${candidate.name}: score ${before.score.toFixed(3)} then, ${candidate.score.toFixed(3)} now`);
    }
  }
  for (const candidate of a.candidates)
    if (!b.candidates.some((known) => known.name === candidate.name))
      differences.push(`candidate ${candidate.name}: gone (was ${candidate.status})`);
  return differences;
}

/**
 * Re-decides a stored incident with the current logic, changing nothing: the analysis is ranked
 * again from the stored symptoms (the same function as the analyzer's), the plan built again with
 * the current rules, runtime flags and learned statistics, and both set beside what was decided
 * then. The incident's own symptoms are the ones its stored analysis named; the others stored
 * around it are the recent context the analyzer saw.
 */
export function replayIncident(input: ReplayInput): ReplayReport {
  const { incident } = input;
  const symptoms = events(incident, 'symptoms')
    .map(symptomOf)
    .filter((symptom): symptom is Symptom => symptom !== undefined);
  const { analysisEvent, decision: then } = decidedThen(incident);
  const named = new Set((analysisEvent?.data as AnalysisV1 | undefined)?.symptomIds ?? []);
  const own =
    named.size > 0 ? symptoms.filter((symptom) => named.has(symptom.id)) : symptoms.filter((symptom) => symptom.target === incident.target);
  if (own.length === 0) throw new ReplayNotPossibleError(`incident ${incident.id} has no stored symptoms to analyze`);
  const graph = new DependencyGraph();
  for (const [dependent, dependency] of input.dependencies ?? []) graph.dependsOn(dependent, dependency);
  const analysis: AnalysisV1 = analyzeIncident(
    own,
    symptoms.filter((symptom) => !own.includes(symptom)),
    graph,
  );
  const analysisId = analysisEvent?.id ?? deriveEventId(own[0]?.id ?? incident.id, 'analysis');
  const decision = input.decide(analysisId, analysis);
  const status = decision.next === 'approve' ? 'approved' : decision.next === 'reject' ? 'rejected' : 'pending';
  const now: ReplayedDecision = { rootCauses: ranked(analysis), plan: planSummary(decision.plan, status) };
  return {
    incidentId: incident.id,
    target: incident.target,
    replayedAt: new Date(input.now).toISOString(),
    symptoms: own.length,
    then,
    now,
    differences: compareDecisions(then, now),
    notReplayed: [
      'cooldowns and the hourly cap (they hold for the present, not for the incident)',
      'dependencies the analyzer learned from co-occurrence (only declared ones)',
    ],
  };
}
