import { z } from 'zod';
import { actionTypeSchema, uuidSchema } from './common.schema.js';

export const ExecutionStatus = {
  pending: 'pending',
  inProgress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  rolledBack: 'rolled_back',
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];
export const executionStatusSchema = z.enum([
  ExecutionStatus.pending,
  ExecutionStatus.inProgress,
  ExecutionStatus.completed,
  ExecutionStatus.failed,
  ExecutionStatus.rolledBack,
]);

/**
 * A step's status: an execution's, or `not_needed` when the executor re-read the target before the
 * step and found the symptom gone, so it did not act (added after version 1 was published).
 */
export const StepStatus = { ...ExecutionStatus, notNeeded: 'not_needed' } as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];
export const stepStatusSchema = z.enum([...executionStatusSchema.options, StepStatus.notNeeded]);

export const stepResultSchema = z.object({
  index: z.number().int().nonnegative(),
  action: actionTypeSchema,
  status: stepStatusSchema,
  startedAt: z.iso.datetime({ offset: true }).optional(),
  finishedAt: z.iso.datetime({ offset: true }).optional(),
  detail: z.string().max(2000).optional(),
  errorCode: z.string().optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

/** What a safety check before acting said: it let the step through, skipped it, or refused it. */
export const SafetyVerdict = { pass: 'pass', skip: 'skip', refuse: 'refuse', info: 'info' } as const;
export type SafetyVerdict = (typeof SafetyVerdict)[keyof typeof SafetyVerdict];

/**
 * One safety check the executor ran before a step (its decision record): `effector`, `symptom`
 * (is the symptom still active?), `lease` (the target's lease), `blast_radius` (distinct targets
 * per minute), `effector_cap` (actions per effector and hour).
 */
export const safetyCheckSchema = z.object({
  check: z.string().max(100),
  /** The step it was run for. */
  step: z.number().int().nonnegative(),
  verdict: z.enum([SafetyVerdict.pass, SafetyVerdict.skip, SafetyVerdict.refuse, SafetyVerdict.info]),
  detail: z.string().max(500),
});
export type SafetyCheck = z.infer<typeof safetyCheckSchema>;

/**
 * A change in an execution's status; one execution per plan, executionId derived from planId.
 * A manual command (`command` event) runs as a one-step plan whose `planId` is the command's
 * `commandId`; its executionId is derived from the command event's id, so a redelivery runs it once.
 */
export const executionV1Schema = z.object({
  executionId: uuidSchema,
  planId: uuidSchema,
  status: executionStatusSchema,
  steps: z.array(stepResultSchema),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }).optional(),
  dryRun: z.boolean(),
  error: z.string().max(2000).optional(),
  /** The safety checks before each step, in the order they ran (optional, added after version 1 was published). */
  checks: z.array(safetyCheckSchema).max(200).optional(),
});
export type ExecutionV1 = z.infer<typeof executionV1Schema>;
