import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import {
  BucketName,
  StreamName,
  parseEnvelope,
  type EventType,
  type MapekConfiguration,
  type Envelope,
  type PlanV1,
  newEventId,
} from '@mapek/contracts';
import { MessagingModule, MessagingRuntime, type KvBucket } from '@mapek/messaging';
import { HealthRegistry, ObservabilityModule, type Logger, type ServiceMetrics } from '@mapek/observability';
import { AgentEffector } from '../adapters/agent.effector.js';
import type { CommandOpener } from '../adapters/command-opener.js';
import { EffectorRegistry } from '../adapters/effector.registry.js';
import { EscalationEffector } from '../adapters/escalation.effector.js';
import { SafetyStore } from '../adapters/safety.store.js';
import { StreamSymptomHistory } from '../adapters/symptom-history.js';
import type { ExecutorSettings, SafetyLimits } from '../application/execution.service.js';
import { executorConsumers } from '../executor.consumers.js';
import { ExecutorModule } from '../executor.module.js';

/** Settings for tests: a short verification window, no step retries, quick to reset breakers. */
const testSettings: ExecutorSettings = {
  verificationWindowMs: 500,
  verificationGraceMs: 0,
  stepRetries: 0,
  breakerFailures: 5,
  breakerResetMs: 1000,
  commandStepTimeoutMs: 2000,
  symptomStaleMs: 2000,
};

export interface ExecutorUnderTestOptions {
  /** The executor's connection; its verifier (none in development mode) checks events and symptoms. */
  readonly runtime: MessagingRuntime;
  readonly prefix: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly commands: CommandOpener;
  /** Over the test settings. */
  readonly settings?: Partial<ExecutorSettings>;
  readonly ackWaitMs?: number;
  readonly concurrency?: number;
  /** The configuration file in force (targets' effectors); none: agents and escalation only. */
  readonly configuration?: { current(): MapekConfiguration };
  /** The safety limits in force; by default a 10 s lease and no caps. */
  readonly limits?: () => SafetyLimits;
}

export interface ExecutorUnderTest {
  readonly app: INestApplicationContext;
  /** The executions bucket (execution records, breakers, resolved incidents). */
  readonly kv: KvBucket;
}

/**
 * One executor replica wired as bootstrap wires it, on the runtime given: its own consumers and
 * handlers, agents and escalation as effectors (and those the configuration names), the symptom
 * history from the stream, and the leases bucket. Close `app` to stop it.
 */
export async function startExecutorUnderTest(options: ExecutorUnderTestOptions): Promise<ExecutorUnderTest> {
  const { runtime, prefix, logger, metrics, commands } = options;
  const kv = await runtime.openBucket(BucketName.executorExecutions);
  const leases = await runtime.openBucket(BucketName.executorLeases);
  @Module({
    imports: [
      ObservabilityModule.forRoot({ service: 'executor', logger, metrics, health: new HealthRegistry('executor'), controllers: false }),
      MessagingModule.forRoot({
        runtime,
        consumers: executorConsumers({
          ackWaitMs: options.ackWaitMs ?? 5000,
          concurrency: options.concurrency ?? 2,
          verifier: runtime.verifier,
          commands,
        }),
      }),
      ExecutorModule.forRoot(
        { ...testSettings, ...options.settings },
        kv,
        new EffectorRegistry(
          { agent: new AgentEffector(runtime.nc, prefix), escalation: new EscalationEffector(logger) },
          options.configuration,
        ),
        new StreamSymptomHistory(runtime.js, prefix, runtime.verifier),
        commands,
        { store: new SafetyStore(leases), limits: options.limits ?? (() => ({ leaseTtlMs: 10_000 })) },
      ),
    ],
  })
  class ExecutorUnderTestModule {}
  const app = await NestFactory.createApplicationContext(ExecutorUnderTestModule, { logger: false });
  await app.init();
  return { app, kv };
}

/** An executor's connection in development mode (no identities), provisioning the streams and buckets it uses. */
export function connectDevelopmentExecutor(
  servers: string,
  prefix: string,
  logger: Logger,
  metrics: ServiceMetrics,
): Promise<MessagingRuntime> {
  return MessagingRuntime.connect({
    servers,
    service: 'executor',
    instance: 'executor-int',
    prefix,
    replicas: 1,
    logger,
    metrics,
    provision: true,
  });
}

/** Every stored event of a type on a subject, read back from the events stream through a consumer of its own. */
export async function storedEvents<T extends EventType>(js: JetStreamClient, subject: string, type: T): Promise<Array<Envelope<T>>> {
  const consumer = await js.consumers.get(StreamName.events, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const found: Array<Envelope<T>> = [];
  const pending = (await consumer.info()).num_pending;
  if (pending > 0) {
    for await (const msg of await consumer.fetch({ max_messages: pending, expires: 2000 })) {
      const parsed = parseEnvelope(msg.data);
      if (parsed.ok && parsed.envelope.type === type) found.push(parsed.envelope as Envelope<T>);
      if (msg.info.pending === 0) break;
    }
  }
  await consumer.delete().catch(() => undefined);
  return found;
}

/** A plan of `steps` for a memory leak, approved automatically and good for a minute; `overrides` over it. */
export function testPlan(steps: PlanV1['steps'], overrides: Partial<PlanV1> = {}): PlanV1 {
  return {
    planId: newEventId(),
    analysisId: newEventId(),
    cause: 'memory_leak',
    rule: 'memory-leak',
    priority: 'high',
    risk: 'low',
    steps,
    score: 0.5,
    benefit: 0.6,
    cost: 0.1,
    expectedSuccessRate: 0.5,
    approval: 'automatic',
    requiredApprovals: 0,
    approvedBy: ['planner'],
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    dryRun: false,
    ...overrides,
  };
}

/** The value of one series of a metric (0 when it has not been counted yet). */
export async function metricValue(metrics: ServiceMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return match?.value ?? 0;
}
