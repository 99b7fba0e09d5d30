import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

interface PlanData {
  readonly steps: readonly { readonly action: string }[];
}

describe('one fault, one incident, one remedy', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    running = await startLoopStack('one_incident', {
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      planner: { MAPEK_PLANNER_COOLDOWN_MS: '1000' },
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
});
