import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

interface PlanData {
  readonly planId: string;
  readonly dryRun: boolean;
  readonly approval: string;
  readonly guardrails?: Array<{ check: string; verdict: string; detail: string }>;
}

describe('runtime flags change what the planner does, without a restart', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  const setFlag = async (change: object) => {
    const { status, body } = await loop.json<{ key: string }>(`${stack.gatewayUrl}/api/v1/flags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ change, reason: 'e2e' }),
    });
    expect(status).toBe(202);
    return body.key;
  };
  const flagStored = (key: string, matches: (change: Record<string, unknown>) => boolean) =>
    waitFor(
      async () =>
        (
          await loop.json<{ flags: Array<{ key: string; change: Record<string, unknown> }> }>(`${stack.gatewayUrl}/api/v1/flags`)
        ).body.flags.some((flag) => flag.key === key && matches(flag.change)),
      { timeoutMs: 15_000, intervalMs: 200, what: `the planner storing ${key}` },
    );

  beforeAll(async () => {
    running = await startLoopStack('flags', {
      analyzer: { MAPEK_ANALYZER_INCIDENT_QUIET_MS: '3000' },
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '3000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      planner: { MAPEK_PLANNER_COOLDOWN_MS: '1000' },
    });
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('runs the plans of a target in shadow mode as dry runs, then holds them for an operator once auto-healing is off for that target', async () => {
    const shadow = await setFlag({ flag: 'shadow_mode', target: 'demo-app', enabled: true });
    await flagStored(shadow, (change) => change['enabled'] === true);

    const first = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const simulated = await loop.waitForIncident(
      first,
      (incident) => incident.outcome !== null,
      45_000,
      'the shadow-mode incident to reach an outcome',
    );
    // Nothing was actuated: the executor simulated the plan, so nothing can be said about its effect.
    expect(simulated.outcome).toBe('unknown');
    const detail = await loop.incident(simulated.id);
    const approved = detail.events.plans.find((event) => event.type === 'plan.approved')?.data as unknown as PlanData;
    expect(approved).toMatchObject({ dryRun: true, approval: 'automatic' });
    expect(approved.guardrails).toContainEqual(
      expect.objectContaining({
        check: 'shadow_mode',
        verdict: 'modify',
        detail: expect.stringContaining('flag.shadow_mode.demo-app by admin'),
      }),
    );
    expect(detail.events.executions.every((event) => event.data['dryRun'] === true)).toBe(true);

    await loop.fault('/demo/reset');
    // The leak outlived the simulated remedy, so more incidents may have opened meanwhile, each
    // simulated too: let every one reach its outcome, so the next fault opens an incident of its own.
    await waitFor(async () => (await loop.incidents()).every((incident) => incident.outcome !== null), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'every shadow-mode incident to reach its outcome',
    });
    // Shadow mode goes first: the first leak's memory is still above the rule after the reset (no
    // collection ran), so its symptoms go on and incidents keep opening. One opened between the
    // two changes is then remedied for real and closes, instead of being held as a dry run (auto-
    // healing off, shadow mode not yet) that would take every later symptom.
    await setFlag({ flag: 'shadow_mode', target: 'demo-app', enabled: false });
    await flagStored(shadow, (change) => change['enabled'] === false);
    const second = Date.now();
    const off = await setFlag({ flag: 'auto_healing', target: 'demo-app', enabled: false });
    await flagStored(off, (change) => change['enabled'] === false);

    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    // Proposed and not approved: the plan waits for an operator. Only an incident opened after
    // shadow mode was off (waitForIncident's second of slack is not given here).
    const held = await loop.waitForIncident(
      second,
      (incident) => Date.parse(incident.openedAt) >= second && incident.planStatus === 'proposed',
      45_000,
      'the next incident to be planned and held',
    );
    const pending = await waitFor(
      async () =>
        (
          await loop.json<{ plans: Array<{ incidentId?: string; status: string; plan: PlanData }> }>(
            `${stack.gatewayUrl}/api/v1/plans?status=pending`,
          )
        ).body.plans.find((record) => record.incidentId === held.id),
      { timeoutMs: 10_000, intervalMs: 200, what: 'the held plan' },
    );
    expect(pending.plan).toMatchObject({ approval: 'manual', dryRun: false });
    expect(pending.plan.guardrails).toContainEqual({
      check: 'auto_healing',
      verdict: 'hold',
      detail: 'off: every plan waits for an operator (runtime flag flag.auto_healing.demo-app by admin)',
    });
    const rejected = await loop.json(`${stack.gatewayUrl}/api/v1/plans/${pending.plan.planId}/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'e2e: done' }),
    });
    expect(rejected.status).toBe(202);
    await loop.fault('/demo/reset');
  });
});
