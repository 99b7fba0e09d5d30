import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { newEventId, type PlanRecordV1 } from '@mapek/contracts';
import type { KvEntry } from '@mapek/messaging';
import { createLogger } from '@mapek/observability';
import { registerLoopStateMetrics, type LoopStateSources } from './loop-state.metrics.js';

function planRecord(status: PlanRecordV1['status']): PlanRecordV1 {
  return {
    plan: {
      planId: newEventId(),
      analysisId: newEventId(),
      cause: 'memory_leak',
      rule: 'memory-leak/free-memory',
      priority: 'high',
      risk: 'low',
      steps: [{ action: 'clear_cache', target: 'demo-app', params: {}, timeoutMs: 5000 }],
      score: 0.5,
      benefit: 0.6,
      cost: 0.1,
      expectedSuccessRate: 0.8,
      approval: 'manual',
      requiredApprovals: 1,
      approvedBy: [],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      dryRun: false,
    },
    status,
    target: 'demo-app',
    analysisEventId: newEventId(),
    createdAt: new Date().toISOString(),
  };
}

function plansBucket(records: Record<string, unknown>): LoopStateSources['plans'] {
  return {
    keys: () =>
      Promise.resolve(
        (function* () {
          yield* Object.keys(records);
        })() as unknown as Awaited<ReturnType<LoopStateSources['plans']['keys']>>,
      ),
    get: (key) =>
      Promise.resolve(
        key in records ? ({ operation: 'PUT', length: 1, revision: 1, json: () => records[key] } as unknown as KvEntry) : null,
      ),
  };
}

function sources(overrides: Partial<LoopStateSources>): LoopStateSources {
  return {
    registry: new Registry(),
    jsm: {
      streams: { info: (name: string) => Promise.resolve({ state: { messages: name.length } }) },
      consumers: {
        info: (_stream: string, consumer: string) =>
          consumer === 'planner'
            ? Promise.reject(new Error('consumer not found'))
            : Promise.resolve({ num_pending: 7, num_ack_pending: 2, num_redelivered: 1 }),
      },
    } as unknown as LoopStateSources['jsm'],
    plans: plansBucket({}),
    knowledge: { query: <T>() => Promise.resolve({ incidents: [{}, {}, {}] } as T) },
    logger: createLogger('gateway', 'silent'),
    ...overrides,
  };
}

const sample = (text: string, series: string): string | undefined =>
  text
    .split('\n')
    .find((line) => line.startsWith(`${series} `))
    ?.slice(series.length + 1);

describe('the loop-state gauges the gateway reports on /metrics', () => {
  it('counts pending plans, open incidents, stream depths and every durable consumer backlog at scrape time', async () => {
    const registry = new Registry();
    registerLoopStateMetrics(
      sources({
        registry,
        plans: plansBucket({
          'plan.a': planRecord('pending'),
          'plan.b': planRecord('approved'),
          'plan.c': planRecord('pending'),
          'plan.d': { not: 'a plan' },
        }),
      }),
    );
    const text = await registry.metrics();
    expect(sample(text, 'mapek_plans_pending_approval')).toBe('2');
    expect(sample(text, 'mapek_incidents_open')).toBe('3');
    expect(sample(text, 'mapek_jetstream_stream_messages{stream="MAPEK_EVENTS"}')).toBe(String('MAPEK_EVENTS'.length));
    expect(sample(text, 'mapek_jetstream_consumer_pending_messages{stream="MAPEK_EVENTS",consumer="analyzer"}')).toBe('7');
    expect(sample(text, 'mapek_jetstream_consumer_ack_pending_messages{stream="MAPEK_EVENTS",consumer="analyzer"}')).toBe('2');
    expect(sample(text, 'mapek_jetstream_consumer_redelivered_messages{stream="MAPEK_TELEMETRY",consumer="analyzer-samples"}')).toBe('1');
    expect(sample(text, 'mapek_jetstream_consumer_pending_messages{stream="MAPEK_DLQ",consumer="knowledge-dead-letters"}')).toBe('7');
  });

  it('reports NaN (unknown) for what it cannot read, never a stale or zero figure, and still answers the scrape', async () => {
    const registry = new Registry();
    registerLoopStateMetrics(
      sources({
        registry,
        knowledge: { query: () => Promise.reject(new Error('knowledge did not answer in time')) },
        plans: { keys: () => Promise.reject(new Error('no bucket')), get: () => Promise.resolve(null) },
      }),
    );
    const text = await registry.metrics();
    expect(sample(text, 'mapek_incidents_open')).toMatch(/^nan$/i);
    expect(sample(text, 'mapek_plans_pending_approval')).toMatch(/^nan$/i);
    expect(sample(text, 'mapek_jetstream_consumer_pending_messages{stream="MAPEK_EVENTS",consumer="planner"}')).toMatch(/^nan$/i);
    expect(sample(text, 'mapek_jetstream_consumer_pending_messages{stream="MAPEK_EVENTS",consumer="executor"}')).toBe('7');
  });
});
