import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ActionType,
  ActuationErrorCode,
  type ActuationReplyV1,
  actuationReplyV1Schema,
  defaultThresholdRules,
  parseEnvelope,
  StreamName,
  subjects,
} from '@mapek/contracts';
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { type Agent, createAgent } from './agent.js';
import { AgentMetricName } from './agent.metrics.js';
import { SpanKind, recordSpansInSuite } from '@mapek/observability';
import { closedPort, startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';

const PREFIX = 'mapektest';
const TARGET = 'orders-api';

let server: NatsServerProcess;
let client: NatsConnection;
let agent: Agent | undefined;

beforeAll(async () => {
  server = await startNatsServer();
  client = await connect({ servers: server.url });
});

afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

afterAll(async () => {
  await client.drain();
  await server.stop();
});

function actuationRequest(action: string, requestId: string = randomUUID()): Record<string, unknown> {
  return { requestId, planId: randomUUID(), step: 1, action, params: { ttl_s: 30 }, rollback: false };
}

async function send(body: unknown): Promise<ActuationReplyV1> {
  const msg = await client.request(subjects.actuate(TARGET, PREFIX), typeof body === 'string' ? body : JSON.stringify(body), {
    timeout: 5000,
  });
  return actuationReplyV1Schema.parse(msg.json());
}

describe('agent actuation over a real nats-server', () => {
  it('runs a registered remedy once with the request params and replies ok', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    const calls: unknown[] = [];
    agent.registerRemedy(ActionType.clearCache, (params) => {
      calls.push(params);
      return { detail: 'cache cleared', effects: { entriesDropped: 42 } };
    });
    const request = actuationRequest(ActionType.clearCache);
    const reply = await send(request);
    expect(reply).toEqual({ requestId: request['requestId'], ok: true, detail: 'cache cleared', effects: { entriesDropped: 42 } });
    expect(calls).toEqual([{ ttl_s: 30 }]);
    expect(await agent.metricsText()).toContain(`${AgentMetricName.remediesTotal}{action="clear_cache",result="ok"} 1`);
  });

  it('does not run the remedy twice for a repeated requestId and replies the same', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    let runs = 0;
    agent.registerRemedy(ActionType.resetConnectionPool, () => {
      runs += 1;
      return { detail: `pool reset #${runs}` };
    });
    const request = actuationRequest(ActionType.resetConnectionPool);
    const first = await send(request);
    const second = await send(request);
    expect(second).toEqual(first);
    expect(first.detail).toBe('pool reset #1');
    expect(runs).toBe(1);
  });

  it('replies unknown_action for an action without a remedy', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    const request = actuationRequest(ActionType.scaleUp);
    await expect(send(request)).resolves.toMatchObject({
      requestId: request['requestId'],
      ok: false,
      errorCode: ActuationErrorCode.unknownAction,
    });
  });

  it('replies invalid_request to a malformed request', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    await expect(send('{"requestId": 12')).resolves.toMatchObject({ ok: false, errorCode: ActuationErrorCode.invalidRequest });
    const negativeStep: Record<string, unknown> = { ...actuationRequest(ActionType.clearCache), step: -1 };
    await expect(send(negativeStep)).resolves.toMatchObject({
      requestId: negativeStep['requestId'],
      ok: false,
      errorCode: ActuationErrorCode.invalidRequest,
    });
  });

  it('uses a connection it is given and leaves it open on close', async () => {
    const own = await connect({ servers: server.url });
    agent = await createAgent({ target: TARGET, natsConnection: own, subjectPrefix: PREFIX, push: false });
    agent.registerRemedy(ActionType.enableDegradedMode, () => ({ detail: 'degraded' }));
    await expect(send(actuationRequest(ActionType.enableDegradedMode))).resolves.toMatchObject({ ok: true });
    await agent.close();
    agent = undefined;
    expect(own.isClosed()).toBe(false);
    await own.drain();
  });

  it('fails with a retryable AgentConnectError when NATS is unreachable', async () => {
    const refused = await closedPort();
    await expect(createAgent({ target: TARGET, natsUrl: `nats://127.0.0.1:${refused}` })).rejects.toMatchObject({
      name: 'AgentConnectError',
      retryable: true,
    });
  });
});

