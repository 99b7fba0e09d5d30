import {
  ActionType,
  AutonomyLevel,
  CandidateStatus,
  GuardrailVerdict,
  type GuardrailCheck,
  type PlanCandidate,
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
  /** Where `autoHealing` came from (a runtime flag's key and actor, or the config), for the decision record. */
  readonly autoHealingFrom?: string;
  /** Why the plan is a dry run (global config, or a target's shadow mode), for the decision record. */
  readonly dryRunFrom?: string;
}

/** The autonomy level of a (cause, remedy) and the ladder's rule, as the runtime flags hold them. */
export interface AutonomyInput {
  readonly of: (actions: readonly ActionType[]) => { readonly level: AutonomyLevel; readonly streak: number };
  readonly promoteAfter: number;
}

export interface PlanInput {
  readonly analysisId: string;
  readonly analysis: AnalysisV1;
  readonly rules: readonly RemediationRule[];
  /** Learned statistics by remedy signature (`plan:a+b`, see remedySignature). */
  readonly stats: ReadonlyMap<string, ActionStats>;
  /** Effectors this deployment has (an action whose effector is missing cannot be planned). */
  readonly effectors: ReadonlySet<string>;
  /**
   * What the target's effector offers, from the configuration file: its kind and actions. Unset
   * (no file, a target it does not name, an agent that does not list its remedies): the deployment's
   * effectors decide, as above. Set: only candidates whose every action is offered are planned.
   */
  readonly offered?: { readonly effector: string; readonly actions: ReadonlySet<ActionType> };
  /** `target:action` pairs still cooling down from a recent run. */
  readonly coolingDown: ReadonlySet<string>;
  readonly guardrails: Guardrails;
  /** Unset: every (cause, remedy) is at `auto` (only the other guardrails apply). */
  readonly autonomy?: AutonomyInput;
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

export function scoreCandidate(
  candidate: RemediationCandidate,
  confidence: number,
  stats: ReadonlyMap<string, ActionStats>,
): ScoredCandidate {
  const learned = stats.get(remedySignature(candidate.steps.map((step) => step.action)));
  const rate = successRate(learned, candidate.prior);
  const cost = Math.min(
    1,
    candidate.steps.reduce((sum, step) => sum + actionCatalog[step.action].cost, 0),
  );
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
  const offered = input.offered;
  const deployable = (rule?.candidates ?? []).filter((candidate) =>
    candidate.steps.every((step) => offered !== undefined || input.effectors.has(actionCatalog[step.action].effector)),
  );
  const executable = deployable.filter(
    (candidate) =>
      offered === undefined || candidate.steps.every((step) => step.action === ActionType.escalate || offered.actions.has(step.action)),
  );
  const capabilities = capabilitiesCheck(top.target, offered, deployable, executable);
  const available = executable.filter((candidate) =>
    candidate.steps.every((step) => !input.coolingDown.has(`${top.target}:${step.action}`)),
  );
  const ranked = rankCandidates(available.map((candidate) => scoreCandidate(candidate, top.confidence, input.stats)));
  const best = ranked.find((scored) => scored.score > 0);
  const candidates = candidateRecord(rule?.candidates ?? [], deployable, executable, ranked, best);

  if (!best) {
    const reason = !rule
      ? `no remediation rule for ${top.cause}`
      : offered !== undefined && offered.actions.size === 0
        ? `${top.target} is watched only (effector ${offered.effector}): nothing acts on it`
        : offered !== undefined && executable.length === 0
          ? `the ${offered.effector} effector of ${top.target} offers none of the remedies for ${top.cause}`
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
      candidates,
      guardrails: [
        ...(capabilities ? [capabilities] : []),
        { check: 'escalation', verdict: GuardrailVerdict.info, detail: `${reason}: escalated to an operator, approved at once` },
        dryRunCheck(input.guardrails),
      ],
    };
    return { plan, next: 'approve' };
  }

  const actions = best.candidate.steps.map((step) => step.action);
  const autonomy = input.autonomy?.of(actions) ?? { level: AutonomyLevel.auto, streak: 0 };
  const riskAllowed = input.guardrails.maxAutoRisk !== 'none' && riskRank(best.risk) <= riskRank(input.guardrails.maxAutoRisk);
  const automatic = input.guardrails.autoHealing && riskAllowed && autonomy.level === AutonomyLevel.auto;
  // The two-person rule: high risk, or a remedy that is only a suggestion at this autonomy level.
  const twoPerson = best.risk === RiskLevel.high || autonomy.level === AutonomyLevel.suggest;
  const remedy = actions.join('+');
  const guardrails: GuardrailCheck[] = [
    ...(capabilities ? [capabilities] : []),
    {
      check: 'auto_healing',
      verdict: input.guardrails.autoHealing ? GuardrailVerdict.pass : GuardrailVerdict.hold,
      detail: `${input.guardrails.autoHealing ? 'on' : 'off: every plan waits for an operator'} (${input.guardrails.autoHealingFrom ?? 'config MAPEK_AUTO_HEALING'})`,
    },
    {
      check: 'risk',
      verdict: riskAllowed ? GuardrailVerdict.pass : GuardrailVerdict.hold,
      detail: `risk ${best.risk}; automatic approval up to ${input.guardrails.maxAutoRisk}${best.risk === RiskLevel.high ? '; high risk needs two different approvers' : ''}`,
    },
    {
      check: 'autonomy',
      verdict: autonomy.level === AutonomyLevel.auto ? GuardrailVerdict.pass : GuardrailVerdict.hold,
      detail:
        autonomy.level === AutonomyLevel.auto
          ? `${top.cause} × ${remedy}: auto`
          : `${top.cause} × ${remedy}: ${autonomy.level}${autonomy.level === AutonomyLevel.suggest ? ' (two different approvers)' : ''}; ${autonomy.streak} of ${input.autonomy?.promoteAfter ?? 0} successful approved runs towards promotion`,
    },
    dryRunCheck(input.guardrails),
  ];
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
    requiredApprovals: automatic ? 0 : twoPerson ? 2 : 1,
    approvedBy: automatic ? ['planner'] : [],
    expiresAt,
    dryRun: input.guardrails.dryRun,
    reason: `${top.cause} on ${top.target} (confidence ${top.confidence.toFixed(2)}): ${best.candidate.name} scores ${best.score.toFixed(3)}`,
    candidates,
    guardrails,
    ...(input.autonomy ? { autonomy: { level: autonomy.level, streak: autonomy.streak, promoteAfter: input.autonomy.promoteAfter } } : {}),
  };
  return { plan, next: automatic ? 'approve' : 'pending' };
}

