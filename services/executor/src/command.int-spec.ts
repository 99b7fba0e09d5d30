import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  ActionType,
  CommandRejectReason,
  ConsumerName,
  Header,
  StreamName,
  newEventId,
  subjects,
  type CommandSpecV1,
  type CommandV1,
  type Envelope,
} from '@mapek/contracts';
import {
  JetStreamPublisher,
  MessagingRuntime,
  createEnvelopeSigner,
  createEnvelopeVerifier,
  type KvBucket,
  type MessagingRuntimeOptions,
} from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { createPayloadSealer, type PayloadSealer } from '@mapek/pqc';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { CommandOpener } from './adapters/command-opener.js';
import { commandExecutionId } from './domain/manual-command.js';
import { metricValue, startExecutorUnderTest, storedEvents as storedEventsOf } from './testing/executor.fixture.js';
import { createTestIdentities, type TestIdentities } from './testing/pqc-identities.fixture.js';

const PREFIX = 'mapek';

/** One executor replica, wired as bootstrap wires it, with the executor identity: signed events, sealed commands. */
interface Executor {
  readonly metrics: ServiceMetrics;
  readonly kv: KvBucket;
  close(): Promise<void>;
}

/**
 * Manual commands end to end through a real nats-server and the executor's own consumers and
 * handlers: the gateway's signature and the seal to the executor are real ML-DSA-65 / X-Wing.
 */