describe('agent push over a real nats-server', () => {
  /** A rule the test process breaks at once: resident memory above 1 byte. */
  const lowMemoryRule = { ...defaultThresholdRules[0]!, threshold: 1, description: 'resident memory above 1 byte' };

  beforeAll(async () => {
    // The event stream as provisioning creates it, for this test's subject prefix.
    const created = await client.request(
      `$JS.API.STREAM.CREATE.${StreamName.events}`,
      JSON.stringify({ name: StreamName.events, subjects: [`${PREFIX}.symptoms.>`], storage: 'memory', duplicate_window: 600_000_000_000 }),
      { timeout: 5000 },
    );
    expect(created.json<{ error?: unknown }>().error).toBeUndefined();
  });

  it('publishes a crossing of its own gauge as a symptom the event stream stores', async () => {
    const received: Msg[] = [];
    const subscription = client.subscribe(subjects.symptoms(TARGET, PREFIX), {
      callback: (_error, msg) => {
        received.push(msg);
      },
    });
    await client.flush();
    const before = Date.now();
    agent = await createAgent({
      target: TARGET,
      natsUrl: server.url,
      subjectPrefix: PREFIX,
      push: { rules: [lowMemoryRule], intervalMs: 10 },
    });
    expect(agent.pushing).toBe(true);
    await waitFor(async () => (await agent?.metricsText())?.includes(`${AgentMetricName.symptomsPushed}{rule="memory",result="ok"} 1`), {
      what: 'the push acknowledged',
    });
    await waitFor(() => received.length > 0, { what: 'the symptom on its subject' });
    subscription.unsubscribe();
    const parsed = parseEnvelope(received[0]!.data);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.envelope).toMatchObject({
      type: 'symptom',
      source: 'agent',
      target: TARGET,
      data: { source: 'threshold', rule: 'memory', metric: 'process_resident_memory_bytes', severity: 'critical', threshold: 1 },
    });
    expect(Date.parse((parsed.envelope.data as { observedAt: string }).observedAt)).toBeGreaterThanOrEqual(before);
    expect(received[0]!.headers?.get('Nats-Msg-Id')).toBe(parsed.envelope.id);
    // No tracer provider in this process: a new sampled trace context all the same, for the services to continue.
    expect(received[0]!.headers?.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const stored = await client.request(`$JS.API.STREAM.INFO.${StreamName.events}`, '', { timeout: 5000 });
    expect(stored.json<{ state: { messages: number } }>().state.messages).toBeGreaterThanOrEqual(1);
  });

  it('pushes nothing when push is off', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    expect(agent.pushing).toBe(false);
  });
});

describe('agent heartbeats over a real nats-server', () => {
  beforeAll(async () => {
    // The telemetry stream as provisioning creates it (samples and heartbeats), for this test's prefix.
    const created = await client.request(
      `$JS.API.STREAM.CREATE.${StreamName.telemetry}`,
      JSON.stringify({
        name: StreamName.telemetry,
        subjects: [`${PREFIX}.samples.>`, `${PREFIX}.heartbeats.>`],
        storage: 'memory',
        duplicate_window: 60_000_000_000,
      }),
      { timeout: 5000 },
    );
    expect(created.json<{ error?: unknown }>().error).toBeUndefined();
  });

  it('reports its target alive at once and every interval, each heartbeat stored once on the telemetry stream', async () => {
    const received: Msg[] = [];
    const subscription = client.subscribe(subjects.heartbeats(TARGET, PREFIX), {
      callback: (_error, msg) => {
        received.push(msg);
      },
    });
    await client.flush();
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false, heartbeat: { intervalMs: 50 } });
    expect(agent.heartbeating).toBe(true);
    await waitFor(() => received.length >= 3, { what: 'three heartbeats' });
    subscription.unsubscribe();
    const beats = received.slice(0, 3).map((msg) => {
      const parsed = parseEnvelope(msg.data);
      if (!parsed.ok) throw new Error(parsed.detail);
      expect(msg.headers?.get('Nats-Msg-Id')).toBe(parsed.envelope.id);
      return parsed.envelope;
    });
    expect(beats[0]).toMatchObject({ type: 'heartbeat', source: 'agent', target: TARGET, data: { via: 'agent' } });
    expect(new Set(beats.map((beat) => beat.id)).size).toBe(3);
    const uptimes = beats.map((beat) => (beat.data as { uptimeSeconds: number }).uptimeSeconds);
    expect([...uptimes].sort((a, b) => a - b)).toEqual(uptimes);
    const stored = await client.request(`$JS.API.STREAM.INFO.${StreamName.telemetry}`, '', { timeout: 5000 });
    expect(stored.json<{ state: { messages: number } }>().state.messages).toBeGreaterThanOrEqual(3);
  });

  it('sends none when heartbeats are off', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false, heartbeat: false });
    expect(agent.heartbeating).toBe(false);
  });
});

