import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ConsumerName, StreamName, newEventId } from '@mapek/contracts';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import { EventSocket, webSocketOutcome, type IncidentDetail, type LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const MEMORY_THRESHOLD = 400 * 1024 * 1024;

describe('the loop, as separate processes on real nats-server and PostgreSQL', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;
  let socket: EventSocket;

  beforeAll(async () => {
    running = await startLoopStack('healing', {
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      planner: { MAPEK_ACK_WAIT_MS: '3000', MAPEK_PLANNER_COOLDOWN_MS: '0' },
    });
    ({ stack, loop } = running);
    socket = await EventSocket.open(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, stack.caFile, stack.apiKeys?.adminToken);
  });

  afterAll(async () => {
    socket?.close();
    await running?.stop();
  });

  it('rejects, counts and dead-letters a malformed event on a loop subject, and keeps consuming', async () => {
    // Security is on: the test connects as the monitor, which may publish symptoms.
    const nc = await connect(stack.natsConnectOptions('monitor'));
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(StreamName.deadLetter)).state.messages;
    await nc.request('mapek.symptoms.demo-app', '{"id":"not-a-uuid","type":"symptom"}', { timeout: 2000 }).catch(() => undefined);
    const analyzerUrl = stack.serviceUrl('analyzer');
    await waitFor(async () => (await loop.metric(analyzerUrl, /^mapek_events_rejected_total\{reason="malformed"/)) >= 1, {
      what: 'the analyzer counting the malformed event',
    });
    await waitFor(async () => (await jsm.streams.info(StreamName.deadLetter)).state.messages > before, { what: 'a dead letter' });
    await nc.close();
  });

  it('runs with security on: a symptom the monitor did not sign is rejected as bad_signature, dead-lettered, audited by knowledge and never becomes an incident', async () => {
    expect(stack.security).toBe('on');
    const nc = await connect(stack.natsConnectOptions('monitor'));
    const js = jetstream(nc);
    const since = Date.now();
    const now = new Date().toISOString();
    const forged = {
      id: newEventId(),
      type: 'symptom',
      version: 1,
      source: 'monitor',
      time: now,
      target: 'forged-target',
      data: {
        source: 'threshold',
        rule: 'memory',
        severity: 'critical',
        metric: 'process_resident_memory_bytes',
        value: 9e9,
        threshold: 4e8,
        labels: {},
        description: 'forged',
        observedAt: now,
      },
    };
    await js.publish('mapek.symptoms.forged-target', JSON.stringify(forged));
    const analyzerUrl = stack.serviceUrl('analyzer');
    await waitFor(
      async () => (await loop.metric(analyzerUrl, /^mapek_events_rejected_total\{reason="bad_signature",consumer="analyzer"/)) >= 1,
      {
        what: 'the analyzer rejecting the unsigned symptom',
      },
    );
    await waitFor(
      async () =>
        (await loop.metric(stack.serviceUrl('knowledge'), /^mapek_knowledge_rejections_audited_total\{reason="bad_signature"/)) >= 1,
      {
        what: 'knowledge auditing the rejection',
      },
    );
    expect(
      (await loop.incidents()).filter((incident) => incident.target === 'forged-target' && Date.parse(incident.openedAt) >= since - 1000),
    ).toEqual([]);
    // The rejection rows extend the same hash chain, which still verifies.
    const gateway = await connect(stack.natsConnectOptions('gateway'));
    const verdict = (await gateway.request('mapek.svc.knowledge.audit-verify', '{}', { timeout: 5000 })).json<{
      ok: boolean;
      checked: number;
    }>();
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.checked).toBeGreaterThan(0);
    await gateway.close();
    // Every signature made and checked is timed per operation, algorithm and backend (the monitor
    // signs its first sample batch a linger after its first scrape, at the target's point in the interval).
    await waitFor(
      async () =>
        (await loop.metric(stack.serviceUrl('monitor'), /^mapek_pqc_operation_duration_seconds_count\{.*op="sign",alg="ML-DSA-65"/)) > 0,
      { what: 'the monitor signing' },
    );
    expect(await loop.metric(analyzerUrl, /^mapek_pqc_operation_duration_seconds_count\{.*op="verify",alg="ML-DSA-65"/)).toBeGreaterThan(0);
    await nc.close();
  });

  it('heals a memory leak end to end: incident, plan, remedy through the agent, outcome success, memory back under the threshold', async () => {
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const healed = await loop.waitForIncident(
      since,
      (incident) => incident.cause === 'memory_leak' && incident.outcome !== null,
      30_000,
      'the memory-leak incident to reach an outcome',
    );
    expect(healed.outcome).toBe('success');
    expect(Date.parse(healed.openedAt) - since).toBeLessThan(30_000);

    const detail: IncidentDetail = await loop.incident(healed.id);
    expect(detail.events.analyses).toHaveLength(1);
    expect(detail.events.plans.map((event) => event.type)).toEqual(['plan.proposed', 'plan.approved']);
    const executions = detail.events.executions.map(
      (event) => event.data as { executionId: string; status: string; steps: Array<{ action: string; status: string; detail?: string }> },
    );
    expect(executions.map((execution) => execution.status)).toEqual(['in_progress', 'completed']);
    const completed = executions[1];
    expect(completed?.steps.map((step) => step.action)).toContain('clear_cache');
    expect(completed?.steps.every((step) => step.status === 'completed')).toBe(true);
    expect(completed?.steps.find((step) => step.action === 'clear_cache')?.detail).toMatch(/dropped 5/);
    expect(detail.events.outcomes[0]?.data).toMatchObject({ outcome: 'success', violationsAfter: 0 });
    expect((await loop.demoStatus()).memory.rssBytes).toBeLessThan(MEMORY_THRESHOLD);
    // The demo app's agent pushed the crossing itself, signed as the agent identity: NATS let it
    // publish the symptom, and the analyzer accepted it into this one incident beside the monitor's.
    expect(detail.events.symptoms.filter((event) => event.source === 'agent').map((event) => event.data['rule'])).toContain('memory');
    expect(await loop.metric(stack.demoUrl, /^mapek_agent_symptoms_pushed_total\{rule="memory",result="ok"/)).toBeGreaterThan(0);
    expect(await loop.metric(stack.serviceUrl('analyzer'), /^mapek_events_rejected_total\{reason="(not_authorized|unknown_key)"/)).toBe(0);

    // The same events, in the same order, arrived on the WebSocket.
    const stored = [...detail.events.analyses, ...detail.events.plans, ...detail.events.executions, ...detail.events.outcomes]
      .sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id))
      .map((event) => event.id);
    await waitFor(() => socket.frames.some((frame) => frame.event.type === 'outcome' && frame.event.incidentId === healed.id), {
      what: 'the outcome on /ws',
    });
    const streamed = socket.frames.filter((frame) => frame.event.incidentId === healed.id).map((frame) => frame.event.id);
    expect(new Set(streamed)).toEqual(new Set(stored));
    expect(socket.frames.filter((frame) => frame.event.incidentId === healed.id).map((frame) => frame.event.type)).toEqual([
      'analysis',
      'plan.proposed',
      'plan.approved',
      'execution',
      'execution',
      'outcome',
    ]);
    const firstSymptom = detail.events.analyses[0]?.data as { symptomIds: string[] };
    expect(socket.frames.some((frame) => frame.event.type === 'symptom' && firstSymptom.symptomIds.includes(frame.event.id))).toBe(true);
  });

  it('gives the analyzer and the planner only the event types they handle: their durables filter on the server, nothing arrives to be ignored', async () => {
    // After an incident went through: executions, plans and decisions are in the stream beside symptoms and outcomes.
    const nc = await connect(stack.natsConnectOptions('gateway'));
    const jsm = await jetstreamManager(nc);
    const filters = async (durable: string) => (await jsm.consumers.info(StreamName.events, durable)).config.filter_subjects;
    // The analyzer also takes resolved alerts (an incident whose signal went away).
    expect([...((await filters(ConsumerName.analyzer)) ?? [])].sort()).toEqual(['mapek.alerts.>', 'mapek.outcomes.>', 'mapek.symptoms.>']);
    // The planner also takes outcomes (its autonomy ladder), flag changes (it stores them) and resolved incidents (it cancels their plans).
    expect([...((await filters(ConsumerName.planner)) ?? [])].sort()).toEqual([
      'mapek.analyses.>',
      'mapek.decisions.>',
      'mapek.flags.>',
      'mapek.incidents.>',
      'mapek.outcomes.>',
    ]);
    await nc.close();
    const analyzerUrl = stack.serviceUrl('analyzer');
    const plannerUrl = stack.serviceUrl('planner');
    expect(await loop.metric(analyzerUrl, /^mapek_events_consumed_total\{type="outcome",consumer="analyzer",result="ok"/)).toBeGreaterThan(
      0,
    );
    expect(await loop.metric(plannerUrl, /^mapek_events_consumed_total\{type="analysis",consumer="planner",result="ok"/)).toBeGreaterThan(
      0,
    );
    expect(await loop.metric(analyzerUrl, /^mapek_events_consumed_total\{.*result="ignored"/)).toBe(0);
    expect(await loop.metric(plannerUrl, /^mapek_events_consumed_total\{.*result="ignored"/)).toBe(0);
  });

  it('detects CPU overload, connection exhaustion and request failures, each as one incident of its own cause', async () => {
    // One fault at a time: symptoms of one target that start together are one incident.
    const faults = [
      ['/demo/connection-issues?connection_count=100', 'connection_exhaustion'],
      ['/demo/cpu-overload?duration=20&num_threads=4', 'cpu_overload'],
      ['/demo/request-failures?failure_rate=0.8', 'error_rate'],
    ] as const;
    for (const [fault, cause] of faults) {
      const since = Date.now();
      await loop.fault(fault);
      const incident = await loop.waitForIncident(
        since,
        (candidate) => candidate.outcome !== null,
        60_000,
        `the ${cause} incident to reach an outcome`,
      );
      expect(incident).toMatchObject({ target: 'demo-app', cause });
      await loop.fault('/demo/reset');
    }
  });

  it('completes an incident with exactly one execution after the planner is killed -9 between analysis and plan', async () => {
    await stack.stopService('planner', 'SIGKILL');
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const waiting = await loop.waitForIncident(
      since,
      (incident) => incident.cause === 'memory_leak',
      30_000,
      'the analysis while the planner is down',
    );
    expect(waiting.planId).toBeNull();
    await stack.startService('planner');
    const done = await waitFor(
      async () => (await loop.incidents()).find((incident) => incident.id === waiting.id && incident.outcome !== null),
      {
        timeoutMs: 45_000,
        intervalMs: 250,
        what: 'the outcome after the planner restarted',
      },
    );
    expect(done.outcome).toBe('success');
    const detail = await loop.incident(waiting.id);
    const executionIds = new Set(detail.events.executions.map((event) => (event.data as { executionId: string }).executionId));
    const planIds = new Set(detail.events.plans.map((event) => (event.data as { planId: string }).planId));
    expect(planIds.size).toBe(1);
    expect(executionIds.size).toBe(1);
    expect(detail.events.executions.filter((event) => (event.data as { status: string }).status === 'completed')).toHaveLength(1);
    expect(detail.events.outcomes).toHaveLength(1);
  });

  it('closes a WebSocket from a browser origin it does not allow, and one that sends an oversized frame', async () => {
    const url = `${stack.gatewayUrl.replace(/^http/, 'ws')}/ws`;
    const authorization = `Bearer ${stack.apiKeys?.adminToken ?? ''}`;
    const foreign = await webSocketOutcome(url, stack.caFile, { origin: 'https://evil.example', authorization });
    expect(foreign.code === 'refused' || foreign.code === 1008).toBe(true);
    const oversized = await webSocketOutcome(url, stack.caFile, { authorization }, (socket) => socket.send('x'.repeat(200 * 1024)));
    expect(oversized.opened).toBe(true);
    expect(oversized.code).toBe(1009);
  });

  it('reports over HTTP that the audit chain verifies and what the outcomes taught', async () => {
    const audit = await loop.json<{ ok: boolean; checked: number }>(`${stack.gatewayUrl}/api/v1/audit/verify`);
    expect(audit.status).toBe(200);
    expect(audit.body.ok).toBe(true);
    expect(audit.body.checked).toBeGreaterThan(5);
    const insights = await loop.json<{ insights: unknown[] }>(`${stack.gatewayUrl}/api/v1/insights`);
    expect(insights.status).toBe(200);
    expect(Array.isArray(insights.body.insights)).toBe(true);
  });

  it('answers bad input with 400 and a reason, unknown ids with 404', async () => {
    const bad = await loop.json<{ reason: string }>(`${stack.gatewayUrl}/api/v1/incidents/not-an-id`);
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toMatch(/UUID/);
    expect((await loop.json(`${stack.gatewayUrl}/api/v1/incidents/01a211f1-98a7-7763-be65-602fbd536fa4`)).status).toBe(404);
    expect((await loop.json(`${stack.gatewayUrl}/api/v1/plans?status=maybe`)).status).toBe(400);
    const approveUnknown = await loop.json(`${stack.gatewayUrl}/api/v1/plans/01a211f1-98a7-7763-be65-602fbd536fa4/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"reason":"looks right"}',
    });
    expect(approveUnknown.status).toBe(404);
    const badBody = await loop.json(`${stack.gatewayUrl}/api/v1/plans/01a211f1-98a7-7763-be65-602fbd536fa4/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"actor":"alice","extra":1}',
    });
    expect(badBody.status).toBe(400);
  });
});
