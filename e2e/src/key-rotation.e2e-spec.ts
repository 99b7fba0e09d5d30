import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const reload = { MAPEK_TRUST_BUNDLE_RELOAD_MS: '500' };
/** Every process that verifies the rotated identities' signatures, and must not be restarted. */
const verifiers = ['analyzer', 'planner', 'knowledge', 'gateway'] as const;

describe('key rotation without restarting the fleet', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    running = await startLoopStack('rotation', {
      monitor: reload,
      analyzer: reload,
      planner: reload,
      executor: reload,
      knowledge: reload,
      gateway: reload,
      'demo-app': reload,
    });
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('heals with the monitor and the executor on new keys, the other services and the agent only reloading the trust bundle', async () => {
    const pidsBefore = Object.fromEntries([...verifiers, 'demo-app'].map((name) => [name, stack.processes[name]?.pid]));
    await stack.rotateIdentity('monitor');
    await stack.rotateIdentity('executor');
    // Each verifier reports the new bundle in its metrics (two rotations: two file changes, at least one reload).
    for (const name of verifiers) {
      await waitFor(async () => (await loop.metric(stack.serviceUrl(name), /^mapek_trust_bundle_reloads_total\{result="reloaded"/)) >= 1, {
        timeoutMs: 15_000,
        what: `${name} to reload the trust bundle`,
      });
    }
    // The agent inside the demo app follows the bundle the same way.
    await waitFor(async () => (await loop.metric(stack.demoUrl, /^mapek_agent_trust_bundle_reloads_total\{result="reloaded"/)) >= 1, {
      timeoutMs: 15_000,
      what: "the demo app's agent to reload the trust bundle",
    });
    // Only the rotated services restart, and sign with their new keys from now on.
    for (const name of ['monitor', 'executor']) {
      await stack.stopService(name);
      await stack.startService(name);
    }

    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const healed = await loop.waitForIncident(since, (incident) => incident.outcome !== null, 60_000, 'an outcome after the rotation');
    expect(healed.outcome).toBe('success');

    for (const name of verifiers) {
      expect(await loop.metric(stack.serviceUrl(name), /^mapek_events_rejected_total\{reason="unknown_key"/)).toBe(0);
      expect(await loop.metric(stack.serviceUrl(name), /^mapek_trust_bundle_reloads_total\{result="rejected"/)).toBe(0);
      expect(stack.processes[name]?.pid).toBe(pidsBefore[name]);
    }
    expect(stack.processes['demo-app']?.pid).toBe(pidsBefore['demo-app']);
    // The clear_cache step reached the agent under the executor's new key.
    expect(await loop.metric(stack.demoUrl, /^mapek_agent_remedies_total\{action="clear_cache",result="ok"/)).toBeGreaterThanOrEqual(1);
  });
});
