import {
  ActionType,
  remedySignature,
  ApprovalMode,
  RiskLevel,
  deriveEventId,
  type AnalysisV1,
  type PlanV1,
  type RiskLevel as Risk,
} from '@mapek/contracts';
import { actionCatalog, maxRisk, riskRank } from './action-catalog.js';
import type { RemediationCandidate, RemediationRule } from './remediation-rules.js';

/** What knowledge has learned about one action against one cause. */
export interface ActionStats {
  readonly attempts: number;
  readonly successes: number;
  readonly partials: number;
  readonly meanTimeToRecoveryMs: number | null;
}

export interface Guardrails {
  readonly autoHealing: boolean;
  readonly dryRun: boolean;
  /** Highest risk approved without an operator; `none` sends everything to an operator. */
  readonly maxAutoRisk: Risk | 'none';
  readonly planTtlMs: number;
}

export interface PlanInput {
  readonly analysisId: string;
  readonly analysis: AnalysisV1;
  readonly rules: readonly RemediationRule[];
  /** Learned statistics by remedy signature (`plan:a+b`, see remedySignature). */
  readonly stats: ReadonlyMap<string, ActionStats>;
  /** Effectors this deployment has (an action whose effector is missing cannot be planned). */
  readonly effectors: ReadonlySet<string>;
  /** `target:action` pairs still cooling down from a recent run. */
  readonly coolingDown: ReadonlySet<string>;
  readonly guardrails: Guardrails;
  readonly now: number;
}

export interface ScoredCandidate {
  readonly candidate: RemediationCandidate;
  readonly benefit: number;
  readonly cost: number;
  readonly score: number;
  readonly successRate: number;
  readonly meanTimeToRecoveryMs: number | null;
  readonly risk: Risk;
}

/**
 * Success rate smoothed towards a prior worth two attempts (a partial counts half): an untried
 * action starts at its prior, and evidence takes over as outcomes accumulate.
 */
export function successRate(stats: ActionStats | undefined, prior = 0.5): number {
  if (!stats) return prior;
  return (stats.successes + 0.5 * stats.partials + 2 * prior) / (stats.attempts + 2);
}

export function scoreCandidate(candidate: RemediationCandidate, confidence: number, stats: ReadonlyMap<string, ActionStats>): ScoredCandidate {
  const learned = stats.get(remedySignature(candidate.steps.map((step) => step.action)));
  const rate = successRate(learned, candidate.prior);
  const cost = Math.min(1, candidate.steps.reduce((sum, step) => sum + actionCatalog[step.action].cost, 0));
  const benefit = confidence * rate;
  const ttr = learned?.meanTimeToRecoveryMs ?? null;
  return {
    candidate,
    benefit,
    cost,
    score: benefit - cost,
    successRate: rate,
    meanTimeToRecoveryMs: ttr,
    risk: candidate.risk ?? maxRisk(candidate.steps.map((step) => actionCatalog[step.action].risk)),
  };
}

/** Best first: higher score, then the faster learned recovery, then fewer steps. */
export function rankCandidates(scored: readonly ScoredCandidate[]): ScoredCandidate[] {
  return [...scored].sort(
    (a, b) =>
      b.score - a.score ||
      (a.meanTimeToRecoveryMs ?? Number.POSITIVE_INFINITY) - (b.meanTimeToRecoveryMs ?? Number.POSITIVE_INFINITY) ||
      a.candidate.steps.length - b.candidate.steps.length,
  );
}

export interface PlanDecision {
  readonly plan: PlanV1;
  /** Which event follows `plan.proposed`: approved at once, pending an operator, or rejected. */
  readonly next: 'approve' | 'pending' | 'reject';
}

/**
 * Chooses a remediation for an analysis: the rule for the top root cause, its candidates scored
 * (benefit = root-cause confidence × learned success rate, cost from the action table), those in
 * cooldown skipped, best first. Nothing worth doing escalates to an operator. The plan id is
 * derived from the analysis id, so planning the same analysis twice yields the same plan.
 */
export function buildPlan(input: PlanInput): PlanDecision {
  const top = input.analysis.rootCauses[0];
  if (!top) throw new RangeError('an analysis without root causes cannot be planned');
  const planId = deriveEventId(input.analysisId, 'plan');
  const rule = input.rules.find((candidate) => candidate.cause === top.cause);
  const expiresAt = new Date(input.now + input.guardrails.planTtlMs).toISOString();
  const executable = (rule?.candidates ?? []).filter((candidate) => candidate.steps.every((step) => input.effectors.has(actionCatalog[step.action].effector)));
  const available = executable.filter((candidate) => candidate.steps.every((step) => !input.coolingDown.has(`${top.target}:${step.action}`)));
  const best = rankCandidates(available.map((candidate) => scoreCandidate(candidate, top.confidence, input.stats))).find((scored) => scored.score > 0);

  if (!best) {
    const reason = !rule
      ? `no remediation rule for ${top.cause}`
      : executable.length === 0
        ? `no remedy for ${top.cause} can be carried out here (effectors: ${[...input.effectors].join(', ')})`
        : available.length === 0
        ? `every remedy for ${top.cause} on ${top.target} is cooling down`
        : `no remedy for ${top.cause} is worth its cost`;
    const plan: PlanV1 = {
      planId,
      analysisId: input.analysisId,
      cause: top.cause,
      rule: rule?.name ?? 'escalation',
      priority: rule?.priority ?? 'high',
      risk: RiskLevel.low,
      steps: [{ action: ActionType.escalate, target: top.target, params: { reason }, timeoutMs: 5000 }],
      score: 0,
      benefit: 0,
      cost: actionCatalog.escalate.cost,
      expectedSuccessRate: 0,
      approval: ApprovalMode.automatic,
      requiredApprovals: 0,
      approvedBy: [],
      expiresAt,
      dryRun: input.guardrails.dryRun,
      reason,
    };
    return { plan, next: 'approve' };
  }

  const automatic =
    input.guardrails.autoHealing && input.guardrails.maxAutoRisk !== 'none' && riskRank(best.risk) <= riskRank(input.guardrails.maxAutoRisk);
  const plan: PlanV1 = {
    planId,
    analysisId: input.analysisId,
    cause: top.cause,
    rule: `${rule?.name ?? top.cause}/${best.candidate.name}`,
    priority: rule?.priority ?? 'medium',
    risk: best.risk,
    steps: best.candidate.steps.map((step) => ({
      action: step.action,
      target: top.target,
      params: step.params,
      timeoutMs: step.timeoutMs,
      ...(step.rollback ? { rollback: step.rollback } : {}),
    })),
    score: best.score,
    benefit: best.benefit,
    cost: best.cost,
    expectedSuccessRate: best.successRate,
    approval: automatic ? ApprovalMode.automatic : ApprovalMode.manual,
    requiredApprovals: automatic ? 0 : best.risk === RiskLevel.high ? 2 : 1,
    approvedBy: automatic ? ['planner'] : [],
    expiresAt,
    dryRun: input.guardrails.dryRun,
    reason: `${top.cause} on ${top.target} (confidence ${top.confidence.toFixed(2)}): ${best.candidate.name} scores ${best.score.toFixed(3)}`,
  };
  return { plan, next: automatic ? 'approve' : 'pending' };
}
