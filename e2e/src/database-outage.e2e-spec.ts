import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Stack } from '@mapek/stack';
import { startPostgresServer, waitFor, type PostgresServerProcess } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

describe('PostgreSQL killed in the middle of an incident', () => {
  let database: PostgresServerProcess;
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;

  beforeAll(async () => {
    database = await startPostgresServer();
    running = await startLoopStack(
      'database_outage',
      { executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '8000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' } },
      { databaseAdminUrl: database.adminUrl },
    );
    ({ stack, loop } = running);
  });

  afterAll(async () => {
    await running?.stop();
    await database?.stop();
  });

  it('keeps knowledge running but unready while the database is down, and records the whole incident once it is back', async () => {
    const knowledgePid = stack.processes['knowledge']?.pid;
    const readiness = `${stack.serviceUrl('knowledge')}/health/ready`;
    const since = Date.now();
    await loop.fault('/demo/memory-leak?size_mb=100&count=5');
    await loop.waitForIncident(since, () => true, 30_000, 'the incident to open');

    await database.kill();
    await waitFor(async () => (await fetch(readiness)).status === 503, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'knowledge to turn unready',
    });
    const whileDown = await loop.json(`${stack.gatewayUrl}/api/v1/incidents`);
    expect(whileDown.status).toBe(503);
    // The loop goes on without knowledge: the remedy runs and its outcome is published meanwhile.
    await waitFor(
      async () => (await loop.metric(stack.serviceUrl('executor'), /^mapek_events_published_total\{[^}]*type="outcome"/)) >= 1,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'the outcome to be published while the database is down',
      },
    );

    await database.restart();
    await waitFor(async () => (await fetch(readiness)).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'knowledge to be ready again',
    });
    const incident = await loop.waitForIncident(since, (found) => found.outcome !== null, 60_000, 'the outcome to be recorded');
    expect(incident.outcome).toBe('success');
    expect(stack.processes['knowledge']?.pid).toBe(knowledgePid);
    expect(stack.restarts('knowledge')).toBe(0);

    const detail = await loop.incident(incident.id);
    const ids = Object.values(detail.events)
      .flat()
      .map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(detail.events.plans.filter((event) => event.type === 'plan.approved')).toHaveLength(1);
    expect(new Set(detail.events.executions.map((event) => (event.data as { executionId: string }).executionId)).size).toBe(1);
    expect(detail.events.outcomes).toHaveLength(1);
    const rejected = await loop.metric(stack.serviceUrl('knowledge'), /^mapek_events_rejected_total/);
    expect(rejected).toBe(0);
  });
});
