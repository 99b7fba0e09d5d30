import { z } from 'zod';
import { planV1Schema } from './plan.schema.js';

export const PlanStatus = { pending: 'pending', approved: 'approved', rejected: 'rejected', expired: 'expired' } as const;
export type PlanStatus = (typeof PlanStatus)[keyof typeof PlanStatus];
export const planStatusSchema = z.enum([PlanStatus.pending, PlanStatus.approved, PlanStatus.rejected, PlanStatus.expired]);

/**
 * A plan as the planner keeps it in the `mapek_plans` KV bucket under `plan.<planId>`; the
 * gateway reads it to list pending plans. Written only by the planner.
 */
export const planRecordV1Schema = z.object({
  plan: planV1Schema,
  status: planStatusSchema,
  target: z.string(),
  incidentId: z.string().optional(),
  analysisEventId: z.string(),
  createdAt: z.string(),
  decidedAt: z.string().optional(),
  rejectedBy: z.string().optional(),
});
export type PlanRecordV1 = z.infer<typeof planRecordV1Schema>;
