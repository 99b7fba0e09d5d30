import { z } from 'zod';
import { flagChangeV1Schema } from '@mapek/contracts';

/** `POST /api/v1/flags` body: one flag change and why. Unknown fields are refused. */
export const flagRequestSchema = z.strictObject({
  change: flagChangeV1Schema,
  /** Why: it goes to the audit trail beside the actor (the API key's name). */
  reason: z.string().trim().max(2000).optional(),
  /** Without API keys only (default operator); with keys the key's name (another name is refused). */
  actor: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w.@:-]+$/, 'letters, digits and . _ @ : - only')
    .optional(),
});
export type FlagRequest = z.infer<typeof flagRequestSchema>;
