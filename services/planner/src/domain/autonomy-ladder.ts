import {
  AutonomyLevel,
  FlagName,
  OutcomeKind,
  autonomyLadder,
  type AutonomyPolicyV1,
  type CauseKind,
  type FlagRecordV1,
  type OutcomeV1,
  type ActionType,
} from '@mapek/contracts';
import type { AutonomyState } from './runtime-flags.js';

/** How many plan ids an autonomy record remembers as counted (a redelivered outcome counts once). */
const COUNTED_PLANS = 20;

export interface LadderInput {
  readonly state: AutonomyState;
  readonly cause: CauseKind;
  readonly actions: readonly ActionType[];
  readonly outcome: OutcomeV1['outcome'];
  /** Whether an operator approved the plan (not the planner on its own). */
  readonly approvedByOperator: boolean;
  readonly planId: string;
  readonly policy: AutonomyPolicyV1;
  readonly now: string;
}

export type LadderStep =
  /** Nothing to record: an outcome that neither counts nor demotes, or one already counted. */
  | { readonly kind: 'none' }
  /** The streak grew, the level stays. */
  | { readonly kind: 'count'; readonly record: FlagRecordV1 }
  /** The level moved: record it and announce it (`flag.changed`). */
  | {
      readonly kind: 'change';
      readonly record: FlagRecordV1;
      readonly from: AutonomyLevel;
      readonly to: AutonomyLevel;
      readonly reason: string;
    };

function shift(level: AutonomyLevel, by: 1 | -1, ceiling: AutonomyLevel): AutonomyLevel {
  const index = autonomyLadder.indexOf(level) + by;
  const capped = Math.min(Math.max(index, 0), autonomyLadder.length - 1);
  // Promotion stops at the policy's ceiling; demotion always goes down.
  if (by > 0 && capped > autonomyLadder.indexOf(ceiling)) return level;
  return autonomyLadder[capped] ?? level;
}

/**
 * The autonomy ladder after one outcome of a (cause, remedy): a success an operator approved
 * lengthens the streak, and `promoteAfter` of them in a row promote one level (up to the policy's
 * ceiling); an outcome the policy counts as a failure demotes one level, whoever approved it.
 * Anything else (a success the planner approved itself, `unknown` from a dry run or an
 * escalation) changes nothing.
 */
export function climbLadder(input: LadderInput): LadderStep {
  const { state, policy } = input;
  const counted = state.record?.countedPlans ?? [];
  if (counted.includes(input.planId)) return { kind: 'none' };
  const failure = (policy.demoteOn as readonly string[]).includes(input.outcome);
  const success = input.outcome === OutcomeKind.success && input.approvedByOperator;
  if (!failure && !success) return { kind: 'none' };
  // At the top there is nothing to earn: a success there is not recorded.
  if (success && state.level === AutonomyLevel.auto) return { kind: 'none' };
  const base = {
    change: { flag: FlagName.autonomy, cause: input.cause, actions: [...input.actions], level: state.level },
    actor: state.record?.actor ?? 'planner',
    ...(state.record?.reason !== undefined ? { reason: state.record.reason } : {}),
    changedAt: state.record?.changedAt ?? input.now,
    ...(state.record?.eventId !== undefined ? { eventId: state.record.eventId } : {}),
    countedPlans: [...counted, input.planId].slice(-COUNTED_PLANS),
  } satisfies FlagRecordV1;
  const remedy = input.actions.join('+');
  if (failure) {
    const to = shift(state.level, -1, policy.maxLevel);
    if (to === state.level) return { kind: 'count', record: { ...base, streak: 0 } };
    const reason = `demoted: ${remedy} against ${input.cause} ended ${input.outcome} (plan ${input.planId})`;
    return {
      kind: 'change',
      from: state.level,
      to,
      reason,
      record: { ...base, change: { ...base.change, level: to }, actor: 'planner', reason, changedAt: input.now, streak: 0 },
    };
  }
  const streak = state.streak + 1;
  if (streak < policy.promoteAfter) return { kind: 'count', record: { ...base, streak: Math.min(streak, policy.promoteAfter) } };
  const to = shift(state.level, 1, policy.maxLevel);
  if (to === state.level) return { kind: 'count', record: { ...base, streak } };
  const reason = `promoted: ${streak} successful approved runs of ${remedy} against ${input.cause} in a row (policy: ${policy.promoteAfter})`;
  return {
    kind: 'change',
    from: state.level,
    to,
    reason,
    record: { ...base, change: { ...base.change, level: to }, actor: 'planner', reason, changedAt: input.now, streak: 0 },
  };
}
