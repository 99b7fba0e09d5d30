import { z } from 'zod';
import { isoTimeSchema, labelsSchema, targetSchema } from './common.schema.js';

/** One reading of one series at scrape time. */
export const sampleSchema = z.object({
  metric: z.string().min(1),
  labels: labelsSchema,
  value: z.number(),
});
export type Sample = z.infer<typeof sampleSchema>;

/** The most samples one target's scrape carries. */
const MAX_SAMPLES_PER_SCRAPE = 50_000;

/** Every series read from one target in one scrape: one entry of a {@link SampleBatchV2}. */
export const targetScrapeSchema = z.object({
  target: targetSchema,
  scrapedAt: isoTimeSchema,
  scrapeDurationMs: z.number().nonnegative(),
  samples: z.array(sampleSchema).max(MAX_SAMPLES_PER_SCRAPE),
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

const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

const isSample = (value: unknown): boolean => {
  if (!isPlainRecord(value)) return false;
  for (const key in value) if (key !== 'metric' && key !== 'labels' && key !== 'value') return false;
  const { metric, labels, value: reading } = value;
  if (typeof metric !== 'string' || metric.length === 0 || !Number.isFinite(reading) || !isPlainRecord(labels)) return false;
  // `__proto__` is an own key of parsed JSON that a copy would not keep: left to the schema.
  for (const name in labels) if (name === '__proto__' || typeof labels[name] !== 'string') return false;
  return true;
};

const isTargetScrape = (value: unknown): boolean => {
  if (!isPlainRecord(value)) return false;
  for (const key in value) if (key !== 'target' && key !== 'scrapedAt' && key !== 'scrapeDurationMs' && key !== 'samples') return false;
  const { target, scrapedAt, scrapeDurationMs, samples } = value;
  if (typeof scrapeDurationMs !== 'number' || !Number.isFinite(scrapeDurationMs) || !(scrapeDurationMs >= 0)) return false;
  if (!Array.isArray(samples) || samples.length > MAX_SAMPLES_PER_SCRAPE) return false;
  if (!targetSchema.safeParse(target).success || !isoTimeSchema.safeParse(scrapedAt).success) return false;
  for (let i = 0; i < samples.length; i += 1) if (!isSample(samples[i])) return false;
  return true;
};

/**
 * True only for a value that {@link sampleBatchV2Schema} accepts and returns unchanged: plain
 * objects with no keys beyond the contract's, every field of its type. What it says no to, the
 * schema decides (with its error). A batch of a few thousand samples is checked in place instead
 * of copied: zod's copy allocated ~1 KB per sample, most of the analyzer's garbage. A spec holds
 * it to the schema on generated batches, valid and not.
 */
export const isSampleBatchV2AsIs = (value: unknown): value is SampleBatchV2 => {
  if (!isPlainRecord(value)) return false;
  for (const key in value) if (key !== 'scrapes') return false;
  const { scrapes } = value;
  if (!Array.isArray(scrapes) || scrapes.length < 1 || scrapes.length > MAX_SCRAPES_PER_BATCH) return false;
  for (let i = 0; i < scrapes.length; i += 1) if (!isTargetScrape(scrapes[i])) return false;
  return true;
};
