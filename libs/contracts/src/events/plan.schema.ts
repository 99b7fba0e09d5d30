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
});
export type PlanV1 = z.infer<typeof planV1Schema>;
