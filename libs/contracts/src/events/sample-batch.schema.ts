import { z } from 'zod';
import { isoTimeSchema, labelsSchema, targetSchema } from './common.schema.js';

/** One reading of one series at scrape time. */
export const sampleSchema = z.object({
  metric: z.string().min(1),
  labels: labelsSchema,
  value: z.number(),
});
export type Sample = z.infer<typeof sampleSchema>;

/** Every series read from one target in one scrape; signed and published as one event. */
export const sampleBatchV1Schema = z.object({
  target: targetSchema,
  scrapedAt: isoTimeSchema,
  scrapeDurationMs: z.number().nonnegative(),
  samples: z.array(sampleSchema).max(50_000),
});
export type SampleBatchV1 = z.infer<typeof sampleBatchV1Schema>;
