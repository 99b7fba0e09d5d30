import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const LATENCY = 'mapek_agent_request_latency_p95_seconds';
const WARMUP_SAMPLES = 20;

describe('anomaly detection in the live loop', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    running = await startLoopStack('anomaly', {
      analyzer: { MAPEK_ANALYZER_WARMUP_SAMPLES: String(WARMUP_SAMPLES) },
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
    });
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('catches a latency creep as an anomaly before the 3000 ms threshold and heals it', async () => {
    const analyzerUrl = stack.serviceUrl('analyzer');
    // The detector learns the series first: wait for the real signal, its scored-samples counter.
    await waitFor(
      async () =>
        (await loop.metric(analyzerUrl, new RegExp(`^mapek_analyzer_samples_scored_total\\{metric="${LATENCY}"`))) > WARMUP_SAMPLES + 5,
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: 'the analyzer to learn the latency series',
      },
    );
    expect(await loop.incidents()).toEqual([]);

    const since = Date.now();
    await loop.fault('/demo/latency-creep?step_ms=100&every_ms=1000&max_ms=5000');
    const healed = await loop.waitForIncident(
      since,
      (incident) => incident.cause === 'latency' && incident.outcome !== null,
      60_000,
      'the latency incident to reach an outcome',
    );
    const detail = await loop.incident(healed.id);
    const first = detail.events.symptoms.find((symptom) => (symptom.data as { metric: string }).metric === LATENCY) as
      { data: { source: string; value: number } } | undefined;
    expect(first?.data.source).toBe('anomaly');
    expect(first?.data.value).toBeLessThan(3);
    expect(detail.events.symptoms.some((symptom) => (symptom.data as { source: string }).source === 'threshold')).toBe(false);
    expect(detail.events.plans[0]?.data).toMatchObject({ cause: 'latency' });
    expect(healed.outcome).toBe('success');
    const status = (await loop.json<{ faults: { latency: { delayMs: number } } }>(`${stack.demoUrl}/demo/status`)).body;
    expect(status.faults.latency.delayMs).toBe(0);
  });
});
