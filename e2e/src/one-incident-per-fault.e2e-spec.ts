import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { LoopEvents, type SeenEvent } from './loop-events.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

/** Short, so that trouble starting a moment after the leak's incident opened is past it. */
const JOIN_WINDOW_MS = 500;

interface AnalysisData {
  readonly rootCauses: readonly { readonly cause: string }[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PlanData {
  readonly steps: readonly { readonly action: string }[];
}

describe('one fault, one incident, one remedy', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    running = await startLoopStack('one_incident', {
      // Verified after 13 s: the CPU rule reports 5 s into a CPU fault (of 7 s), and a leak's late
      // CPU must come, and be over, while the leak's incident is open; a CPU reading after the
      // leak's outcome would open an incident of its own.
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '12000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      planner: { MAPEK_PLANNER_COOLDOWN_MS: '1000' },
      analyzer: { MAPEK_ANALYZER_JOIN_WINDOW_MS: String(JOIN_WINDOW_MS) },
    });
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('gives each demo memory leak exactly one incident, caused by memory_leak, and one remedy that frees memory, never a throttle', async () => {
    const since = Date.now();
    const healed: string[] = [];
    for (let leak = 0; leak < 3; leak++) {
      const started = Date.now();
      await loop.fault('/demo/memory-leak?size_mb=100&count=5');
      const incident = await loop.waitForIncident(
        started,
        (found) => !healed.includes(found.id) && found.outcome !== null,
        40_000,
        `leak ${leak + 1} to be healed`,
      );
      expect(incident).toMatchObject({ target: 'demo-app', cause: 'memory_leak', outcome: 'success' });
      healed.push(incident.id);
    }

    const incidents = (await loop.incidents()).filter(
      (incident) => incident.target === 'demo-app' && Date.parse(incident.openedAt) >= since - 1000,
    );
    expect(incidents.map((incident) => incident.id).sort()).toEqual([...healed].sort());
    for (const id of healed) {
      const detail = await loop.incident(id);
      const approved = detail.events.plans.filter((event) => event.type === 'plan.approved');
      expect(approved).toHaveLength(1);
      const actions = approved.flatMap((event) => (event.data as unknown as PlanData).steps.map((step) => step.action));
      expect(actions).toEqual(expect.arrayContaining(['collect_garbage']));
      expect(actions).not.toContain('throttle_requests');
      expect(detail.events.analyses).toHaveLength(1);
      expect(detail.events.outcomes).toHaveLength(1);
    }
    const throttled = await loop.metric(stack.demoUrl, /^mapek_agent_remedies_total\{action="throttle_requests"/);
    expect(throttled).toBe(0);
  });

  it('takes the CPU a leak brings about after the join window into the leak’s incident, not into an incident of its own', async () => {
    const events = await LoopEvents.open(stack.natsConnectOptions('cli'));
    try {
      await loop.fault('/demo/reset');
      const mark = events.mark();
      const ofDemo = (type: string) => (event: SeenEvent) => event.envelope.type === type && event.envelope.target === 'demo-app';
      await loop.fault('/demo/memory-leak?size_mb=100&count=5');
      const analysis = await events.next(mark, ofDemo('analysis'), 'the leak’s analysis', 30_000);
      const incidentId = analysis.envelope.incidentId;
      await pause(JOIN_WINDOW_MS + 300);
      await loop.fault('/demo/cpu-overload?duration=7&num_threads=4');
      const cpu = await events.next(
        mark,
        (event) => ofDemo('symptom')(event) && /cpu/i.test((event.envelope.data as { metric: string }).metric),
        'a CPU symptom of the demo app',
        30_000,
      );
      const outcome = await events.next(
        mark,
        (event) => event.envelope.type === 'outcome' && event.envelope.incidentId === incidentId,
        'the leak’s outcome',
        60_000,
      );
      // The CPU trouble started past the join window and while the leak's incident was open, so
      // before the fix it opened an incident (and an analysis) of its own.
      expect(cpu.at).toBeLessThan(outcome.at);
      expect(Date.parse((cpu.envelope.data as { observedAt: string }).observedAt)).toBeGreaterThan(analysis.at + JOIN_WINDOW_MS);
      // Time for a held CPU analysis to come out (the settle window, 1.5 s), had one been opened.
      await pause(3000);
      const analyses = events.since(mark).filter(ofDemo('analysis'));
      expect(analyses.map((event) => event.envelope.incidentId)).toEqual([incidentId]);
    } finally {
      await events.close();
      await loop.fault('/demo/reset');
    }
  });

  it('takes a leak’s late CPU into the leak’s incident also when the target’s incident is another fault’s, held for an operator', async () => {
    const setAutoHealing = async (enabled: boolean) => {
      const { status, body } = await loop.json<{ key: string }>(`${stack.gatewayUrl}/api/v1/flags`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ change: { flag: 'auto_healing', target: 'demo-app', enabled }, reason: 'e2e: hold every plan' }),
      });
      expect(status).toBe(202);
      await waitFor(
        async () =>
          (
            await loop.json<{ flags: Array<{ key: string; change: Record<string, unknown> }> }>(`${stack.gatewayUrl}/api/v1/flags`)
          ).body.flags.some((flag) => flag.key === body.key && flag.change['enabled'] === enabled),
        { timeoutMs: 15_000, intervalMs: 200, what: `auto-healing ${enabled ? 'on' : 'off'} to be stored` },
      );
    };
    const events = await LoopEvents.open(stack.natsConnectOptions('cli'));
    try {
      await loop.fault('/demo/reset');
      // Every plan waits for an operator, so each incident stays open for the whole case.
      await setAutoHealing(false);
      const mark = events.mark();
      const ofDemo = (type: string) => (event: SeenEvent) => event.envelope.type === type && event.envelope.target === 'demo-app';
      await loop.fault('/demo/request-failures?failure_rate=0.8');
      const failures = await events.next(mark, ofDemo('analysis'), 'the request failures’ analysis', 30_000);
      // Past the join window: the leak is another fault, kept apart from the failures' incident.
      await pause(JOIN_WINDOW_MS + 300);
      await loop.fault('/demo/memory-leak?size_mb=100&count=5');
      const leak = await events.next(
        mark,
        (event) => ofDemo('analysis')(event) && event.envelope.incidentId !== failures.envelope.incidentId,
        'the leak’s analysis',
        30_000,
      );
      expect((leak.envelope.data as AnalysisData).rootCauses[0]?.cause).toBe('memory_leak');
      await pause(JOIN_WINDOW_MS + 300);
      const late = events.mark();
      await loop.fault('/demo/cpu-overload?duration=7&num_threads=4');
      await events.next(
        late,
        (event) => ofDemo('symptom')(event) && /cpu/i.test((event.envelope.data as { metric: string }).metric),
        'a CPU symptom of the demo app',
        30_000,
      );
      // Time for a held CPU analysis to come out (the settle window, 1.5 s), had one been opened:
      // before the fix, the CPU symptom read only the target's slot (the failures') and its own
      // kind's, and opened an incident of its own.
      await pause(3000);
      const analyses = events.since(mark).filter(ofDemo('analysis'));
      expect(analyses.map((event) => event.envelope.incidentId)).toEqual([failures.envelope.incidentId, leak.envelope.incidentId]);
    } finally {
      await events.close();
      await setAutoHealing(true);
      await loop.fault('/demo/reset');
    }
  });
});
