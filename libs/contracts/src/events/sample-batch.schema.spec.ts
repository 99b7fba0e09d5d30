import { describe, expect, it } from '@jest/globals';
import { isSampleBatchV2AsIs, MAX_SCRAPES_PER_BATCH, sampleBatchV2Schema } from './sample-batch.schema.js';

/** A deterministic generator, so a failure names a batch that can be made again. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const validBatch = (next: () => number): Record<string, unknown> => ({
  scrapes: Array.from({ length: 1 + Math.floor(next() * 4) }, (_, t) => ({
    target: `load-${t}`,
    scrapedAt: new Date(1_764_000_000_000 + Math.floor(next() * 1e9)).toISOString(),
    scrapeDurationMs: next() * 10,
    samples: Array.from({ length: Math.floor(next() * 5) }, (_, s) => ({
      labels: s % 2 === 0 ? {} : { route: '/api', status: String(200 + s) },
      metric: `metric_${s}`,
      value: next() * 1e6,
    })),
  })),
});

type Json = Record<string, unknown>;
const scrapeOf = (batch: Json): Json => (batch['scrapes'] as Json[])[0] ?? {};
const sampleOf = (batch: Json): Json => (scrapeOf(batch)['samples'] as Json[])[0] ?? {};

/** Changes that make a batch invalid, or valid but not returned unchanged by the schema. */
const mutations: Array<(batch: Json) => void> = [
  (b) => (b['extra'] = 1),
  (b) => (b['scrapes'] = []),
  (b) => (b['scrapes'] = Array.from({ length: MAX_SCRAPES_PER_BATCH + 1 }, () => scrapeOf(b))),
  (b) => (b['scrapes'] = {}),
  (b) => (scrapeOf(b)['extra'] = 'x'),
  (b) => delete scrapeOf(b)['target'],
  (b) => (scrapeOf(b)['target'] = 'not a target!'),
  (b) => (scrapeOf(b)['target'] = ''),
  (b) => (scrapeOf(b)['scrapedAt'] = 'yesterday'),
  (b) => (scrapeOf(b)['scrapedAt'] = 1),
  (b) => (scrapeOf(b)['scrapeDurationMs'] = -1),
  (b) => (scrapeOf(b)['scrapeDurationMs'] = Number.NaN),
  (b) => (scrapeOf(b)['scrapeDurationMs'] = '3'),
  (b) => (scrapeOf(b)['samples'] = null),
  (b) => (scrapeOf(b)['samples'] = [...((scrapeOf(b)['samples'] as unknown[]) ?? []), null]),
  (b) => (scrapeOf(b)['samples'] = [[]]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: {}, metric: 'm', value: 1, extra: true }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: {}, metric: '', value: 1 }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: {}, metric: 'm' }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: {}, metric: 'm', value: Number.POSITIVE_INFINITY }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: [], metric: 'm', value: 1 }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: { a: 1 }, metric: 'm', value: 1 }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: JSON.parse('{"__proto__":"x"}') as unknown, metric: 'm', value: 1 }]),
  (b) => (scrapeOf(b)['samples'] = [{ labels: new Map(), metric: 'm', value: 1 }]),
  (b) => (scrapeOf(b)['samples'] = [Object.assign(Object.create(null) as Json, { labels: {}, metric: 'm', value: 1 })]),
  (b) => (sampleOf(b)['value'] = '1'),
];

describe('isSampleBatchV2AsIs', () => {
  it('accepts generated valid batches, which the schema returns unchanged', () => {
    const next = random(7);
    for (let i = 0; i < 500; i += 1) {
      const batch = JSON.parse(JSON.stringify(validBatch(next))) as unknown;
      expect(isSampleBatchV2AsIs(batch)).toBe(true);
      expect(sampleBatchV2Schema.parse(batch)).toEqual(batch);
    }
  });

  it('says yes to a changed batch only when the schema accepts it and returns it unchanged', () => {
    const next = random(11);
    let refused = 0;
    for (let i = 0; i < 2000; i += 1) {
      const batch = JSON.parse(JSON.stringify(validBatch(next))) as Json;
      mutations[i % mutations.length]?.(batch);
      if (!isSampleBatchV2AsIs(batch)) {
        refused += 1;
        continue;
      }
      const parsed = sampleBatchV2Schema.safeParse(batch);
      expect(parsed.success).toBe(true);
      expect(parsed.data).toEqual(batch);
    }
    // Most mutations are refused; a few leave a valid batch (a sample changed in a scrape that has none).
    expect(refused).toBeGreaterThan(1500);
  });

  it('refuses every mutation of a batch whose first scrape has samples', () => {
    mutations.forEach((mutate, index) => {
      const batch: Json = {
        scrapes: [
          { target: 'a', scrapedAt: '2026-12-05T10:00:00.000Z', scrapeDurationMs: 1, samples: [{ labels: {}, metric: 'm', value: 1 }] },
        ],
      };
      mutate(batch);
      expect([index, isSampleBatchV2AsIs(batch)]).toEqual([index, false]);
    });
  });
});
