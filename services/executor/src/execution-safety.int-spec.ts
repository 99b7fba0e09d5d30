import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import {
  BucketName,
  ConsumerName,
  StreamName,
  mapekConfigurationSchema,
  newEventId,
  subjects,
  type Envelope,
  type MapekConfiguration,
  type PlanV1,
} from '@mapek/contracts';
import { JetStreamPublisher, bucketStreamName, type MessagingRuntime } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess, memorySymptomData } from '@mapek/testing';
import { CommandOpener } from './adapters/command-opener.js';
import type { WebhookRequestBody } from './adapters/webhook.effector.js';
import { connectDevelopmentExecutor, startExecutorUnderTest, storedEvents, testPlan } from './testing/executor.fixture.js';

const PREFIX = 'mapek';

interface Call {
  readonly body: WebhookRequestBody;
  readonly receivedAt: number;
  answeredAt?: number;
}

/**
 * The executor's own consumers and handlers on a real nats-server, acting on targets through a
 * real HTTP receiver (the webhook effector) as the configuration file says: the checks before each
 * step (effector, lease, symptom, blast radius, hourly cap) run and show in the execution's
 * decision record; a step whose symptom is gone is not run (not_needed); a capability's inverse
 * undoes a step; two plans for one target never act at once.
 */
