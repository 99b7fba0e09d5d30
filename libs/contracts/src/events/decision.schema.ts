import { z } from 'zod';
import { uuidSchema } from './common.schema.js';

export const DecisionVerdict = { approve: 'approve', reject: 'reject' } as const;
export type DecisionVerdict = (typeof DecisionVerdict)[keyof typeof DecisionVerdict];

/** An operator's verdict on a pending plan, sent by the gateway. */
export const decisionV1Schema = z.object({
  planId: uuidSchema,
  verdict: z.enum([DecisionVerdict.approve, DecisionVerdict.reject]),
  actor: z.string().min(1).max(200),
  reason: z.string().max(2000).optional(),
});
export type DecisionV1 = z.infer<typeof decisionV1Schema>;
