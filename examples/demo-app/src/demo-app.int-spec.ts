import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ActionType, type ActuationReplyV1, actuationReplyV1Schema, subjects } from '@mapek/contracts';
import { findSample, parsePrometheusText } from '@mapek/prometheus-text';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { type DemoProcess, startDemoProcess } from './testing/demo-process.harness.js';
import { eventually } from './testing/eventually.js';
import { startNatsServer, type NatsServerProcess } from '@mapek/testing';

const PREFIX = 'demotest';
const TARGET = 'demo-app-test';
const MB = 1024 * 1024;

let nats: NatsServerProcess;
let client: NatsConnection;
let demo: DemoProcess;

beforeAll(async () => {
  nats = await startNatsServer();
  client = await connect({ servers: nats.url });
  demo = await startDemoProcess({ NATS_URL: nats.url, MAPEK_SUBJECT_PREFIX: PREFIX, MAPEK_TARGET: TARGET, DEMO_SELF_TRAFFIC_RPS: '2' });
});

afterEach(async () => {
  await post('/demo/reset');
});

afterAll(async () => {
  await demo?.stop();
  await client?.drain();
  await nats?.stop();
});

async function post(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${demo.url}${path}`, { method: 'POST' });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${demo.url}/metrics`)).text();
  const sample = findSample(parsePrometheusText(text), name);
  if (!sample) throw new Error(`${name} is not in /metrics`);
  return sample.value;
}

async function actuate(action: string, params: Record<string, number> = {}): Promise<ActuationReplyV1> {
  const request = { requestId: randomUUID(), planId: randomUUID(), step: 0, action, params, rollback: false };
  const msg = await client.request(subjects.actuate(TARGET, PREFIX), JSON.stringify(request), { timeout: 10_000 });
  return actuationReplyV1Schema.parse(msg.json());
}

describe('demo app healed through a real NATS actuation', () => {
  it('grows RSS by about size_mb × count on memory-leak, and clear_cache brings it back down', async () => {
    const before = await gauge('process_resident_memory_bytes');
    const leak = await post('/demo/memory-leak?size_mb=50&count=4');
    expect(leak.status).toBe(200);
    const leaked = await gauge('process_resident_memory_bytes');
    expect(leaked - before).toBeGreaterThan(0.8 * 200 * MB);
    expect(leaked - before).toBeLessThan(1.5 * 200 * MB);

    const reply = await actuate(ActionType.clearCache);
    expect(reply).toMatchObject({ ok: true, effects: { buffersDropped: 4, bytesDropped: 200 * MB } });
    const healed = await gauge('process_resident_memory_bytes');
    expect(leaked - healed).toBeGreaterThan(0.8 * 200 * MB);
    expect(healed - before).toBeLessThan(0.25 * 200 * MB);
  });

  it('raises the active-connections gauge above 80 on connection-issues, and reset_connection_pool lowers it', async () => {
    const opened = await post('/demo/connection-issues?connection_count=100');
    expect(opened).toMatchObject({ status: 200, body: { pooledConnections: 100 } });
    expect(await gauge('mapek_agent_connections_active')).toBeGreaterThanOrEqual(100);

    const reply = await actuate(ActionType.resetConnectionPool);
    expect(reply).toMatchObject({ ok: true, effects: { connectionsClosed: 100 } });
    expect(await gauge('mapek_agent_connections_active')).toBeLessThan(10);
  });

  it('pushes process CPU over 75 % on cpu-overload, and throttle_requests stops the workers', async () => {
    expect((await post('/demo/cpu-overload?duration=60&num_threads=4')).status).toBe(200);
    await eventually(
      () => gauge('mapek_agent_cpu_percent'),
      (cpu) => cpu > 75,
      { what: 'CPU above 75 %' },
    );

    const reply = await actuate(ActionType.throttleRequests);
    expect(reply).toMatchObject({ ok: true, effects: { workersStopped: 4 } });
    await eventually(
      () => gauge('mapek_agent_cpu_percent'),
      (cpu) => cpu < 75,
      { what: 'CPU below 75 %' },
    );
    expect((await post('/demo/cpu-overload?duration=5&num_threads=1')).status).toBe(429);
  });

  it('raises the error ratio on request-failures; enable_degraded_mode and reset_circuit_breaker make /api/work succeed again', async () => {
    expect((await post('/demo/request-failures?failure_rate=1')).status).toBe(200);
    // The app's own traffic fails: no external load is needed for the gauge to move.
    await eventually(
      () => gauge('mapek_agent_error_ratio'),
      (ratio) => ratio > 0.1,
      { what: 'error ratio above 0.1' },
    );
    for (let i = 0; i < 10; i += 1) await fetch(`${demo.url}/api/work`); // enough consecutive failures to open the breaker
    expect((await fetch(`${demo.url}/api/work`)).status).toBe(503);

    await expect(actuate(ActionType.enableDegradedMode)).resolves.toMatchObject({ ok: true, effects: { failureRateBefore: 1 } });
    expect((await fetch(`${demo.url}/api/work`)).status).toBe(503); // still open: degraded mode does not close the breaker
    await expect(actuate(ActionType.resetCircuitBreaker)).resolves.toMatchObject({ ok: true, effects: { wasOpen: 1 } });
    expect((await fetch(`${demo.url}/api/work`)).status).toBe(200);
  });

  it('grows p95 latency on latency-creep, and enable_degraded_mode removes the delay', async () => {
    expect((await post('/demo/latency-creep?step_ms=200&every_ms=50&max_ms=600')).status).toBe(200);
    await eventually(
      () => gauge('mapek_agent_request_latency_p95_seconds'),
      (p95) => p95 > 0.5,
      { what: 'p95 above 0.5 s', timeoutMs: 20_000 },
    );
    const reply = await actuate(ActionType.enableDegradedMode);
    expect(reply.ok).toBe(true);
    expect(reply.effects?.['latencyMsBefore']).toBe(600);
    const work = (await (await fetch(`${demo.url}/api/work`)).json()) as { delayMs: number };
    expect(work.delayMs).toBe(0);
  });

  it('answers bad fault parameters with 400 and a reason', async () => {
    const bad = await post('/demo/memory-leak?size_mb=lots');
    expect(bad).toMatchObject({ status: 400, body: { error: 'DEMO_BAD_QUERY', param: 'size_mb' } });
    expect(String(bad.body['reason'])).toContain('not a number');
    expect((await post('/demo/request-failures?failure_rate=1.5')).status).toBe(400);
    expect((await post('/demo/connection-issues?connection_count=10&oops=1')).status).toBe(400);
  });
});
