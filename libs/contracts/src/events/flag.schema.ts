import { z } from 'zod';
import { actionTypeSchema, causeKindSchema, isoTimeSchema, targetSchema, uuidSchema } from './common.schema.js';
import { OutcomeKind } from './outcome.schema.js';

/**
 * Runtime flags: switches an operator changes while the loop runs, kept by the planner in its KV
 * bucket (`mapek_plans`, keys `flag.…`, see {@link flagRecordKey}) and announced on the event
 * stream as `flag.changed`, so knowledge chains every change into the audit trail.
 */

/**
 * How far the loop may act on its own for one (cause, remedy):
 * - `suggest`: the plan waits for two different approvers, whatever its risk (an unproven remedy);
 * - `approve`: the plan waits for an operator (two approvers when its risk is high);
 * - `auto`: the plan is approved by the planner when the other guardrails allow it (auto-healing
 *   on, risk up to the automatic maximum, the hourly cap).
 * Promoted one step after `promoteAfter` successful operator-approved runs in a row, demoted one
 * step after an outcome the policy counts as a failure.
 */
export const AutonomyLevel = { suggest: 'suggest', approve: 'approve', auto: 'auto' } as const;
export type AutonomyLevel = (typeof AutonomyLevel)[keyof typeof AutonomyLevel];
export const autonomyLevelSchema = z.enum([AutonomyLevel.suggest, AutonomyLevel.approve, AutonomyLevel.auto]);
/** The ladder, lowest first. */
export const autonomyLadder: readonly AutonomyLevel[] = [AutonomyLevel.suggest, AutonomyLevel.approve, AutonomyLevel.auto];

/** The rules of the autonomy ladder. */
export const autonomyPolicyV1Schema = z.strictObject({
  /** Successful operator-approved runs in a row that promote a (cause, remedy) one level. */
  promoteAfter: z.number().int().min(1).max(100),
  /** Outcomes that demote a (cause, remedy) one level (and reset its streak). */
  demoteOn: z.array(z.enum([OutcomeKind.partial, OutcomeKind.ineffective, OutcomeKind.degradation])).max(3),
  /** The highest level promotion reaches (an operator may still set a higher one). */
  maxLevel: autonomyLevelSchema,
});
export type AutonomyPolicyV1 = z.infer<typeof autonomyPolicyV1Schema>;

export const FlagName = {
  /** Approve plans automatically (globally, or for one target: the target's value wins). */
  autoHealing: 'auto_healing',
  /** Shadow mode (dry run) for one target: its plans are simulated, nothing is actuated. */
  shadowMode: 'shadow_mode',
  /** The autonomy level of one (cause, remedy). */
  autonomy: 'autonomy',
  /** The rules of the autonomy ladder. */
  autonomyPolicy: 'autonomy_policy',
} as const;
export type FlagName = (typeof FlagName)[keyof typeof FlagName];

/** One change of one flag. */
export const flagChangeV1Schema = z.discriminatedUnion('flag', [
  z.object({
    flag: z.literal(FlagName.autoHealing),
    /** Absent: the global switch. */
    target: targetSchema.optional(),
    /** `null` removes the value: a target follows the global switch again, the global switch the planner's MAPEK_AUTO_HEALING. */
    enabled: z.boolean().nullable(),
  }),
  z.object({ flag: z.literal(FlagName.shadowMode), target: targetSchema, enabled: z.boolean() }),
  z.object({
    flag: z.literal(FlagName.autonomy),
    cause: causeKindSchema,
    /** The remedy: its exact action sequence (as knowledge learns it, see remedySignature). */
    actions: z.array(actionTypeSchema).min(1).max(20),
    level: autonomyLevelSchema,
  }),
  z.object({ flag: z.literal(FlagName.autonomyPolicy), policy: autonomyPolicyV1Schema }),
]);
export type FlagChangeV1 = z.infer<typeof flagChangeV1Schema>;

/**
 * `flag.changed`: a runtime flag was changed, by an operator through the gateway (which publishes
 * it; the planner stores it in KV) or by the planner itself (an autonomy promotion or demotion
 * after an outcome, which then carries the plan and the incident).
 */
export const flagChangedV1Schema = z.object({
  change: flagChangeV1Schema,
  /** Who: the gateway's API key name, or `planner` for the autonomy ladder. */
  actor: z.string().min(1).max(200),
  reason: z.string().max(2000).optional(),
  /** The plan whose outcome moved an autonomy level. */
  planId: uuidSchema.optional(),
});
export type FlagChangedV1 = z.infer<typeof flagChangedV1Schema>;

/**
 * A flag as the planner keeps it in `mapek_plans` under {@link flagRecordKey}; the gateway reads
 * it. Written only by the planner.
 */
export const flagRecordV1Schema = z.object({
  change: flagChangeV1Schema,
  actor: z.string(),
  reason: z.string().optional(),
  changedAt: isoTimeSchema,
  /** The `flag.changed` event that set it. */
  eventId: uuidSchema.optional(),
  /** Autonomy only: successful operator-approved runs since the level last changed. */
  streak: z.number().int().nonnegative().optional(),
  /** Autonomy only: the plans whose outcomes were counted (latest last), so a redelivered outcome counts once. */
  countedPlans: z.array(uuidSchema).max(50).optional(),
});
export type FlagRecordV1 = z.infer<typeof flagRecordV1Schema>;

/** Keys of flag records in the plans bucket all start with this. */
export const FLAG_KEY_PREFIX = 'flag';

/**
 * Where a flag lives in the plans bucket: `flag.auto_healing[.<target>]`,
 * `flag.shadow_mode.<target>`, `flag.autonomy.<cause>.<action>[.<action>…]`, `flag.autonomy_policy`.
 */
export function flagRecordKey(change: FlagChangeV1): string {
  switch (change.flag) {
    case FlagName.autoHealing:
      return change.target === undefined ? `${FLAG_KEY_PREFIX}.${change.flag}` : `${FLAG_KEY_PREFIX}.${change.flag}.${change.target}`;
    case FlagName.shadowMode:
      return `${FLAG_KEY_PREFIX}.${change.flag}.${change.target}`;
    case FlagName.autonomy:
      return autonomyKey(change.cause, change.actions);
    case FlagName.autonomyPolicy:
      return `${FLAG_KEY_PREFIX}.${change.flag}`;
  }
}

export function autonomyKey(cause: string, actions: readonly string[]): string {
  return `${FLAG_KEY_PREFIX}.${FlagName.autonomy}.${cause}.${actions.join('.')}`;
}

/** The subject key of a `flag.changed` event: the target of a per-target flag, else `global`. */
export function flagSubjectKey(change: FlagChangeV1): string {
  return 'target' in change && change.target !== undefined ? change.target : 'global';
}
