import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '@mapek/stack';
import { createTestDatabase, waitFor, type TestDatabase } from '@mapek/testing';
import { LoopClient } from './loop-client.js';

describe('a crash in the middle of an execution', () => {
  let database: TestDatabase;
  let dataDir: string;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    database = await createTestDatabase('mapek_e2e_chaos');
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-e2e-chaos-'));
    stack = await startStack({
      dataDir,
      databaseUrl: database.url,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      serviceEnv: {
        executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '8000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000', MAPEK_ACK_WAIT_MS: '3000' },
      },
    });
    loop = new LoopClient(stack.gatewayUrl, stack.demoUrl, stack.caFile);
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes after kill -9 of the executor during verification: the remedy ran once, one execution, one outcome', async () => {
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    const verifying = await loop.waitForIncident(since, (incident) => incident.executionStatus === 'completed' && incident.outcome === null, 30_000, 'the execution to complete and verification to start');
    await stack.stopService('executor', 'SIGKILL');
    await stack.startService('executor');
    const done = await waitFor(async () => (await loop.incidents()).find((incident) => incident.id === verifying.id && incident.outcome !== null), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the outcome after the executor restarted',
    });
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
