import { z } from 'zod';
import { commandActorSchema } from '@mapek/contracts';

/** `POST /api/v1/plans/{id}/approve` and `…/reject` body; may be empty. Unknown fields are refused. */
export const decisionRequestSchema = z
  .strictObject({
    actor: commandActorSchema
      .describe('without API keys only (default operator); with keys, the key name (another name is refused)')
      .optional(),
    reason: z.string().max(2000).optional(),
  })
  .default({});
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;
