import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { ThresholdLearner, detectorConfig } from '@mapek/anomaly';
import { deriveEventId, newEventId, type Envelope, type TargetScrape } from '@mapek/contracts';
import type { EventPublisherPort, KvBucket, PublishInput } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import type { ThresholdStore } from '../adapters/threshold.store.js';
import { defaultWatchedSeries } from '../domain/watched-series.js';
import { SampleHandler } from './sample.handler.js';
import { LoopFirst } from './loop-first.js';
import { MemoryKv } from '../testing/memory-kv.js';

const CPU = 'mapek_agent_cpu_percent';

const scrapeOf = (target: string, second: number, cpu: number): TargetScrape => ({
  target,
  scrapedAt: new Date(Date.UTC(2026, 11, 4, 21, 0, second)).toISOString(),
  scrapeDurationMs: 1,
  samples: [{ metric: CPU, labels: {}, value: cpu }],
});

const batchOf = (...scrapes: TargetScrape[]): Envelope<'sample.batch'> => ({
  id: newEventId(),
  type: 'sample.batch',
  version: 2,
  source: 'monitor',
  time: new Date().toISOString(),
  target: 'samples-0',
  data: { scrapes },
});

function handlerWith(
  kv: MemoryKv,
  published: Array<PublishInput<'symptom'>>,
  loopFirst = new LoopFirst(50),
  options: { checkpointIntervalMs?: number; publishFails?: () => boolean } = {},
) {
  const publisher: EventPublisherPort = {
    publish: (type, input) => {
      if (options.publishFails?.()) return Promise.reject(new Error('NATS did not answer'));
      if (type === 'symptom') published.push(input as PublishInput<'symptom'>);
      return Promise.resolve({} as never);
    },
  };
  const thresholds = { current: () => Promise.resolve(new ThresholdLearner()) } as unknown as ThresholdStore;
  return new SampleHandler(
    {
      series: defaultWatchedSeries,
      detector: { ...detectorConfig, warmupSamples: 20 },
      checkpointIntervalMs: options.checkpointIntervalMs ?? 0,
    },
    kv as unknown as KvBucket,
    thresholds,
    publisher,
    createLogger('analyzer', 'silent'),
    new ServiceMetrics('analyzer'),
    loopFirst,
  );
}

