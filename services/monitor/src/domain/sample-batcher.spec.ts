import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { TargetScrape } from '@mapek/contracts';
import { SampleBatcher } from './sample-batcher.js';

const scrape = (target: string, samples = 1, scrapedAt = '2026-12-04T21:00:00.000Z'): TargetScrape => ({
  target,
  scrapedAt,
  scrapeDurationMs: 1,
  samples: Array.from({ length: samples }, (_, index) => ({ metric: `m${index}`, labels: {}, value: index })),
});

describe('SampleBatcher', () => {
  let sent: Array<{ key: string; targets: string[] }>;
  const send = (key: string, scrapes: readonly TargetScrape[]): Promise<void> => {
    sent.push({ key, targets: scrapes.map((held) => held.target) });
    return Promise.resolve();
  };

  beforeEach(() => {
    sent = [];
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends the scrapes of many targets as one batch once the linger time has passed', async () => {
    const batcher = new SampleBatcher({ partitions: 1, maxSamples: 1000, lingerMs: 50, send });
    const acknowledged = Promise.all(['a', 'b', 'c'].map((target) => batcher.add(scrape(target))));
    await jest.advanceTimersByTimeAsync(49);
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await acknowledged;
    expect(sent).toEqual([{ key: 'samples-0', targets: ['a', 'b', 'c'] }]);
  });

  it('sends a batch at once when it reaches the most samples it may hold, and never splits a scrape', async () => {
    const batcher = new SampleBatcher({ partitions: 1, maxSamples: 10, lingerMs: 1000, send });
    void batcher.add(scrape('a', 4));
    void batcher.add(scrape('b', 4));
    // 4 + 4 + 4 > 10: the first two go before the third joins.
    const third = batcher.add(scrape('c', 4));
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([{ key: 'samples-0', targets: ['a', 'b'] }]);
    // A scrape larger than a batch goes alone, at once.
    await batcher.add(scrape('big', 25));
    expect(sent.at(-2)).toEqual({ key: 'samples-0', targets: ['c'] });
    expect(sent.at(-1)).toEqual({ key: 'samples-0', targets: ['big'] });
    await third;
  });

  it('puts a target in the same partition every time, and never twice in one batch', async () => {
    const batcher = new SampleBatcher({ partitions: 8, maxSamples: 1000, lingerMs: 50, send });
    const key = batcher.partitionKey('orders');
    expect(key).toMatch(/^samples-[0-7]$/);
    expect(new SampleBatcher({ partitions: 8, maxSamples: 1, lingerMs: 1, send }).partitionKey('orders')).toBe(key);
    void batcher.add(scrape('orders', 1, '2026-12-04T21:00:00.000Z'));
    void batcher.add(scrape('orders', 1, '2026-12-04T21:00:01.000Z'));
    await jest.advanceTimersByTimeAsync(50);
    expect(sent).toEqual([
      { key, targets: ['orders'] },
      { key, targets: ['orders'] },
    ]);
    const keys = new Set(Array.from({ length: 200 }, (_, index) => batcher.partitionKey(`target-${index}`)));
    expect(keys.size).toBe(8);
  });

  it('rejects every scrape of a batch that could not be sent, and sends pending batches when flushed', async () => {
    const failing = new SampleBatcher({
      partitions: 1,
      maxSamples: 1000,
      lingerMs: 1000,
      send: () => Promise.reject(new Error('no stream')),
    });
    const first = failing.add(scrape('a'));
    const second = failing.add(scrape('b'));
    await failing.flush();
    await expect(first).rejects.toThrow('no stream');
    await expect(second).rejects.toThrow('no stream');

    const batcher = new SampleBatcher({ partitions: 2, maxSamples: 1000, lingerMs: 1000, send });
    const pending = Promise.all(['a', 'b', 'c', 'd'].map((target) => batcher.add(scrape(target))));
    await batcher.flush();
    await pending;
    expect(sent.flatMap((batch) => batch.targets).sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
