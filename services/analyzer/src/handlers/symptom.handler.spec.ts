import { describe, expect, it } from '@jest/globals';
import { DependencyGraph, type DependencyGraphState } from '@mapek/anomaly';
import type { Envelope } from '@mapek/contracts';
import type { EventPublisherPort, KvBucket, PublishInput } from '@mapek/messaging';
import { createLogger } from '@mapek/observability';
import { memorySymptomData, symptomEnvelope } from '@mapek/testing';
import type { ThresholdStore } from '../adapters/threshold.store.js';
import { MemoryKv } from '../testing/memory-kv.js';
import { LoopFirst } from './loop-first.js';
import { SymptomHandler } from './symptom.handler.js';

/** A memory symptom of `target`, observed `agoMs` ago: it opens an incident analysed at once. */
const memorySymptom = (target: string, agoMs = 0): Envelope<'symptom'> =>
  symptomEnvelope(target, memorySymptomData({ observedAt: new Date(Date.now() - agoMs).toISOString() }));

function handlerWith(kv: MemoryKv, graphReuseMs: number) {
  const analyses: PublishInput<'analysis'>[] = [];
  const publisher: EventPublisherPort = {
    publish: (type, input) => {
      if (type === 'analysis') analyses.push(input as PublishInput<'analysis'>);
      return Promise.resolve({} as never);
    },
  };
  const handler = new SymptomHandler(
    { dependencies: [], quietMs: 60_000, correlationWindowMs: 300_000, settleMs: 1500, joinWindowMs: 5000, graphReuseMs },
    kv as unknown as KvBucket,
    publisher,
    createLogger('analyzer', 'silent'),
    {} as ThresholdStore,
    new LoopFirst(50),
  );
  return { handler, analyses };
}

const storedGraph = (kv: MemoryKv): DependencyGraphState => JSON.parse(kv.values.get('graph')!.value) as DependencyGraphState;

describe('SymptomHandler and the dependency graph', () => {
  it('reads the graph once for analyses that follow each other within the reuse window, and learns from each', async () => {
    const kv = new MemoryKv();
    const { handler, analyses } = handlerWith(kv, 60_000);
    // The database's trouble shortly before the API's: a co-occurrence the API's incident learns.
    await handler.onSymptom(memorySymptom('orders-db', 500));
    await handler.onSymptom(memorySymptom('orders-api'));
    await handler.onSymptom(memorySymptom('payments'));
    expect(analyses.map((analysis) => analysis.target)).toEqual(['orders-db', 'orders-api', 'payments']);
    expect(kv.reads.get('graph')).toBe(1);
    expect(storedGraph(kv).incidents).toEqual({ 'orders-db': 1, 'orders-api': 1, payments: 1 });
    expect(storedGraph(kv).coOccurrences).toMatchObject({ 'orders-api→orders-db': 1 });
  });

  it('reads the graph for every analysis when nothing is reused', async () => {
    const kv = new MemoryKv();
    const { handler } = handlerWith(kv, 0);
    await handler.onSymptom(memorySymptom('orders-db'));
    await handler.onSymptom(memorySymptom('orders-api'));
    expect(kv.reads.get('graph')).toBe(2);
  });

  it("reads the graph again when another replica wrote it since, and keeps that replica's learning", async () => {
    const kv = new MemoryKv();
    const { handler } = handlerWith(kv, 60_000);
    await handler.onSymptom(memorySymptom('orders-db'));
    // Another replica learns from an incident of its own meanwhile.
    const theirs = DependencyGraph.restore(storedGraph(kv));
    theirs.observe(
      [
        {
          id: 'x',
          target: 'billing',
          metric: 'process_resident_memory_bytes',
          severity: 'critical',
          value: 1,
          threshold: 0,
          time: Date.now(),
        },
      ],
      [],
    );
    await kv.update('graph', JSON.stringify(theirs.snapshot()), kv.values.get('graph')!.revision);
    await handler.onSymptom(memorySymptom('orders-api'));
    // The kept graph was used for the ranking; the write found the other replica's and read it again.
    expect(kv.reads.get('graph')).toBe(2);
    expect(storedGraph(kv).incidents).toEqual({ 'orders-db': 1, billing: 1, 'orders-api': 1 });
    await handler.onSymptom(memorySymptom('payments'));
    expect(kv.reads.get('graph')).toBe(2);
    expect(storedGraph(kv).incidents).toEqual({ 'orders-db': 1, billing: 1, 'orders-api': 1, payments: 1 });
  });
});