describe('the agent’s spans, when the process it runs in exports spans', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });
  const lowMemoryRule = { ...defaultThresholdRules[0]!, threshold: 1, description: 'resident memory above 1 byte' };

  it('runs a remedy in a SERVER span that continues the executor’s actuate span', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    agent.registerRemedy(ActionType.clearCache, () => ({ detail: 'cache cleared' }));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const request = actuationRequest(ActionType.clearCache);
    const msg = await client.request(subjects.actuate(TARGET, PREFIX), JSON.stringify(request), {
      timeout: 5000,
      headers: (() => {
        const headers = natsHeaders();
        headers.set('traceparent', `00-${traceId}-${parentId}-01`);
        return headers;
      })(),
    });
    expect(actuationReplyV1Schema.parse(msg.json()).ok).toBe(true);
    await waitFor(() => spans.finished().length > 0, { what: 'the remedy span' });
    const [remedy] = spans.finished();
    expect(remedy?.name).toBe('actuate clear_cache');
    expect(remedy?.kind).toBe(SpanKind.SERVER);
    expect(remedy?.spanContext().traceId).toBe(traceId);
    expect(remedy?.parentSpanContext?.spanId).toBe(parentId);
    expect(remedy?.attributes['mapek.remedy.action']).toBe('clear_cache');
    expect(remedy?.status.code).toBe(0);
  });

  it('marks a remedy that failed on its span', async () => {
    agent = await createAgent({ target: TARGET, natsUrl: server.url, subjectPrefix: PREFIX, push: false });
    agent.registerRemedy(ActionType.clearCache, () => {
      throw new Error('cache is locked');
    });
    expect((await send(actuationRequest(ActionType.clearCache))).ok).toBe(false);
    await waitFor(() => spans.finished().length > 0, { what: 'the remedy span' });
    const [remedy] = spans.finished();
    expect(remedy?.parentSpanContext).toBeUndefined();
    expect(remedy?.attributes['error.type']).toBe(ActuationErrorCode.remedyFailed);
    expect(remedy?.status).toMatchObject({ code: 2, message: 'clear_cache failed: cache is locked' });
  });

  it('starts the incident’s trace with its push: a PRODUCER span whose context the symptom carries', async () => {
    const received: Msg[] = [];
    const subscription = client.subscribe(subjects.symptoms(TARGET, PREFIX), {
      callback: (_error, msg) => {
        received.push(msg);
      },
    });
    await client.flush();
    agent = await createAgent({
      target: TARGET,
      natsUrl: server.url,
      subjectPrefix: PREFIX,
      push: { rules: [lowMemoryRule], intervalMs: 10 },
    });
    await waitFor(() => received.length > 0 && spans.finished().some((span) => span.name === 'send symptom'), {
      what: 'the push and its span',
    });
    subscription.unsubscribe();
    const push = spans.finished().find((span) => span.name === 'send symptom');
    expect(push?.kind).toBe(SpanKind.PRODUCER);
    expect(push?.parentSpanContext).toBeUndefined();
    expect(push?.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': subjects.symptoms(TARGET, PREFIX),
      'mapek.target': TARGET,
    });
    const parsed = parseEnvelope(received[0]!.data);
    expect(parsed.ok && push?.attributes['messaging.message.id']).toBe(parsed.ok ? parsed.envelope.id : 'unparsable');
    expect(received[0]!.headers?.get('traceparent')).toBe(`00-${push?.spanContext().traceId}-${push?.spanContext().spanId}-01`);
  });
});
