import { describe, expect, it } from '@jest/globals';
import { MAX_SCRAPES_PER_BATCH, isSampleBatchV2, sampleBatchV2Schema, type SampleBatchV2 } from './sample-batch.schema.js';

/** A small seeded generator, so a failure names the case that found it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NO_LABELS: Record<string, string> = {};

function validBatch(next: () => number): SampleBatchV2 {
  const scrapes = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, s) => ({
    samples: Array.from({ length: Math.floor(next() * 4) }, (_, i) => ({
      labels: next() < 0.5 ? NO_LABELS : { le: String(i), route: '/api' },
      metric: `metric_${i}`,
      value: next() * 1e6,
    })),
    scrapeDurationMs: next() * 100,
    scrapedAt: new Date(1_700_000_000_000 + Math.floor(next() * 1e9)).toISOString(),
    target: `target-${s}`,
  }));
  return { scrapes };
}

type Batch = SampleBatchV2;
type Scrape = Batch['scrapes'][number];

/** One change each, most of which the schema refuses. */
const mutations: ReadonlyArray<(batch: Batch) => unknown> = [
  () => null,
  () => [],
  () => ({}),
  () => ({ scrapes: [] }),
  (batch) => ({ scrapes: Array.from({ length: MAX_SCRAPES_PER_BATCH + 1 }, () => batch.scrapes[0]) }),
  (batch) => ({ scrapes: [...batch.scrapes, undefined] }),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, target: '' })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, target: 'has space' })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, target: 'x'.repeat(129) })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, target: 42 })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, scrapedAt: 'yesterday' })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, scrapedAt: '2026-12-05T10:00:00' })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, scrapedAt: '2026-12-05T10:00:00+01:00' })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, scrapeDurationMs: -1 })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, scrapeDurationMs: Number.POSITIVE_INFINITY })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, scrapeDurationMs: -0 })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, samples: {} })),
  (batch) => withScrape(batch, (scrape) => ({ ...scrape, extra: 'stripped by the schema, not refused' })),
  (batch) => withSample(batch, (sample) => ({ ...sample, metric: '' })),
  (batch) => withSample(batch, (sample) => ({ ...sample, value: Number.NaN })),
  (batch) => withSample(batch, (sample) => ({ ...sample, value: Number.NEGATIVE_INFINITY })),
  (batch) => withSample(batch, (sample) => ({ ...sample, value: '1' })),
  (batch) => withSample(batch, (sample) => ({ ...sample, labels: { route: 1 } })),
  (batch) => withSample(batch, (sample) => ({ ...sample, labels: ['a'] })),
  (batch) => withSample(batch, (sample) => ({ ...sample, labels: { [Symbol('s')]: 'x' } })),
  (batch) => withSample(batch, (sample) => ({ ...sample, labels: Object.create({ inherited: 'x' }) as object })),
  (batch) => withSample(batch, (sample) => ({ ...sample, labels: new Map() })),
  (batch) => withSample(batch, (sample) => ({ ...sample, labels: JSON.parse('{"__proto__":"p"}') as object })),
  (batch) => withSample(batch, (sample) => Object.assign(Object.create(null) as object, sample)),
  (batch) => withSample(batch, () => undefined),
];

function withScrape(batch: Batch, change: (scrape: Scrape) => unknown): unknown {
  return { scrapes: batch.scrapes.map((scrape, index) => (index === batch.scrapes.length - 1 ? change(scrape) : scrape)) };
}

function withSample(batch: Batch, change: (sample: Scrape['samples'][number]) => unknown): unknown {
  return withScrape(batch, (scrape) => ({
    ...scrape,
    samples: [...scrape.samples, change({ labels: { a: 'b' }, metric: 'm', value: 1 })],
  }));
}

describe('isSampleBatchV2', () => {
  it('accepts the batches the schema accepts, as the monitor builds them', () => {
    const next = random(1);
    for (let i = 0; i < 500; i += 1) {
      const batch = validBatch(next);
      expect(sampleBatchV2Schema.safeParse(batch).success).toBe(true);
      expect(isSampleBatchV2(batch)).toBe(true);
    }
  });

  it('never accepts what the schema refuses, whatever one field is changed to', () => {
    const next = random(2);
    for (let i = 0; i < 200; i += 1) {
      const batch = validBatch(next);
      mutations.forEach((mutate, index) => {
        const data = mutate(batch);
        const schemaAccepts = sampleBatchV2Schema.safeParse(data).success;
        // A `false` only sends the batch to the schema; a `true` must be the schema's answer.
        if (isSampleBatchV2(data)) expect({ case: index, schemaAccepts }).toEqual({ case: index, schemaAccepts: true });
      });
    }
  });

  it('refuses the invalid batches a monitor could build: a NaN value, a bad target name, a bad time', () => {
    const batch = validBatch(random(3));
    for (const index of [6, 7, 10, 13, 19, 20]) {
      const data = mutations[index]?.(batch);
      expect(isSampleBatchV2(data)).toBe(false);
      expect(sampleBatchV2Schema.safeParse(data).success).toBe(false);
    }
  });
});
