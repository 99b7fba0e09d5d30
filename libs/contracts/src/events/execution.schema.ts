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

export const stepResultSchema = z.object({
  index: z.number().int().nonnegative(),
  action: actionTypeSchema,
  status: executionStatusSchema,
  startedAt: z.iso.datetime({ offset: true }).optional(),
  finishedAt: z.iso.datetime({ offset: true }).optional(),
  detail: z.string().max(2000).optional(),
  errorCode: z.string().optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

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
});
export type ExecutionV1 = z.infer<typeof executionV1Schema>;
