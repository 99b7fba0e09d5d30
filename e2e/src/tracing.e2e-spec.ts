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
    readonly references: ReadonlyArray<{ readonly refType: string; readonly spanID: string }>;
    readonly tags: ReadonlyArray<{ readonly key: string; readonly value: unknown }>;
  }>;
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

const LOOP_SERVICES = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge'];

async function jaeger<T>(url: string): Promise<T[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return ((await response.json()) as { data: T[] | null }).data ?? [];
}

function servicesOf(trace: JaegerTrace): string[] {
  return [...new Set(trace.spans.map((span) => trace.processes[span.processID]?.serviceName ?? '?'))].sort();
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
        // trace. (The demo app's agent pushes crossings itself by default; it exports no spans, so
        // with it on the trace starts at the agent and the monitor's symptoms join the incident
        // in traces of their own: docs/adr/0012.)
        'demo-app': { MAPEK_AGENT_PUSH: 'false' },
        executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
        planner: { MAPEK_PLANNER_COOLDOWN_MS: '0' },
      },
      { stack: { traces: true } },
    );
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

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

    // The outcome's send span names the incident; its trace is the incident's.
    const tags = encodeURIComponent(JSON.stringify({ 'mapek.incident.id': healed.id }));
    const search = `${stack.jaegerUrl}/api/traces?service=executor&operation=${encodeURIComponent('send outcome')}&tags=${tags}&lookback=1h&limit=5`;
    const [found] = await waitFor(
      async () => {
        const traces = await jaeger<JaegerTrace>(search);
        return traces.length > 0 ? traces : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'the outcome span in Jaeger' },
    );
    if (!found) throw new Error('no trace');

    // symptom → analysis → plan → execution → outcome, each hop a send and a process span.
    const expected: Record<string, string[]> = {
      monitor: ['send symptom'],
      analyzer: ['process symptom', 'send analysis'],
      planner: ['process analysis', 'send plan.proposed', 'send plan.approved'],
      executor: ['process plan.approved', 'actuate clear_cache', 'send execution', 'send outcome'],
      knowledge: ['process symptom', 'process analysis', 'process plan.approved', 'process outcome'],
    };
    const operations = (trace: JaegerTrace, service: string) =>
      trace.spans.filter((span) => trace.processes[span.processID]?.serviceName === service).map((span) => span.operationName);
    const complete = (trace: JaegerTrace) =>
      Object.entries(expected).every(([service, names]) => names.every((name) => operations(trace, service).includes(name)));
    // Spans arrive in batches from six processes: wait until the trace holds every expected one.
    let latest: JaegerTrace | undefined;
    const trace = await waitFor(
      async () => {
        [latest] = await jaeger<JaegerTrace>(`${stack.jaegerUrl}/api/traces/${found.traceID}`);
        return latest && complete(latest) ? latest : undefined;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 500,
        what: `the spans of ${LOOP_SERVICES.join(', ')} in trace ${found.traceID} (has: ${latest ? LOOP_SERVICES.map((service) => `${service}: ${operations(latest as JaegerTrace, service).join(', ')}`).join('; ') : 'nothing'})`,
      },
    );

    expect(servicesOf(trace)).toEqual(expect.arrayContaining(LOOP_SERVICES));
    for (const [service, names] of Object.entries(expected)) expect(operations(trace, service)).toEqual(expect.arrayContaining(names));
    // One root: the monitor's symptom; every other span has its parent in this trace.
    const ids = new Set(trace.spans.map((span) => span.spanID));
    const roots = trace.spans.filter(
      (span) => !span.references.some((reference) => reference.refType === 'CHILD_OF' && ids.has(reference.spanID)),
    );
    expect(roots.map((span) => `${trace.processes[span.processID]?.serviceName} ${span.operationName}`)).toEqual(['monitor send symptom']);
    // Messaging semantic conventions on a consumer span.
    const consumer = trace.spans.find((span) => span.operationName === 'process plan.approved');
    const tag = (key: string) => consumer?.tags.find((entry) => entry.key === key)?.value;
    expect(tag('messaging.system')).toBe('nats');
    expect(tag('messaging.destination.name')).toBe('mapek.plans.approved.demo-app');
    expect(tag('span.kind')).toBe('consumer');
  });
});
