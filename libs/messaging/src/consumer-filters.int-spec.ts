import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { StreamName, SubjectKind, eventRegistry, newEventId, subjectFor, type EventType } from '@mapek/contracts';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { JetStreamEventConsumer, type HandlerMap } from './event-consumer.js';
import { JetStreamPublisher } from './event-publisher.js';
import { TopologyError } from './messaging.errors.js';
import { ensureStreams } from './topology.js';

const prefix = 'mapek';
const logger = createLogger('test', 'silent');
const target = 'filters';
/** The types the analyzer and the planner hand to `@OnEvent` handlers (services/analyzer, services/planner). */
const analyzerTypes = ['symptom', 'outcome'] as const satisfies readonly EventType[];
const plannerTypes = ['analysis', 'decision'] as const satisfies readonly EventType[];

const now = () => new Date().toISOString();
const symptomData = (value: number) => ({
  source: 'threshold' as const,
  rule: 'memory',
  severity: 'critical' as const,
  metric: 'process_resident_memory_bytes',
  value,
  threshold: 400,
  labels: {},
  description: 'memory above threshold',
  observedAt: now(),
});
const outcomeData = () => ({
  executionId: newEventId(),
  planId: newEventId(),
  cause: 'memory_leak' as const,
  actions: ['clear_cache' as const],
  outcome: 'success' as const,
  violationsBefore: 3,
  violationsAfter: 0,
  timeToStabilizationMs: 1200,
  verificationWindowMs: 5000,
});
const analysisData = () => ({
  symptomIds: [newEventId()],
  patterns: [],
  rootCauses: [{ target, cause: 'memory_leak' as const, confidence: 0.9, explains: [], reasoning: 'memory grows' }],
  confidence: 0.9,
});

/** Bytes that are no event at all: a consumer that got one would have to dead-letter it. */
const garbage = new TextEncoder().encode('{"not":"an event"}');

/** The settings earlier versions of mapek gave a durable that handled several kinds: no filter at all (ADR 0003). */
const unfilteredDurable = (durable: string) => ({
  durable_name: durable,
  ack_policy: AckPolicy.Explicit,
  ack_wait: nanos(30_000),
  max_deliver: 5,
  deliver_policy: DeliverPolicy.All,
  max_ack_pending: 1000,
});

/**
 * Server-side filters of the durable consumers (ADR 0006) against a real nats-server: a service's
 * durable is given only the subjects of the types it handles, and a durable an earlier version
 * created with another filter (or none) is brought to the new one in place.
 */
