import { z } from 'zod';
import { causeKindSchema, targetSchema, uuidSchema } from './common.schema.js';

export const rootCauseSchema = z.object({
  /** The target the remedy should go to (an upstream when it explains its dependents). */
  target: targetSchema,
  cause: causeKindSchema,
  confidence: z.number().min(0).max(1),
  explains: z.array(uuidSchema),
  reasoning: z.string().max(2000),
});
export type RootCause = z.infer<typeof rootCauseSchema>;

export const patternSchema = z.object({
  kind: z.enum(['temporal', 'spatial', 'causal', 'frequency']),
  confidence: z.number().min(0).max(1),
  hypothesis: z.string(),
  evidence: z.array(uuidSchema),
});
export type Pattern = z.infer<typeof patternSchema>;

/** The analyzer's view of an incident: its symptoms, patterns and ranked root causes. */
export const analysisV1Schema = z.object({
  symptomIds: z.array(uuidSchema).min(1),
  patterns: z.array(patternSchema),
  rootCauses: z.array(rootCauseSchema).min(1),
  confidence: z.number().min(0).max(1),
});
export type AnalysisV1 = z.infer<typeof analysisV1Schema>;
