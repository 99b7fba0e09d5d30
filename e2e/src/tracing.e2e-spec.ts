import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

/** A trace as Jaeger's query API returns it (`/api/traces`, `/api/traces/<id>`). */
interface JaegerTrace {
  readonly traceID: string;
  readonly spans: ReadonlyArray<{
    readonly spanID: string;
    readonly operationName: string;
    readonly processID: string;
    readonly references: ReadonlyArray<{ readonly refType: string; readonly traceID: string; readonly spanID: string }>;
    readonly tags: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
    /** The span's events; the name is the field `event`. */
    readonly logs?: ReadonlyArray<{ readonly fields: ReadonlyArray<{ readonly key: string; readonly value: unknown }> }>;
  }>;
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

const LOOP_SERVICES = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge'];

async function jaeger<T>(url: string): Promise<T[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return ((await response.json()) as { data: T[] | null }).data ?? [];
}

type JaegerSpan = JaegerTrace['spans'][number];

function servicesOf(trace: JaegerTrace): string[] {
  return [...new Set(trace.spans.map((span) => trace.processes[span.processID]?.serviceName ?? '?'))].sort();
}

function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? '?';
}

function operations(trace: JaegerTrace, service: string): string[] {
  return trace.spans.filter((span) => serviceOf(trace, span) === service).map((span) => span.operationName);
}

function tagOf(span: JaegerSpan | undefined, key: string): unknown {
  return span?.tags.find((entry) => entry.key === key)?.value;
}

/** The names of a span's events (`pqc.sign`, …). */
function eventsOf(span: JaegerSpan): string[] {
  return (span.logs ?? []).flatMap((log) => log.fields.filter((field) => field.key === 'event').map((field) => String(field.value)));
}

/** The spans of `trace` that have no parent in it. */
function rootsOf(trace: JaegerTrace): string[] {
  const ids = new Set(trace.spans.map((span) => span.spanID));
  return trace.spans
    .filter((span) => !span.references.some((reference) => reference.refType === 'CHILD_OF' && ids.has(reference.spanID)))
    .map((span) => `${serviceOf(trace, span)} ${span.operationName}`);
}

