import { z } from 'zod';
import { actionTypeSchema, causeKindSchema, uuidSchema } from './common.schema.js';

export const OutcomeKind = {
  success: 'success',
  partial: 'partial',
  ineffective: 'ineffective',
  degradation: 'degradation',
  unknown: 'unknown',
  /** Nothing was done: the symptom was gone when the executor re-read the target before acting (added after version 1). */
  notNeeded: 'not_needed',
} as const;
export type OutcomeKind = (typeof OutcomeKind)[keyof typeof OutcomeKind];

/** What the verification window saw after an execution (for a manual command: `planId` = commandId, cause `unknown`). */
export const outcomeV1Schema = z.object({
  executionId: uuidSchema,
  planId: uuidSchema,
  cause: causeKindSchema,
  actions: z.array(actionTypeSchema).min(1),
  outcome: z.enum([
    OutcomeKind.success,
    OutcomeKind.partial,
    OutcomeKind.ineffective,
    OutcomeKind.degradation,
    OutcomeKind.unknown,
    OutcomeKind.notNeeded,
  ]),
  violationsBefore: z.number().int().nonnegative(),
  violationsAfter: z.number().int().nonnegative(),
  timeToStabilizationMs: z.number().nonnegative().nullable(),
  verificationWindowMs: z.number().int().positive(),
});
export type OutcomeV1 = z.infer<typeof outcomeV1Schema>;

/** The key knowledge learns a remedy's statistics under: its exact action sequence. */
export function remedySignature(actions: readonly string[]): string {
  return `plan:${actions.join('+')}`;
}
