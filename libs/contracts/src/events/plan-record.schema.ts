import { z } from 'zod';
import { planV1Schema } from './plan.schema.js';

export const PlanStatus = { pending: 'pending', approved: 'approved', rejected: 'rejected', expired: 'expired' } as const;
export type PlanStatus = (typeof PlanStatus)[keyof typeof PlanStatus];
export const planStatusSchema = z.enum([PlanStatus.pending, PlanStatus.approved, PlanStatus.rejected, PlanStatus.expired]);

/** A W3C Trace Context `traceparent`: version 00, trace id, parent span id, flags. */
export const traceparentSchema = z
  .string()
  .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
  .describe('W3C Trace Context traceparent (00-<trace id>-<span id>-<flags>)');

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
  /**
   * The trace of the incident the plan belongs to, as the planner saw it when it made the plan
   * (its `process analysis` span). An operator's decision through the gateway continues this
   * trace, so approval and execution land in the incident's trace. Optional: records written
   * before it existed, and plans made with no trace context, have none.
   */
  traceparent: traceparentSchema.optional(),
});
export type PlanRecordV1 = z.infer<typeof planRecordV1Schema>;
