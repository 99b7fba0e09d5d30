import { z } from 'zod';
import { isoTimeSchema, labelsSchema, targetSchema } from './common.schema.js';

/** One reading of one series at scrape time. */
export const sampleSchema = z.object({
  metric: z.string().min(1),
  labels: labelsSchema,
  value: z.number(),
});
export type Sample = z.infer<typeof sampleSchema>;

/** Every series read from one target in one scrape: one entry of a {@link SampleBatchV2}. */
export const targetScrapeSchema = z.object({
  target: targetSchema,
  scrapedAt: isoTimeSchema,
  scrapeDurationMs: z.number().nonnegative(),
  samples: z.array(sampleSchema).max(50_000),
});
export type TargetScrape = z.infer<typeof targetScrapeSchema>;

/**
 * Every series read from one target in one scrape; signed and published as one event.
 * @deprecated since `sample.batch` v2, which carries the scrapes of several targets in one signed
 * event; kept as the record of what v1 was.
 */
export const sampleBatchV1Schema = targetScrapeSchema;
/** @deprecated see {@link sampleBatchV1Schema}. */
export type SampleBatchV1 = z.infer<typeof sampleBatchV1Schema>;

/** The most scrapes one `sample.batch` v2 carries. */
export const MAX_SCRAPES_PER_BATCH = 1000;

/**
 * The scrapes of one or more targets, signed and published as one event: one ML-DSA-65 signature
 * (and one signature check, one acknowledgement) per batch of targets instead of per target. A
 * target appears at most once. The envelope's `target` (and the subject's last token) is the
 * batch's partition key, not a target: the monitor puts a target in the same partition every time
 * (see the monitor's README), so a target's scrapes travel on one subject, in order.
 */
export const sampleBatchV2Schema = z.object({
  scrapes: z.array(targetScrapeSchema).min(1).max(MAX_SCRAPES_PER_BATCH),
});
export type SampleBatchV2 = z.infer<typeof sampleBatchV2Schema>;