describe('SampleHandler with batches of many targets', () => {
  it('scores a batch only once the loop work in flight (a symptom) has ended', async () => {
    const kv = new MemoryKv();
    const loopFirst = new LoopFirst(60_000);
    let endSymptom!: () => void;
    const symptom = loopFirst.run(() => new Promise<void>((resolve) => (endSymptom = resolve)));
    const handler = handlerWith(kv, [], loopFirst);
    const scored = handler.onBatch(batchOf(scrapeOf('orders', 1, 20), scrapeOf('billing', 1, 30)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(kv.values.size).toBe(0);
    endSymptom();
    await symptom;
    await scored;
    expect([...kv.values.keys()].sort()).toEqual(['detectors.billing', 'detectors.orders']);
  });

  it('scores and checkpoints every target of a batch, and a redelivered batch changes nothing', async () => {
    const kv = new MemoryKv();
    const handler = handlerWith(kv, []);
    const batch = batchOf(scrapeOf('orders', 1, 20), scrapeOf('billing', 1, 30), scrapeOf('search', 1, 40));
    await handler.onBatch(batch);
    expect([...kv.values.keys()].sort()).toEqual(['detectors.billing', 'detectors.orders', 'detectors.search']);
    const stored = JSON.parse(kv.values.get('detectors.orders')!.value) as {
      lastScrapedAt: number;
      series: Record<string, { count: number }>;
    };
    expect(stored.lastScrapedAt).toBe(Date.parse(batch.data.scrapes[0]!.scrapedAt));
    expect(stored.series[CPU]?.count).toBe(1);
    const writes = kv.writes;
    await handler.onBatch(batch);
    expect(kv.writes).toBe(writes);
  });

  it('fails a batch when one target’s checkpoint cannot be written, and its redelivery scores only that target again', async () => {
    const kv = new MemoryKv();
    const handler = handlerWith(kv, []);
    await handler.onBatch(batchOf(scrapeOf('orders', 1, 20), scrapeOf('billing', 1, 30)));
    const next = batchOf(scrapeOf('orders', 2, 21), scrapeOf('billing', 2, 31));
    kv.failNextWriteOf = 'billing';
    await expect(handler.onBatch(next)).rejects.toThrow('KV unavailable');
    const count = (target: string) =>
      (JSON.parse(kv.values.get(`detectors.${target}`)!.value) as { series: Record<string, { count: number }> }).series[CPU]?.count;
    expect([count('orders'), count('billing')]).toEqual([2, 1]);
    await handler.onBatch(next);
    expect([count('orders'), count('billing')]).toEqual([2, 2]);
  });

  it('raises an anomaly per target with an id derived from the batch and the target', async () => {
    const kv = new MemoryKv();
    const published: Array<PublishInput<'symptom'>> = [];
    const handler = handlerWith(kv, published);
    for (let second = 0; second < 40; second++) {
      await handler.onBatch(batchOf(scrapeOf('orders', second, 20 + (second % 3)), scrapeOf('billing', second, 20 + (second % 3))));
    }
    expect(published).toEqual([]);
    const spike = batchOf(scrapeOf('orders', 41, 390), scrapeOf('billing', 41, 390));
    await handler.onBatch(spike);
    expect(published.map((symptom) => [symptom.target, symptom.id]).sort()).toEqual(
      [
        ['billing', deriveEventId(spike.id, `anomaly:billing:${CPU}`)],
        ['orders', deriveEventId(spike.id, `anomaly:orders:${CPU}`)],
      ].sort(),
    );
    expect(published.every((symptom) => symptom.causationId === spike.id)).toBe(true);
  });

  it('hands the acknowledgement to the consumer, which the checkpoints of the next interval settle, and returns at once', async () => {
    const kv = new MemoryKv();
    const handler = handlerWith(kv, [], undefined, { checkpointIntervalMs: 300 });
    // The first write goes at once, and starts the interval.
    await handler.onBatch(batchOf(scrapeOf('orders', 1, 20)));
    const acknowledgements: Array<Promise<void>> = [];
    const context = { acknowledgeWhen: (stored: Promise<void>) => void acknowledgements.push(stored) };
    const started = performance.now();
    await handler.onBatch(batchOf(scrapeOf('orders', 2, 21), scrapeOf('billing', 2, 31)), context);
    await handler.onBatch(batchOf(scrapeOf('orders', 3, 22)), context);
    expect(performance.now() - started).toBeLessThan(150);
    expect([kv.writes, acknowledgements.length]).toEqual([1, 2]);
    await Promise.all(acknowledgements);
    // One write per target for both batches.
    expect(kv.writes).toBe(3);
    const count = (target: string) =>
      (JSON.parse(kv.values.get(`detectors.${target}`)!.value) as { series: Record<string, { count: number }> }).series[CPU]?.count;
    expect([count('orders'), count('billing')]).toEqual([3, 1]);
  });

  it('lets a batch’s samples go once it is scored, while its acknowledgement still waits for the checkpoints', async () => {
    // A full collection on demand: V8's own flag, set at run time, and its gc() from a fresh context.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const kv = new MemoryKv();
    const handler = handlerWith(kv, [], undefined, { checkpointIntervalMs: 1000 });
    await handler.onBatch(batchOf(scrapeOf('orders', 1, 20)));
    const acknowledgements: Array<Promise<void>> = [];
    const context = { acknowledgeWhen: (stored: Promise<void>) => void acknowledgements.push(stored) };
    const samples = await (async () => {
      const batch = batchOf(scrapeOf('orders', 2, 21), scrapeOf('billing', 2, 31));
      await handler.onBatch(batch, context);
      return new WeakRef(batch.data.scrapes);
    })();
    let settled = false;
    void Promise.all(acknowledgements).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    collect();
    // Before the fix the closure that waits for the checkpoints held the event: the samples lived for the interval.
    expect([acknowledgements.length, settled, samples.deref()]).toEqual([1, false, undefined]);
    await Promise.all(acknowledgements);
    expect(kv.writes).toBe(3);
  });

  it('never stores detectors that scored a scrape whose symptom could not be published, so that scrape is scored again', async () => {
    const kv = new MemoryKv();
    const warm = handlerWith(kv, []);
    for (let second = 0; second < 40; second++) await warm.onBatch(batchOf(scrapeOf('orders', second, 20 + (second % 3))));
    let failPublish = false;
    const handler = handlerWith(kv, [], undefined, { checkpointIntervalMs: 200, publishFails: () => failPublish });
    // Its first write goes at once and starts the interval.
    await handler.onBatch(batchOf(scrapeOf('orders', 40, 20)));
    const acknowledgements: Array<Promise<void>> = [];
    const context = { acknowledgeWhen: (stored: Promise<void>) => void acknowledgements.push(stored) };
    // A quiet scrape waits for the interval's checkpoint; then a spike whose symptom does not go out.
    await handler.onBatch(batchOf(scrapeOf('orders', 41, 21)), context);
    failPublish = true;
    const spike = batchOf(scrapeOf('orders', 42, 390));
    await expect(handler.onBatch(spike, context)).rejects.toThrow('NATS did not answer');
    // The quiet scrape's batch is given back too: its checkpoint would have carried the spike's learning.
    await expect(acknowledgements[0]).rejects.toThrow('discarded');
    failPublish = false;
    const published: Array<PublishInput<'symptom'>> = [];
    const again = handlerWith(kv, published);
    await again.onBatch(batchOf(scrapeOf('orders', 41, 21)));
    await again.onBatch(spike);
    expect(published.map((symptom) => symptom.causationId)).toEqual([spike.id]);
  });
});
