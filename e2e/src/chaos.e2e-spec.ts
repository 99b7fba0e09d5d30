import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { waitFor } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

describe('a crash in the middle of an execution', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    running = await startLoopStack('chaos', {
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '8000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000', MAPEK_ACK_WAIT_MS: '3000' },
    });
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('resumes after kill -9 of the executor during verification: the remedy ran once, one execution, one outcome', async () => {
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const verifying = await loop.waitForIncident(
      since,
      (incident) => incident.executionStatus === 'completed' && incident.outcome === null,
      30_000,
      'the execution to complete and verification to start',
    );
    await stack.stopService('executor', 'SIGKILL');
    await stack.startService('executor');
    const done = await waitFor(
      async () => (await loop.incidents()).find((incident) => incident.id === verifying.id && incident.outcome !== null),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'the outcome after the executor restarted',
      },
    );
    expect(done.outcome).toBe('success');
    const detail = await loop.incident(verifying.id);
    const executions = detail.events.executions.map((event) => event.data as { executionId: string; status: string });
    expect(new Set(executions.map((execution) => execution.executionId)).size).toBe(1);
    expect(executions.filter((execution) => execution.status === 'completed')).toHaveLength(1);
    expect(detail.events.outcomes).toHaveLength(1);
    // The agent counts remedies it ran: the clear_cache step was not repeated by the new executor.
    const ran = await loop.metric(stack.demoUrl, /^mapek_agent_remedies_total\{action="clear_cache",result="ok"/);
    expect(ran).toBe(1);
  });
});
