import { z } from 'zod';
import {
  actionParamsSchema,
  actionTypeSchema,
  causeKindSchema,
  prioritySchema,
  riskLevelSchema,
  targetSchema,
  uuidSchema,
} from './common.schema.js';
import { autonomyLevelSchema } from './flag.schema.js';

export const planStepSchema = z.object({
  action: actionTypeSchema,
  target: targetSchema,
  params: actionParamsSchema,
  timeoutMs: z.number().int().positive().max(600_000),
  rollback: z.object({ action: actionTypeSchema, params: actionParamsSchema }).optional(),
});
export type PlanStep = z.infer<typeof planStepSchema>;

export const ApprovalMode = { automatic: 'automatic', manual: 'manual' } as const;
export type ApprovalMode = (typeof ApprovalMode)[keyof typeof ApprovalMode];

/** Why a candidate remedy was or was not chosen. */
export const CandidateStatus = {
  chosen: 'chosen',
  /** Scored, but a better one was chosen. */
  outranked: 'outranked',
  /** Scored at or below zero: not worth its cost. */
  notWorthIt: 'not_worth_it',
  coolingDown: 'cooling_down',
  /** An action's effector is not deployed here. */
  noEffector: 'no_effector',
  /** The target's effector (configuration file) does not offer one of its actions (added after version 1). */
  notOffered: 'not_offered',
} as const;
export type CandidateStatus = (typeof CandidateStatus)[keyof typeof CandidateStatus];

/** One candidate remedy the planner considered, with its score (the decision record). */
export const planCandidateSchema = z.object({
  name: z.string().max(200),
  actions: z.array(actionTypeSchema).min(1).max(20),
  status: z.enum([
    CandidateStatus.chosen,
    CandidateStatus.outranked,
    CandidateStatus.notWorthIt,
    CandidateStatus.coolingDown,
    CandidateStatus.noEffector,
    CandidateStatus.notOffered,
  ]),
  risk: riskLevelSchema,
  score: z.number().optional(),
  benefit: z.number().optional(),
  cost: z.number().optional(),
  successRate: z.number().min(0).max(1).optional(),
});
export type PlanCandidate = z.infer<typeof planCandidateSchema>;

/** What a guardrail check said about a plan: it let it through, held it for an operator, or changed it. */
export const GuardrailVerdict = { pass: 'pass', hold: 'hold', modify: 'modify', info: 'info' } as const;
export type GuardrailVerdict = (typeof GuardrailVerdict)[keyof typeof GuardrailVerdict];

/** One guardrail check of the approval decision, with the flag values it read. */
export const guardrailCheckSchema = z.object({
  /** `auto_healing`, `shadow_mode`, `dry_run`, `autonomy`, `risk`, `hourly_cap`, `cooldown`, `capabilities`, `signal` (cancelled: resolved at its source). */
  check: z.string().max(100),
  verdict: z.enum([GuardrailVerdict.pass, GuardrailVerdict.hold, GuardrailVerdict.modify, GuardrailVerdict.info]),
  detail: z.string().max(500),
});
/** The machine-readable reasons of a rejected plan (`rejectionCode`). */
export const PlanRejectionCode = {
  /** The incident's signal went away before the plan started (see `incident.resolved`). */
  signalResolved: 'signal_resolved',
} as const;
export type PlanRejectionCode = (typeof PlanRejectionCode)[keyof typeof PlanRejectionCode];

export type GuardrailCheck = z.infer<typeof guardrailCheckSchema>;

/** A scored remediation plan. Published as proposed, then approved or rejected (same planId). */
export const planV1Schema = z.object({
  planId: uuidSchema,
  analysisId: uuidSchema,
  cause: causeKindSchema,
  rule: z.string(),
  priority: prioritySchema,
  risk: riskLevelSchema,
  steps: z.array(planStepSchema).min(1).max(20),
  score: z.number(),
  benefit: z.number(),
  cost: z.number(),
  expectedSuccessRate: z.number().min(0).max(1),
  approval: z.enum([ApprovalMode.automatic, ApprovalMode.manual]),
  requiredApprovals: z.number().int().min(0).max(5),
  approvedBy: z.array(z.string()),
  expiresAt: z.iso.datetime({ offset: true }),
  dryRun: z.boolean(),
  reason: z.string().max(2000).optional(),
  /**
   * Why a rejected plan will not run, for machines (`reason` is for people): `signal_resolved` when
   * its incident's signal went away before it started (optional, added later; more codes may come).
   */
  rejectionCode: z
    .string()
    .regex(/^[a-z_]{1,64}$/)
    .optional(),
  /** Every candidate considered, best first (optional: added after version 1 was published). */
  candidates: z.array(planCandidateSchema).max(20).optional(),
  /** The guardrail checks of the approval decision, in the order they ran (optional, added later). */
  guardrails: z.array(guardrailCheckSchema).max(20).optional(),
  /** The autonomy level of the chosen (cause, remedy) when the plan was made (optional, added later). */
  autonomy: z
    .object({ level: autonomyLevelSchema, streak: z.number().int().nonnegative(), promoteAfter: z.number().int().positive() })
    .optional(),
});
export type PlanV1 = z.infer<typeof planV1Schema>;
