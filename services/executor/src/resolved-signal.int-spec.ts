import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeliverPolicy } from '@nats-io/jetstream';
import { BucketName, StreamName, deriveEventId, newEventId, parseEnvelope, subjects, type PlanV1 } from '@mapek/contracts';
import { JetStreamPublisher, MessagingModule, MessagingRuntime, type KvBucket } from '@mapek/messaging';
import { HealthRegistry, ObservabilityModule, ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { AgentEffector } from './adapters/agent.effector.js';
import { CommandOpener } from './adapters/command-opener.js';
import { EffectorRegistry } from './adapters/effector.registry.js';
import { EscalationEffector } from './adapters/escalation.effector.js';
import { SafetyStore } from './adapters/safety.store.js';
import { StreamSymptomHistory } from './adapters/symptom-history.js';
import { executorConsumers } from './executor.consumers.js';
import { ExecutorModule } from './executor.module.js';

const PREFIX = 'mapek';
const TARGET = 'orders-api';

async function metricValue(metrics: ServiceMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return match?.value ?? 0;
}

function escalationPlan(): PlanV1 {
  return {
    planId: newEventId(),
    analysisId: newEventId(),
    cause: 'memory_leak',
    rule: 'memory-leak',
    priority: 'high',
    risk: 'low',
    steps: [{ action: 'escalate', target: TARGET, params: {}, timeoutMs: 2000 }],
    score: 0.5,
    benefit: 0.6,
    cost: 0.1,
    expectedSuccessRate: 0.5,
    approval: 'manual',
    requiredApprovals: 1,
    approvedBy: ['alice'],
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    dryRun: false,
  };
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

  const storedExecutions = async (): Promise<string[]> => {
    const consumer = await runtime.js.consumers.get(StreamName.events, {
      filter_subjects: subjects.executions(TARGET, PREFIX),
      deliver_policy: DeliverPolicy.All,
    });
    const pending = (await consumer.info()).num_pending;
    const plans: string[] = [];
    if (pending > 0) {
      for await (const msg of await consumer.fetch({ max_messages: pending, expires: 2000 })) {
        const parsed = parseEnvelope(msg.data);
        if (parsed.ok && parsed.envelope.type === 'execution') plans.push(String((parsed.envelope.data as { planId: string }).planId));
        if (msg.info.pending === 0) break;
      }
    }
    await consumer.delete().catch(() => undefined);
    return plans;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    runtime = await MessagingRuntime.connect({
      servers: server.url,
      service: 'executor',
      instance: 'executor-int',
      prefix: PREFIX,
      replicas: 1,
      logger,
      metrics,
      provision: true,
    });
    kv = await runtime.openBucket(BucketName.executorExecutions);
    publisher = new JetStreamPublisher({ js: runtime.js, prefix: PREFIX, source: 'planner' });
    const commands = new CommandOpener();
    const settings = {
      verificationWindowMs: 200,
      verificationGraceMs: 0,
      stepRetries: 0,
      breakerFailures: 5,
      breakerResetMs: 1000,
      commandStepTimeoutMs: 2000,
      symptomStaleMs: 2000,
    };
    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'executor', logger, metrics, health: new HealthRegistry('executor'), controllers: false }),
        MessagingModule.forRoot({
          runtime,
          consumers: executorConsumers({ ackWaitMs: 5000, concurrency: 2, verifier: undefined, commands }),
        }),
        ExecutorModule.forRoot(
          settings,
          kv,
          new EffectorRegistry({ agent: new AgentEffector(runtime.nc, PREFIX), escalation: new EscalationEffector(logger) }),
          new StreamSymptomHistory(runtime.js, PREFIX, undefined),
          commands,
          { store: new SafetyStore(await runtime.openBucket(BucketName.executorLeases)), limits: () => ({ leaseTtlMs: 10_000 }) },
        ),
      ],
    })
    class ExecutorUnderTest {}
    app = await NestFactory.createApplicationContext(ExecutorUnderTest, { logger: false });
    await app.init();
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
    expect(await kv.get(`exec.${deriveEventId(refused.planId, 'execution')}`)).toBeNull();
  });
});