describe('one trace per incident, exported to a real Jaeger', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    running = await startLoopStack(
      'tracing',
      {
        // The monitor's scrape is the only detector here, so it opens the incident and roots its
        // trace. (The demo app's agent pushes crossings itself by default; with it on, the agent's
        // push usually comes first and roots the trace, and the monitor's symptoms join the
        // incident in traces of their own: the compose test sees that case.)
        'demo-app': { MAPEK_AGENT_PUSH: 'false' },
        executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
        planner: { MAPEK_PLANNER_COOLDOWN_MS: '0' },
        // A quiet incident closes soon, so the second fault opens an incident of its own.
        analyzer: { MAPEK_ANALYZER_INCIDENT_QUIET_MS: '3000' },
      },
      { stack: { traces: true } },
    );
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  /**
   * The incident's trace (found by its outcome's send span, which names the incident), once it
   * holds every expected span: they arrive in batches from six processes.
   */
  async function incidentTrace(incidentId: string, expected: Record<string, string[]>): Promise<JaegerTrace> {
    const tags = encodeURIComponent(JSON.stringify({ 'mapek.incident.id': incidentId }));
    const search = `${stack.jaegerUrl}/api/traces?service=executor&operation=${encodeURIComponent('send outcome')}&tags=${tags}&lookback=1h&limit=5`;
    const [found] = await waitFor(
      async () => {
        const traces = await jaeger<JaegerTrace>(search);
        return traces.length > 0 ? traces : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'the outcome span in Jaeger' },
    );
    if (!found) throw new Error('no trace');
    const complete = (trace: JaegerTrace) =>
      Object.entries(expected).every(([service, names]) => names.every((name) => operations(trace, service).includes(name)));
    let latest: JaegerTrace | undefined;
    try {
      return await waitFor(
        async () => {
          [latest] = await jaeger<JaegerTrace>(`${stack.jaegerUrl}/api/traces/${found.traceID}`);
          return latest && complete(latest) ? latest : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, what: `the expected spans in trace ${found.traceID}` },
      );
    } catch (error) {
      const seen = latest
        ? Object.keys(expected)
            .map((service) => `${service}: ${operations(latest as JaegerTrace, service).join(', ')}`)
            .join('; ')
        : 'nothing';
      throw new Error(`${(error as Error).message}; expected ${JSON.stringify(expected)}, has ${seen}`, { cause: error });
    }
  }

  it('follows the memory-leak incident from the monitor’s symptom to the executor’s outcome in one trace holding spans of all five loop services', async () => {
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const healed = await loop.waitForIncident(
      since,
      (incident) => incident.cause === 'memory_leak' && incident.outcome !== null,
      60_000,
      'the memory-leak incident to reach an outcome',
    );
    expect(healed.outcome).toBe('success');

    const trace = await incidentTrace(healed.id, {
      monitor: ['GET', 'send symptom'],
      analyzer: ['process symptom', 'send analysis'],
      planner: ['process analysis', 'kv create mapek_plans', 'send plan.proposed', 'send plan.approved'],
      executor: [
        'process plan.approved',
        'kv create mapek_executions',
        'effector agent clear_cache',
        'actuate clear_cache',
        'send execution',
        'send outcome',
      ],
      knowledge: ['process symptom', 'process analysis', 'process plan.approved', 'process outcome', 'db.query insert events'],
      // The agent in the demo app exports its spans too (the stack gives it the same OTEL_* variables).
      'demo-app': ['actuate clear_cache'],
    });

    expect(servicesOf(trace)).toEqual(expect.arrayContaining(LOOP_SERVICES));
    // One root: the monitor's scrape whose readings broke the memory rule; every other span has its parent in this trace.
    expect(rootsOf(trace)).toEqual(['monitor GET']);
    const scrape = trace.spans.find((span) => serviceOf(trace, span) === 'monitor' && span.operationName === 'GET');
    expect(tagOf(scrape, 'span.kind')).toBe('client');
    expect(tagOf(scrape, 'http.request.method')).toBe('GET');
    expect(String(tagOf(scrape, 'url.full'))).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(tagOf(scrape, 'http.response.status_code')).toBe(200);
    expect(tagOf(scrape, 'mapek.check')).toBe('scrape');
    expect(tagOf(scrape, 'mapek.target')).toBe('demo-app');
    const symptom = trace.spans.find((span) => serviceOf(trace, span) === 'monitor' && span.operationName === 'send symptom');
    expect(symptom?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: scrape?.spanID }));
    // The loop's records in KV, as CLIENT spans under the handler that wrote them.
    const plan = trace.spans.find((span) => span.operationName === 'kv create mapek_plans');
    expect(tagOf(plan, 'db.collection.name')).toBe('mapek_plans');
    expect(tagOf(plan, 'db.operation.name')).toBe('create');
    expect(typeof tagOf(plan, 'mapek.kv.revision')).toBe('number');
    // The planner plans from its watch of cooldowns, approvals and resolved incidents (with the
    // NATS permissions the stack renders): no KV read under its handling of the analysis.
    const planning = trace.spans.find((span) => serviceOf(trace, span) === 'planner' && span.operationName === 'process analysis');
    const planningReads = trace.spans.filter(
      (span) => span.operationName === 'kv get mapek_plans' && span.references.some((reference) => reference.spanID === planning?.spanID),
    );
    expect(planningReads.map((span) => tagOf(span, 'mapek.kv.key'))).toEqual([]);
    // Messaging semantic conventions on a consumer span.
    const consumer = trace.spans.find((span) => span.operationName === 'process plan.approved');
    expect(tagOf(consumer, 'messaging.system')).toBe('nats');
    expect(tagOf(consumer, 'messaging.destination.name')).toBe('mapek.plans.approved.demo-app');
    expect(tagOf(consumer, 'span.kind')).toBe('consumer');

    // Knowledge's statements, as CLIENT spans under its consumer spans, without bound values.
    const insert = trace.spans.find((span) => serviceOf(trace, span) === 'knowledge' && span.operationName === 'db.query insert events');
    expect(tagOf(insert, 'span.kind')).toBe('client');
    expect(tagOf(insert, 'db.system.name')).toBe('postgresql');
    expect(tagOf(insert, 'db.system')).toBe('postgresql');
    expect(tagOf(insert, 'db.operation.name')).toBe('INSERT');
    expect(tagOf(insert, 'db.collection.name')).toBe('events');
    expect(String(tagOf(insert, 'db.query.text'))).toMatch(/^INSERT INTO events \(.*VALUES \(\$1, \$2/);
    expect(String(tagOf(insert, 'db.query.text'))).not.toContain(healed.id);

    // The executor's effector call, with the agent's actuation beneath it.
    const effector = trace.spans.find((span) => span.operationName === 'effector agent clear_cache');
    expect(tagOf(effector, 'mapek.effector.kind')).toBe('agent');
    expect(tagOf(effector, 'mapek.effector.action')).toBe('clear_cache');
    expect(tagOf(effector, 'mapek.target')).toBe('demo-app');
    expect(tagOf(effector, 'mapek.effector.outcome')).toBe('ok');
    const actuate = trace.spans.find((span) => serviceOf(trace, span) === 'executor' && span.operationName === 'actuate clear_cache');
    expect(actuate?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: effector?.spanID }));
    // The remedy itself, in the agent: a SERVER span continuing the executor's request.
    const remedy = trace.spans.find((span) => serviceOf(trace, span) === 'demo-app' && span.operationName === 'actuate clear_cache');
    expect(tagOf(remedy, 'span.kind')).toBe('server');
    expect(tagOf(remedy, 'mapek.remedy.action')).toBe('clear_cache');
    expect(remedy?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: actuate?.spanID }));

    // PQC: each send signs (ML-DSA-65), each process verifies, the actuation is sealed to the agent.
    const send = trace.spans.find((span) => serviceOf(trace, span) === 'monitor' && span.operationName === 'send symptom');
    expect(send && eventsOf(send)).toContain('pqc.sign');
    const verified = trace.spans.find((span) => serviceOf(trace, span) === 'analyzer' && span.operationName === 'process symptom');
    expect(verified && eventsOf(verified)).toContain('pqc.verify');
    expect(effector && eventsOf(effector)).toEqual(expect.arrayContaining(['pqc.seal', 'pqc.sign']));
  });

  it('puts an operator’s approval through the gateway, and the execution it releases, in the incident’s trace', async () => {
    // Let the first incident finish, then hold every plan of the demo app for an operator.
    await loop.fault('/demo/reset');
    await waitFor(async () => (await loop.incidents()).every((incident) => incident.outcome !== null), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'every earlier incident to reach its outcome',
    });
    const flag = await loop.json<{ key: string }>(`${stack.gatewayUrl}/api/v1/flags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ change: { flag: 'auto_healing', target: 'demo-app', enabled: false }, reason: 'e2e: approve by hand' }),
    });
    expect(flag.status).toBe(202);
    await waitFor(
      async () =>
        (
          await loop.json<{ flags: Array<{ key: string; change: Record<string, unknown> }> }>(`${stack.gatewayUrl}/api/v1/flags`)
        ).body.flags.some((stored) => stored.key === flag.body.key && stored.change['enabled'] === false),
      { timeoutMs: 15_000, intervalMs: 200, what: 'the planner storing the auto-healing flag' },
    );

    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const held = await loop.waitForIncident(
      since,
      (incident) => incident.planStatus === 'proposed',
      45_000,
      'the next incident to be held',
    );
    const pending = await waitFor(
      async () =>
        (
          await loop.json<{ plans: Array<{ incidentId?: string; traceparent?: string; plan: { planId: string } }> }>(
            `${stack.gatewayUrl}/api/v1/plans?status=pending`,
          )
        ).body.plans.find((record) => record.incidentId === held.id),
      { timeoutMs: 10_000, intervalMs: 200, what: 'the held plan' },
    );
    // The plan record carries the incident's trace context.
    expect(pending.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const incidentTraceId = pending.traceparent?.split('-')[1];

    const approved = await loop.json(`${stack.gatewayUrl}/api/v1/plans/${pending.plan.planId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'e2e: approved by hand' }),
    });
    expect(approved.status).toBe(202);
    const done = await loop.waitForIncident(
      since,
      (incident) => incident.id === held.id && incident.outcome !== null,
      60_000,
      'the approved incident’s outcome',
    );

    const trace = await incidentTrace(done.id, {
      monitor: ['send symptom'],
      planner: ['process analysis', 'send plan.proposed', 'process decision', 'send plan.approved'],
      gateway: ['decide approve', 'send decision'],
      executor: ['process plan.approved', 'effector agent clear_cache', 'send outcome'],
      knowledge: ['process decision'],
    });
    // Jaeger's JSON drops the leading zeros of a trace id.
    expect(trace.traceID.padStart(32, '0')).toBe(incidentTraceId);
    expect(rootsOf(trace)).toEqual(['monitor GET']);
    // The decision's span is a child of the planner's span that made the plan, and links to the
    // HTTP request's span (its own trace) as FOLLOWS_FROM.
    const decide = trace.spans.find((span) => span.operationName === 'decide approve');
    expect(tagOf(decide, 'mapek.plan.id')).toBe(pending.plan.planId);
    expect(tagOf(decide, 'mapek.decision.verdict')).toBe('approve');
    expect(decide?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: pending.traceparent?.split('-')[2] }));
    const link = decide?.references.find((reference) => reference.refType === 'FOLLOWS_FROM');
    expect(link?.traceID).not.toBe(trace.traceID);
    const request = await waitFor(async () => (await jaeger<JaegerTrace>(`${stack.jaegerUrl}/api/traces/${link?.traceID}`))[0], {
      timeoutMs: 20_000,
      intervalMs: 500,
      what: 'the approval request’s trace',
    });
    expect(request.spans.map((span) => span.operationName)).toContain('POST /api/v1/plans/:id/approve');
  });

  it('traces an incident read through the gateway into knowledge’s answer and the statements behind it', async () => {
    const [incident] = await loop.incidents();
    if (!incident) throw new Error('no incident to read');
    await loop.incident(incident.id);
    const search = `${stack.jaegerUrl}/api/traces?service=gateway&operation=${encodeURIComponent('GET /api/v1/incidents/:id')}&lookback=1h&limit=5`;
    const trace = await waitFor(
      async () => {
        for (const found of await jaeger<JaegerTrace>(search)) {
          const [full] = await jaeger<JaegerTrace>(`${stack.jaegerUrl}/api/traces/${found.traceID}`);
          if (full && operations(full, 'knowledge').some((name) => name.startsWith('db.query'))) return full;
        }
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the incident read’s trace with knowledge’s statements' },
    );
    const subject = 'mapek.svc.knowledge.incident';
    const request = trace.spans.find((span) => serviceOf(trace, span) === 'gateway' && span.operationName === `request ${subject}`);
    const answer = trace.spans.find((span) => serviceOf(trace, span) === 'knowledge' && span.operationName === `process ${subject}`);
    expect(tagOf(request, 'span.kind')).toBe('client');
    expect(tagOf(answer, 'span.kind')).toBe('server');
    expect(tagOf(answer, 'rpc.response.status_code')).toBe('200');
    expect(answer?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: request?.spanID }));
    const statement = trace.spans.find((span) => serviceOf(trace, span) === 'knowledge' && span.operationName.startsWith('db.query'));
    expect(statement?.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: answer?.spanID }));
    expect(rootsOf(trace)).toEqual(['gateway GET /api/v1/incidents/:id']);
  });
});