describe('durable consumers filtered on the handled types', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let publisher: JetStreamPublisher;
  const running: JetStreamEventConsumer[] = [];

  /** A consumer handing the given types to a recorder, as MessagingModule wires a service's `@OnEvent` methods. */
  const startConsumer = async (
    durable: string,
    types: readonly EventType[],
    seen: string[],
    metrics = new ServiceMetrics('test'),
    deliverPolicy: 'all' | 'new' = 'all',
  ) => {
    const handlers: HandlerMap = Object.fromEntries(
      types.map((type) => [type, (event: { id: string }) => Promise.resolve(void seen.push(`${type}:${event.id}`))]),
    );
    const consumer = new JetStreamEventConsumer({
      nc,
      js,
      jsm,
      prefix,
      metrics,
      logger,
      stream: StreamName.events,
      durable,
      handlers,
      deliverPolicy,
    });
    await consumer.start();
    running.push(consumer);
    return consumer;
  };

  /** Everything {@link publishEveryKind} stored, in order. */
  const stored: Array<Record<'symptom' | 'analysis' | 'decision' | 'outcome', string>> = [];
  /** One message on every event subject of the stream: valid events of the analyzer's and planner's types, garbage on the rest. */
  const publishEveryKind = async (value: number) => {
    const published = {
      symptom: (await publisher.publish('symptom', { target, data: symptomData(value) })).id,
      analysis: (await publisher.publish('analysis', { target, data: analysisData() })).id,
      decision: (
        await publisher.publish('decision', {
          target,
          subjectKey: newEventId(),
          data: { planId: newEventId(), verdict: 'approve', actor: 'alice' },
        })
      ).id,
      outcome: (await publisher.publish('outcome', { target, data: outcomeData() })).id,
    };
    for (const kind of [
      SubjectKind.plansProposed,
      SubjectKind.plansApproved,
      SubjectKind.plansRejected,
      SubjectKind.executions,
      SubjectKind.commands,
    ]) {
      await js.publish(subjectFor(kind, target, prefix), garbage);
    }
    stored.push(published);
    return published;
  };

  const consumed = async (metrics: ServiceMetrics, result: string) =>
    (await metrics.text())
      .split('\n')
      .filter((line) => line.startsWith('mapek_events_consumed_total{') && line.includes(`result="${result}"`)).length;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStreams(jsm, { prefix, replicas: 1 });
    publisher = new JetStreamPublisher({ js, prefix, source: 'test' });
  });

  afterAll(async () => {
    await Promise.all(running.map((consumer) => consumer.stop()));
    await nc?.close();
    await server?.stop();
  });

  it.each([
    ['analyzer', analyzerTypes],
    ['planner', plannerTypes],
  ] as const)('gives the %s durable only the event types it handles, in stream order', async (service, types) => {
    const durable = `${service}-only-handled`;
    await publishEveryKind(1);
    await publishEveryKind(2);
    const seen: string[] = [];
    const metrics = new ServiceMetrics(service);
    await startConsumer(durable, types, seen, metrics);
    // The durable reads the stream from its start: every event of its types stored so far.
    const expected = stored.flatMap((ids) => types.map((type) => `${type}:${ids[type]}`));
    await waitFor(() => seen.length === expected.length, { what: `the ${service}'s ${expected.length} events` });
    // Stream order: the kinds interleave as they were published, not one kind after the other.
    expect(seen).toEqual(expected);

    const info = await jsm.consumers.info(StreamName.events, durable);
    expect(info.config.filter_subjects).toEqual(types.map((type) => `${prefix}.${eventRegistry[type].subjectKind}.>`));
    // The server delivered exactly the handled events: nothing else was sent only to be ignored or dead-lettered.
    expect(info.delivered.consumer_seq).toBe(expected.length);
    expect(info.num_pending).toBe(0);
    expect(await consumed(metrics, 'ignored')).toBe(0);
    expect(await metrics.text()).not.toMatch(/mapek_events_rejected_total\{/);
  });

  it('brings an unfiltered durable of an earlier version to the filter in place: acknowledged messages stay acknowledged, unhandled kinds stop coming', async () => {
    const durable = 'analyzer-upgraded';
    await jsm.consumers.add(StreamName.events, unfilteredDurable(durable));
    // The earlier version consumed and acknowledged everything stored so far (handled or ignored).
    const old = await js.consumers.get(StreamName.events, durable);
    const backlog = (await jsm.streams.info(StreamName.events)).state.messages;
    let acknowledged = 0;
    while (acknowledged < backlog) {
      const batch = await old.fetch({ max_messages: backlog - acknowledged, expires: 5000 });
      for await (const message of batch) {
        message.ack();
        acknowledged++;
      }
    }
    await waitFor(async () => (await jsm.consumers.info(StreamName.events, durable)).num_ack_pending === 0, { what: 'the old acks' });

    const fresh = await publishEveryKind(3);
    const seen: string[] = [];
    const metrics = new ServiceMetrics('analyzer');
    await startConsumer(durable, analyzerTypes, seen, metrics);
    await waitFor(() => seen.length === 2, { what: 'the symptom and outcome published after the upgrade' });
    expect(seen).toEqual([`symptom:${fresh.symptom}`, `outcome:${fresh.outcome}`]);

    const info = await jsm.consumers.info(StreamName.events, durable);
    expect(info.config.filter_subjects).toEqual([`${prefix}.symptoms.>`, `${prefix}.outcomes.>`]);
    expect(info.config.filter_subject).toBeFalsy();
    expect(info.num_pending).toBe(0);
    expect(await consumed(metrics, 'ignored')).toBe(0);

    // A replica of the earlier version restarting mid-rollout sends its unfiltered settings as an
    // update; nats.js merges them into the current configuration, so the filter stays.
    await jsm.consumers.update(StreamName.events, durable, unfilteredDurable(durable));
    expect((await jsm.consumers.info(StreamName.events, durable)).config.filter_subjects).toEqual([
      `${prefix}.symptoms.>`,
      `${prefix}.outcomes.>`,
    ]);
  });

  it('moves a durable between one filter and several, both ways, clearing the form it no longer uses', async () => {
    const durable = 'refiltered';
    await jsm.consumers.add(StreamName.events, {
      ...unfilteredDurable(durable),
      deliver_policy: DeliverPolicy.New,
      filter_subject: `${prefix}.symptoms.>`,
    });

    const widened: string[] = [];
    const wide = await startConsumer(durable, analyzerTypes, widened, undefined, 'new');
    const afterWidening = await publishEveryKind(4);
    await waitFor(() => widened.length === 2, { what: 'symptom and outcome through the widened filter' });
    expect(widened).toEqual([`symptom:${afterWidening.symptom}`, `outcome:${afterWidening.outcome}`]);
    let info = await jsm.consumers.info(StreamName.events, durable);
    expect(info.config.filter_subjects).toEqual([`${prefix}.symptoms.>`, `${prefix}.outcomes.>`]);
    expect(info.config.filter_subject).toBeFalsy();
    await wide.stop();

    const narrowed: string[] = [];
    await startConsumer(durable, ['symptom'], narrowed, undefined, 'new');
    const afterNarrowing = await publishEveryKind(5);
    await waitFor(() => narrowed.length === 1, { what: 'the symptom through the narrowed filter' });
    await waitFor(async () => (await jsm.consumers.info(StreamName.events, durable)).num_pending === 0, {
      what: 'nothing left for the durable',
    });
    expect(narrowed).toEqual([`symptom:${afterNarrowing.symptom}`]);
    info = await jsm.consumers.info(StreamName.events, durable);
    expect(info.config.filter_subject).toBe(`${prefix}.symptoms.>`);
    expect(info.config.filter_subjects ?? []).toEqual([]);
  });

  it('refuses, with what to do, to start on a durable whose settings the server cannot update in place', async () => {
    const durable = 'other-deliver-policy';
    await jsm.consumers.add(StreamName.events, { ...unfilteredDurable(durable), deliver_policy: DeliverPolicy.New });
    const attempt = startConsumer(durable, analyzerTypes, []);
    await expect(attempt).rejects.toThrow(TopologyError);
    await expect(attempt).rejects.toThrow(
      /durable other-deliver-policy on MAPEK_EVENTS cannot be updated .*deliver policy.*: delete it \(`nats consumer rm MAPEK_EVENTS other-deliver-policy`\)/,
    );
    // Nothing was changed: the durable is as it was.
    expect((await jsm.consumers.info(StreamName.events, durable)).config).toMatchObject({ deliver_policy: DeliverPolicy.New });
  });
});
