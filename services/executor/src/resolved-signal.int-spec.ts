import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { deriveEventId, newEventId, subjects, type PlanV1 } from '@mapek/contracts';
import { JetStreamPublisher, type KvBucket, type MessagingRuntime } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { CommandOpener } from './adapters/command-opener.js';
import { connectDevelopmentExecutor, metricValue, startExecutorUnderTest, storedEvents, testPlan } from './testing/executor.fixture.js';

const PREFIX = 'mapek';
const TARGET = 'orders-api';

function escalationPlan(): PlanV1 {
  return testPlan([{ action: 'escalate', target: TARGET, params: {}, timeoutMs: 2000 }], {
    approval: 'manual',
    requiredApprovals: 1,
    approvedBy: ['alice'],
  });
}

/**
 * The executor's own consumers and handlers on a real nats-server (development mode: no
 * identities): an approved plan whose incident's signal was resolved (`incident.resolved`) before it
 * started is not started, while a plan of another incident runs.
 */
describe('the executor and a resolved signal', () => {
  let server: NatsServerProcess;
  let runtime: MessagingRuntime;
  let app: INestApplicationContext;
  let kv: KvBucket;
  let publisher: JetStreamPublisher;
  const metrics = new ServiceMetrics('executor');
  const logger = createLogger('executor', 'silent');

  const storedExecutions = async (): Promise<string[]> =>
    (await storedEvents(runtime.js, subjects.executions(TARGET, PREFIX), 'execution')).map((event) => event.data.planId);

  beforeAll(async () => {
    server = await startNatsServer();
    runtime = await connectDevelopmentExecutor(server.url, PREFIX, logger, metrics);
    publisher = new JetStreamPublisher({ js: runtime.js, prefix: PREFIX, source: 'planner' });
    ({ app, kv } = await startExecutorUnderTest({
      runtime,
      prefix: PREFIX,
      logger,
      metrics,
      commands: new CommandOpener(),
      settings: { verificationWindowMs: 200 },
    }));
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await server?.stop();
  });

  it('does not start an approved plan whose incident was resolved, and runs one of another incident', async () => {
    const resolvedIncident = newEventId();
    const resolution = await publisher.publish('incident.resolved', {
      id: newEventId(),
      target: TARGET,
      incidentId: resolvedIncident,
      data: { reason: 'signal_resolved', symptomIds: [newEventId()], resolvedAt: new Date().toISOString() },
    });
    await waitFor(async () => (await kv.get(`resolved.${resolvedIncident}`)) ?? undefined, {
      timeoutMs: 10_000,
      what: 'the executor recording the resolution',
    });

    const refused = escalationPlan();
    await publisher.publish('plan.approved', {
      id: newEventId(),
      target: TARGET,
      incidentId: resolvedIncident,
      causationId: resolution.id,
      data: refused,
    });
    const live = escalationPlan();
    await publisher.publish('plan.approved', { id: newEventId(), target: TARGET, incidentId: newEventId(), data: live });

    await waitFor(
      async () => (await metricValue(metrics, 'mapek_executor_plans_refused_total', { reason: 'signal_resolved' })) === 1 || undefined,
      { timeoutMs: 10_000, what: 'the refusal counted' },
    );
    await waitFor(async () => (await storedExecutions()).filter((planId) => planId === live.planId).length === 2 || undefined, {
      timeoutMs: 15_000,
      what: 'the other plan running to its end',
    });
    expect(await storedExecutions()).not.toContain(refused.planId);
    // No execution record: the one made beside the read of the resolution was deleted again.
    expect((await kv.get(`exec.${deriveEventId(refused.planId, 'execution')}`))?.operation ?? 'none').not.toBe('PUT');
  });
});
