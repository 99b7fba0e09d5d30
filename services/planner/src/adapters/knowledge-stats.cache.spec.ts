import { describe, expect, it } from '@jest/globals';
import type { CauseKind } from '@mapek/contracts';
import type { ActionStats } from '../domain/plan-builder.js';
import { KnowledgeStatsCache, type StatsSource } from './knowledge-stats.cache.js';

const statsOf = (successes: number): Map<string, ActionStats> =>
  new Map([['clear_cache', { attempts: 10, successes, partials: 0, meanTimeToRecoveryMs: null }]]);

/** A knowledge that answers from `answers` (or fails) and counts what it was asked. */
function knowledge(answers: Partial<Record<CauseKind, number | Error>>): StatsSource & { asked: CauseKind[] } {
  const asked: CauseKind[] = [];
  return {
    asked,
    stats(cause) {
      asked.push(cause);
      const answer = answers[cause];
      if (answer instanceof Error || answer === undefined) return Promise.reject(answer ?? new Error('no answer'));
      return Promise.resolve(statsOf(answer));
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('knowledge statistics cache', () => {
  it('answers a plan from what it fetched at start, without asking knowledge again', async () => {
    const source = knowledge({ memory_leak: 9 });
    const cache = new KnowledgeStatsCache(source, { causes: ['memory_leak'], refreshMs: 5000 });
    cache.start();
    await settle();
    expect(await cache.stats('memory_leak')).toEqual(statsOf(9));
    expect(source.asked).toEqual(['memory_leak']);
    cache.stop();
  });

  it('asks knowledge and waits when it holds nothing for the cause, or only an entry older than three refresh periods', async () => {
    let now = 0;
    const source = knowledge({ latency: 4 });
    const cache = new KnowledgeStatsCache(source, { causes: [], refreshMs: 1000, now: () => now });
    expect(await cache.stats('latency')).toEqual(statsOf(4));
    now = 3000;
    await cache.stats('latency');
    expect(source.asked).toHaveLength(1);
    now = 3001;
    await cache.stats('latency');
    expect(source.asked).toHaveLength(2);
  });

  it('plans with a stale entry rather than the priors when knowledge does not answer', async () => {
    let now = 0;
    const answers: Partial<Record<CauseKind, number | Error>> = { error_rate: 7 };
    const cache = new KnowledgeStatsCache(knowledge(answers), { causes: [], refreshMs: 1000, now: () => now });
    await cache.stats('error_rate');
    answers.error_rate = new Error('knowledge unreachable');
    now = 10_000;
    expect(await cache.stats('error_rate')).toEqual(statsOf(7));
    await expect(cache.stats('latency')).rejects.toThrow('no answer');
  });

  it('asks knowledge for every plan when the refresh period is 0', async () => {
    const source = knowledge({ memory_leak: 5 });
    const cache = new KnowledgeStatsCache(source, { causes: ['memory_leak'], refreshMs: 0 });
    cache.start();
    await cache.stats('memory_leak');
    await cache.stats('memory_leak');
    expect(source.asked).toEqual(['memory_leak', 'memory_leak']);
  });

  it('reports the causes a background refresh could not fetch, once per round', async () => {
    const failures: CauseKind[][] = [];
    const cache = new KnowledgeStatsCache(knowledge({ memory_leak: 9 }), {
      causes: ['memory_leak', 'latency', 'error_rate'],
      refreshMs: 5000,
      onRefreshError: (causes) => failures.push([...causes]),
    });
    cache.start();
    await settle();
    await settle();
    cache.stop();
    expect(failures).toEqual([['latency', 'error_rate']]);
  });
});
