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

/**
 * Whether {@link sampleBatchV2Schema} accepts `data`, found without building the copy its parse
 * returns (a batch of a hundred scrapes is ~4,000 sample objects; the copy cost the monitor more
 * memory per scrape than anything else). `true` only when the schema's parse would succeed; `false`
 * means "ask the schema", which says why. Only JSON-shaped data takes this path: anything else
 * (a class instance, symbol keys, a getter) is left to the schema.
 */
export function isSampleBatchV2(data: unknown): data is SampleBatchV2 {
  if (!isPlainRecord(data)) return false;
  const scrapes = data['scrapes'];
  if (!Array.isArray(scrapes) || scrapes.length < 1 || scrapes.length > MAX_SCRAPES_PER_BATCH) return false;
  for (const scrape of scrapes) if (!isTargetScrape(scrape)) return false;
  return true;
}

function isTargetScrape(scrape: unknown): boolean {
  if (!isPlainRecord(scrape)) return false;
  const { target, scrapedAt, scrapeDurationMs, samples } = scrape;
  if (typeof scrapeDurationMs !== 'number' || !Number.isFinite(scrapeDurationMs) || scrapeDurationMs < 0) return false;
  if (!Array.isArray(samples) || samples.length > 50_000) return false;
  // Strings through their own schemas: a string's parse returns the string itself, no copy.
  if (typeof target !== 'string' || !targetSchema.safeParse(target).success) return false;
  if (typeof scrapedAt !== 'string' || !isoTimeSchema.safeParse(scrapedAt).success) return false;
  for (const sample of samples) {
    if (!isPlainRecord(sample)) return false;
    const { metric, labels, value } = sample;
    if (typeof metric !== 'string' || metric.length < 1) return false;
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    if (!isStringRecord(labels)) return false;
  }
  return true;
}

/** An object whose prototype is Object.prototype or null: what JSON.parse and an object literal make. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** What `labelsSchema` accepts, for a plain record: every own enumerable key (symbols too) maps to a string. */
function isStringRecord(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || typeof value[key] !== 'string') return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}