describe('the executor’s safety checks before acting', () => {
  let server: NatsServerProcess;
  let runtime: MessagingRuntime;
  let app: INestApplicationContext;
  let publisher: JetStreamPublisher;
  let receiver: Server;
  let url: string;
  const calls: Call[] = [];
  /** Requests held open until the test lets them go (the lease test). */
  let hold: Promise<void> | undefined;
  let failAction: string | undefined;
  const logger = createLogger('executor', 'silent');
  const metrics = new ServiceMetrics('executor');

  const webhookTarget = (name: string) => ({
    name,
    effector: {
      kind: 'webhook',
      url: 'http://placeholder.invalid',
      capabilities: [
        { action: 'scale_up', params: { by: 1 }, inverse: { action: 'scale_down', params: { by: 1 } }, timeoutMs: 5000 },
        { action: 'scale_down', timeoutMs: 5000 },
        { action: 'restart_service', timeoutMs: 5000 },
      ],
    },
  });
  let config: MapekConfiguration;

  const stored = <T extends 'execution' | 'outcome'>(target: string, type: T): Promise<Array<Envelope<T>>> =>
    storedEvents(runtime.js, type === 'execution' ? subjects.executions(target, PREFIX) : subjects.outcomes(target, PREFIX), type);

  const outcomeOf = (target: string, planId: string) =>
    waitFor(async () => (await stored(target, 'outcome')).find((event) => event.data.planId === planId), {
      timeoutMs: 20_000,
      what: `the outcome of plan ${planId}`,
    });
  const finalExecution = async (target: string, planId: string) =>
    (await stored(target, 'execution')).filter((event) => event.data.planId === planId).at(-1);

  const step = (target: string, action: PlanV1['steps'][number]['action']): PlanV1['steps'][number] => ({
    action,
    target,
    params: {},
    timeoutMs: 30_000,
  });

  /** A memory symptom of the target, as the monitor publishes one on every scrape while the rule is broken. */
  const symptom = (target: string) =>
    publisher.publish('symptom', {
      target,
      data: memorySymptomData(),
    });

  const approve = (target: string, made: PlanV1) => publisher.publish('plan.approved', { target, incidentId: newEventId(), data: made });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const call: Call = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookRequestBody, receivedAt: Date.now() };
        calls.push(call);
        const answer = () => {
          call.answeredAt = Date.now();
          if (call.body.action === failAction) res.writeHead(422).end('cannot');
          else res.writeHead(200).end('done');
        };
        if (hold) void hold.then(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/act`;
    const targets = ['orders', 'billing', 'search', 'ledger'].map((name) => ({
      ...webhookTarget(name),
      effector: { ...webhookTarget(name).effector, url },
    }));
    config = mapekConfigurationSchema.parse({
      version: 1,
      targets,
      limits: { targetsPerMinute: 2, actionsPerEffectorPerHour: 100, leaseTtlMs: 20_000 },
    });

    server = await startNatsServer();
    runtime = await connectDevelopmentExecutor(server.url, PREFIX, logger, metrics);
    publisher = new JetStreamPublisher({ js: runtime.js, prefix: PREFIX, source: 'monitor' });
    ({ app } = await startExecutorUnderTest({
      runtime,
      prefix: PREFIX,
      logger,
      metrics,
      commands: new CommandOpener(undefined),
      settings: { symptomStaleMs: 5000 },
      ackWaitMs: 10_000,
      concurrency: 4,
      configuration: { current: () => config },
      limits: () => config.limits,
    }));
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await server?.stop();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('acts through the target’s effector with the capability’s params while the symptom is active, and records every check', async () => {
    await symptom('orders');
    const made = testPlan([step('orders', 'scale_up')]);
    await approve('orders', made);
    await outcomeOf('orders', made.planId);
    expect(
      calls.filter((call) => call.body.planId === made.planId).map((call) => [call.body.action, call.body.params, call.body.rollback]),
    ).toEqual([['scale_up', { by: 1 }, false]]);
    const execution = await finalExecution('orders', made.planId);
    expect(execution?.data).toMatchObject({ status: 'completed', steps: [{ status: 'completed' }] });
    expect(execution?.data.checks?.map((check) => [check.check, check.verdict])).toEqual([
      ['effector', 'pass'],
      ['lease', 'pass'],
      ['symptom', 'pass'],
      ['blast_radius', 'pass'],
      ['effector_cap', 'pass'],
    ]);
  });

  it('skips a step whose symptom is gone (not_needed), acts on nothing, and says so in the outcome', async () => {
    const made = testPlan([step('billing', 'restart_service'), step('billing', 'scale_up')]);
    await approve('billing', made);
    const outcome = await outcomeOf('billing', made.planId);
    expect(outcome.data).toMatchObject({ outcome: 'not_needed', violationsBefore: 0, violationsAfter: 0 });
    expect(calls.some((call) => call.body.planId === made.planId)).toBe(false);
    const execution = await finalExecution('billing', made.planId);
    expect(execution?.data.steps.map((result) => result.status)).toEqual(['not_needed', 'not_needed']);
    expect(execution?.data.checks).toContainEqual({
      check: 'symptom',
      step: 0,
      verdict: 'skip',
      detail: 'gone: no symptom of this kind since the incident opened',
    });
  });

  it('undoes a completed step with its capability’s inverse when a later step fails', async () => {
    failAction = 'restart_service';
    await symptom('search');
    const made = testPlan([step('search', 'scale_up'), step('search', 'restart_service')]);
    await approve('search', made);
    await outcomeOf('search', made.planId);
    failAction = undefined;
    expect(
      calls.filter((call) => call.body.planId === made.planId).map((call) => [call.body.action, call.body.params, call.body.rollback]),
    ).toEqual([
      ['scale_up', { by: 1 }, false],
      ['restart_service', {}, false],
      ['scale_down', { by: 1 }, true],
    ]);
    expect((await finalExecution('search', made.planId))?.data.status).toBe('rolled_back');
  });

  it('refuses a third distinct target within the minute (blast radius 2; a skipped step counts no target) and records the refusal', async () => {
    await symptom('ledger');
    const made = testPlan([step('ledger', 'restart_service')]);
    await approve('ledger', made);
    await outcomeOf('ledger', made.planId);
    const execution = await finalExecution('ledger', made.planId);
    expect(execution?.data).toMatchObject({ status: 'failed', steps: [{ status: 'failed', errorCode: 'blast_radius' }] });
    expect(execution?.data.checks).toContainEqual({
      check: 'blast_radius',
      step: 0,
      verdict: 'refuse',
      detail: '2 of 2 distinct targets acted on in the last minute',
    });
    expect(calls.some((call) => call.body.planId === made.planId)).toBe(false);
  });

  it('never lets two plans act on one target at once: the second waits for the first’s lease', async () => {
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    await symptom('orders');
    const first = testPlan([step('orders', 'restart_service')]);
    const second = testPlan([step('orders', 'restart_service')]);
    await approve('orders', first);
    await waitFor(() => calls.some((call) => call.body.planId === first.planId) || undefined, { what: 'the first plan acting' });
    await approve('orders', second);
    // Both are being handled (the second is waiting for the lease) before the first may finish.
    await waitFor(
      async () => (await runtime.jsm.consumers.info(StreamName.events, ConsumerName.executor)).num_ack_pending === 2 || undefined,
      { what: 'both plans in hand' },
    );
    // In hand is not yet at the lease: the second waits once it watches the first's lease key.
    await waitFor(
      async () => (await runtime.jsm.streams.info(bucketStreamName(BucketName.executorLeases))).state.consumer_count > 0 || undefined,
      {
        what: 'the second plan waiting for the lease',
      },
    );
    await symptom('orders');
    hold = undefined;
    release();
    await outcomeOf('orders', second.planId);
    const [a, b] = [first, second].map((made) => calls.find((call) => call.body.planId === made.planId));
    expect(a?.answeredAt).toBeDefined();
    expect(b?.receivedAt).toBeGreaterThanOrEqual(a?.answeredAt ?? Number.POSITIVE_INFINITY);
    const lease = (await finalExecution('orders', second.planId))?.data.checks?.find((check) => check.check === 'lease');
    expect(lease?.detail).toMatch(new RegExp(`after waiting \\d+ ms for execution [0-9a-f-]+$`));
  });

  it('reads the symptom again after waiting for the lease: a remedy that became unnecessary meanwhile is skipped', async () => {
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    await symptom('orders');
    const seenAt = Date.now();
    // The symptom is 3 s old, fresh within the 5 s window, when both plans check it beside the lease.
    await sleep(3000);
    const first = testPlan([step('orders', 'restart_service')]);
    const second = testPlan([step('orders', 'restart_service')]);
    await approve('orders', first);
    await waitFor(() => calls.some((call) => call.body.planId === first.planId) || undefined, { what: 'the first plan acting' });
    await approve('orders', second);
    // No symptom comes while the first plan acts: once the lease is free the trouble is gone.
    await sleep(Math.max(0, seenAt + 5700 - Date.now()));
    hold = undefined;
    release();
    await outcomeOf('orders', second.planId);
    expect(calls.some((call) => call.body.planId === second.planId)).toBe(false);
    const execution = (await finalExecution('orders', second.planId))?.data;
    expect(execution?.steps.map((result) => result.status)).toEqual(['not_needed']);
    const checks = execution?.checks?.map((check) => check.check);
    expect(checks).toEqual(expect.arrayContaining(['lease', 'symptom']));
  });
});