describe('manual commands in the executor', () => {
  let server: NatsServerProcess;
  let keys: TestIdentities;
  let sealer: PayloadSealer;
  let gateway: MessagingRuntime;
  let gatewayPublisher: JetStreamPublisher;
  let jsm: JetStreamManager;
  let executor: Executor | undefined;
  const logger = createLogger('executor', 'silent');

  const runtimeOptions = (service: string, metrics: ServiceMetrics): MessagingRuntimeOptions => {
    const identity = keys.identities[service];
    if (!identity) throw new Error(`no identity ${service}`);
    // `provision` is spread in: the topology option is new in libs/messaging.
    const topology = { provision: true };
    return {
      servers: server.url,
      service,
      instance: `${service}-int`,
      prefix: PREFIX,
      replicas: 1,
      logger,
      metrics,
      signer: createEnvelopeSigner({ backend: keys.backend, identity }),
      verifier: createEnvelopeVerifier({ backend: keys.backend, trust: keys.trust }),
      ...topology,
    };
  };

  async function startExecutor(): Promise<Executor> {
    const identity = keys.identities['executor'];
    if (!identity) throw new Error('no executor identity');
    const metrics = new ServiceMetrics('executor');
    const runtime = await MessagingRuntime.connect(runtimeOptions('executor', metrics));
    const { app, kv } = await startExecutorUnderTest({
      runtime,
      prefix: PREFIX,
      logger,
      metrics,
      commands: new CommandOpener({ identity, sealer: createPayloadSealer(keys.backend) }),
    });
    return { metrics, kv, close: () => app.close() };
  }

  const spec = (action: CommandSpecV1['action'], reason: string): CommandSpecV1 => ({
    action,
    params: { note: 'int-spec' },
    reason,
    actor: 'alice',
    dryRun: false,
  });

  /** Publishes a command as the gateway would: signed by it, the spec sealed to `recipient` (or in clear). */
  async function sendCommand(target: string, body: CommandSpecV1, recipient: 'executor' | 'agent' | 'clear'): Promise<Envelope<'command'>> {
    const id = newEventId();
    let payload: CommandV1['payload'];
    if (recipient === 'clear') {
      payload = { encoding: 'clear', spec: body };
    } else {
      const key = keys.trust.recipientKey(recipient, Date.now());
      if (!key) throw new Error(`no key for ${recipient}`);
      payload = {
        encoding: 'sealed',
        sealed: sealer.seal(JSON.stringify(body), key, { subject: subjects.commands(target, PREFIX), eventId: id }),
      };
    }
    return gatewayPublisher.publish('command', {
      id,
      target,
      data: { commandId: newEventId(), actor: body.actor, action: body.action, dryRun: body.dryRun, payload },
    });
  }

  const storedEvents = <T extends 'execution' | 'outcome'>(subject: string, type: T) => storedEventsOf(gateway.js, subject, type);

  /**
   * Waits until the rejection is both counted and written to the dead-letter stream: the consumer
   * counts a rejection before it publishes the dead letter, so the count alone does not mean the
   * letter is stored yet.
   */
  async function waitForDeadLetter(metrics: ServiceMetrics, reason: string, what: string): Promise<void> {
    const labels = { reason, consumer: ConsumerName.executorCommands };
    await waitFor(
      async () =>
        ((await metricValue(metrics, 'mapek_events_rejected_total', labels)) === 1 &&
          (await metricValue(metrics, 'mapek_events_dead_lettered_total', labels)) === 1) ||
        undefined,
      { what: `${what} counted as rejected and dead-lettered` },
    );
  }

  async function lastDeadLetter(): Promise<{ reason: string | undefined; body: string }> {
    const stored = await jsm.streams.getMessage(StreamName.deadLetter, {
      last_by_subj: subjects.deadLetter(ConsumerName.executorCommands, PREFIX),
    });
    if (!stored) throw new Error('no dead letter');
    return { reason: stored.header.get(Header.rejectReason) || undefined, body: new TextDecoder().decode(stored.data) };
  }

  beforeAll(async () => {
    server = await startNatsServer();
    keys = await createTestIdentities(['executor', 'gateway', 'agent']);
    sealer = createPayloadSealer(keys.backend);
    const gatewayMetrics = new ServiceMetrics('gateway');
    gateway = await MessagingRuntime.connect(runtimeOptions('gateway', gatewayMetrics));
    const gatewayIdentity = keys.identities['gateway'];
    if (!gatewayIdentity) throw new Error('no gateway identity');
    gatewayPublisher = new JetStreamPublisher({
      js: gateway.js,
      prefix: PREFIX,
      source: 'gateway',
      signer: createEnvelopeSigner({ backend: keys.backend, identity: gatewayIdentity }),
    });
    jsm = gateway.jsm;
    executor = await startExecutor();
  });

  afterAll(async () => {
    await executor?.close();
    await gateway?.close();
    await server?.stop();
  });

  it('runs a sealed command once, as a one-step plan whose plan id is the command id, even when it is delivered again', async () => {
    const target = 'orders-api';
    const first = executor;
    if (!first) throw new Error('executor not started');
    const command = await sendCommand(target, spec(ActionType.escalate, 'page the on-call: orders are failing'), 'executor');
    const executionId = commandExecutionId(command.id);
    await waitFor(async () => (await storedEvents(subjects.outcomes(target, PREFIX), 'outcome')).length === 1 || undefined, {
      timeoutMs: 15_000,
      what: 'the outcome of the command',
    });
    expect(await metricValue(first.metrics, 'mapek_executor_steps_total', { action: 'escalate', result: 'ok' })).toBe(1);

    // Deliver it again: a new replica whose durable starts over reads the same stored command.
    await first.close();
    await jsm.consumers.delete(StreamName.events, ConsumerName.executorCommands);
    const second = await startExecutor();
    executor = second;
    await waitFor(
      async () =>
        (await metricValue(second.metrics, 'mapek_events_consumed_total', {
          type: 'command',
          consumer: ConsumerName.executorCommands,
          result: 'ok',
        })) === 1 || undefined,
      {
        timeoutMs: 15_000,
        what: 'the second replica handling the command again',
      },
    );
    expect(await metricValue(second.metrics, 'mapek_executor_steps_total', { action: 'escalate', result: 'ok' })).toBe(0);

    const executions = (await storedEvents(subjects.executions(target, PREFIX), 'execution')).filter(
      (event) => event.data.executionId === executionId,
    );
    expect(executions.map((event) => event.data.status)).toEqual(['in_progress', 'completed']);
    expect(executions.every((event) => event.data.planId === command.data.commandId && event.causationId === command.id)).toBe(true);
    expect(executions[1]?.data.steps).toMatchObject([{ index: 0, action: 'escalate', status: 'completed' }]);
    const outcomes = await storedEvents(subjects.outcomes(target, PREFIX), 'outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.data).toMatchObject({
      executionId,
      planId: command.data.commandId,
      cause: 'unknown',
      actions: ['escalate'],
      outcome: 'unknown',
    });
    const record = await second.kv.get(`exec.${executionId}`);
    expect(record?.json<{ command: unknown; status: string }>()).toMatchObject({
      command: { commandId: command.data.commandId, actor: 'alice' },
      status: 'completed',
    });
  });

  it('refuses a command in clear when it has an identity: counted in mapek_events_rejected_total, dead-lettered, never run', async () => {
    const running = executor;
    if (!running) throw new Error('executor not started');
    const command = await sendCommand('billing', spec(ActionType.restartService, 'clear text must not run'), 'clear');
    await waitForDeadLetter(running.metrics, CommandRejectReason.inClear, 'the clear command');
    const dead = await lastDeadLetter();
    expect(dead.reason).toBe(CommandRejectReason.inClear);
    expect(JSON.parse(dead.body)).toMatchObject({ id: command.id, type: 'command' });
    expect(await running.kv.get(`exec.${commandExecutionId(command.id)}`)).toBeNull();
    expect(await metricValue(running.metrics, 'mapek_executor_steps_total', { action: 'restart_service', result: 'ok' })).toBe(0);
  });

  it('refuses a command sealed to another identity: counted, dead-lettered, never run', async () => {
    const running = executor;
    if (!running) throw new Error('executor not started');
    const command = await sendCommand('billing', spec(ActionType.clearCache, 'sealed to the agent, not to me'), 'agent');
    await waitForDeadLetter(running.metrics, CommandRejectReason.notForExecutor, 'the foreign-sealed command');
    const dead = await lastDeadLetter();
    expect(dead.reason).toBe(CommandRejectReason.notForExecutor);
    expect(JSON.parse(dead.body)).toMatchObject({ id: command.id });
    // The reason never reached the stream in clear.
    expect(dead.body).not.toContain('sealed to the agent');
    expect(await running.kv.get(`exec.${commandExecutionId(command.id)}`)).toBeNull();
  });
});