/**
 * Whether a plan acts with no operator in the loop: approved by the planner itself, and doing more
 * than escalating to an operator. Only such plans count against the hourly cap.
 */
export function actsAutomatically(plan: PlanV1): boolean {
  return plan.approval === ApprovalMode.automatic && plan.steps[0]?.action !== ActionType.escalate;
}

/**
 * The hourly cap on automatic actions: a plan about to act automatically carries the cap's check
 * in its decision record, and once `maxPerHour` have been approved this hour it waits for one
 * operator instead. Every other decision is left as it is.
 */
export function holdOverHourlyCap(decision: PlanDecision, approvalsThisHour: number, maxPerHour: number): PlanDecision {
  if (decision.next !== 'approve' || !actsAutomatically(decision.plan)) return decision;
  const check: GuardrailCheck = {
    check: 'hourly_cap',
    verdict: approvalsThisHour >= maxPerHour ? GuardrailVerdict.hold : GuardrailVerdict.pass,
    detail: `${approvalsThisHour} of ${maxPerHour} automatic approvals this hour`,
  };
  const plan: PlanV1 = { ...decision.plan, guardrails: [...(decision.plan.guardrails ?? []), check] };
  if (approvalsThisHour < maxPerHour) return { plan, next: 'approve' };
  return {
    plan: {
      ...plan,
      approval: ApprovalMode.manual,
      requiredApprovals: 1,
      approvedBy: [],
      reason: `${plan.reason ?? ''}; held: more than ${maxPerHour} automatic actions this hour`,
    },
    next: 'pending',
  };
}

function dryRunCheck(guardrails: Guardrails): GuardrailCheck {
  return guardrails.dryRun
    ? {
        check: 'shadow_mode',
        verdict: GuardrailVerdict.modify,
        detail: `dry run: the executor simulates the plan, nothing is actuated (${guardrails.dryRunFrom ?? 'config MAPEK_DRY_RUN'})`,
      }
    : { check: 'shadow_mode', verdict: GuardrailVerdict.pass, detail: 'off: the plan is carried out' };
}

/** What the target's effector offers and which candidates that dropped, for the decision record; none without a configured effector. */
function capabilitiesCheck(
  target: string,
  offered: PlanInput['offered'],
  deployable: readonly RemediationCandidate[],
  executable: readonly RemediationCandidate[],
): GuardrailCheck | undefined {
  if (offered === undefined) return undefined;
  const dropped = deployable.filter((candidate) => !executable.includes(candidate)).map((candidate) => candidate.name);
  const actions = [...offered.actions].join(', ') || 'nothing';
  return {
    check: 'capabilities',
    verdict: dropped.length > 0 ? GuardrailVerdict.modify : GuardrailVerdict.pass,
    detail:
      `the ${offered.effector} effector of ${target} offers ${actions}${dropped.length > 0 ? `; dropped: ${dropped.join(', ')}` : ''}`.slice(
        0,
        500,
      ),
  };
}

/** Every candidate of the rule with what became of it: chosen, outranked, not worth it, cooling down, not offered by the target's effector, or not executable here. */
function candidateRecord(
  all: readonly RemediationCandidate[],
  deployable: readonly RemediationCandidate[],
  executable: readonly RemediationCandidate[],
  ranked: readonly ScoredCandidate[],
  best: ScoredCandidate | undefined,
): PlanCandidate[] {
  const actionsOf = (candidate: RemediationCandidate) => candidate.steps.map((step) => step.action);
  const scored: PlanCandidate[] = ranked.map((entry) => ({
    name: entry.candidate.name,
    actions: actionsOf(entry.candidate),
    status: entry === best ? CandidateStatus.chosen : entry.score > 0 ? CandidateStatus.outranked : CandidateStatus.notWorthIt,
    risk: entry.risk,
    score: entry.score,
    benefit: entry.benefit,
    cost: entry.cost,
    successRate: entry.successRate,
  }));
  const unscored: PlanCandidate[] = all
    .filter((candidate) => !ranked.some((entry) => entry.candidate === candidate))
    .map((candidate) => ({
      name: candidate.name,
      actions: actionsOf(candidate),
      status: executable.includes(candidate)
        ? CandidateStatus.coolingDown
        : deployable.includes(candidate)
          ? CandidateStatus.notOffered
          : CandidateStatus.noEffector,
      risk: candidate.risk ?? maxRisk(candidate.steps.map((step) => actionCatalog[step.action].risk)),
    }));
  return [...scored, ...unscored].slice(0, 20);
}
