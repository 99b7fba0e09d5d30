import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import { Gauge, type Registry } from 'prom-client';
import { ConsumerName, KnowledgeEndpoint, StreamName, planRecordV1Schema } from '@mapek/contracts';
import { getJson, type KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import type { KnowledgeClient } from './knowledge.client.js';

/** The stream each durable consumer reads (a new consumer does not compile until it is placed here). */
export const consumerStreams: Readonly<Record<ConsumerName, StreamName>> = {
  [ConsumerName.analyzer]: StreamName.events,
  [ConsumerName.analyzerSamples]: StreamName.telemetry,
  [ConsumerName.planner]: StreamName.events,
  [ConsumerName.executor]: StreamName.events,
  [ConsumerName.executorCommands]: StreamName.events,
  [ConsumerName.knowledge]: StreamName.events,
  [ConsumerName.knowledgeDeadLetters]: StreamName.deadLetter,
};

/** Knowledge answers at most this many incidents per query; the open-incidents gauge stops there. */
export const OPEN_INCIDENTS_CAP = 500;

export interface LoopStateSources {
  readonly registry: Registry;
  readonly jsm: Pick<JetStreamManager, 'streams' | 'consumers'>;
  readonly plans: Pick<KvBucket, 'keys' | 'get'>;
  readonly knowledge: Pick<KnowledgeClient, 'query'>;
  readonly logger: Logger;
}

/**
 * Gauges of the loop's state that no single phase sees, read when Prometheus scrapes the gateway
 * (the same figures as `GET /status` and `GET /api/v1/plans?status=pending`): stream depths,
 * each durable consumer's backlog, the plans waiting for an operator and the open incidents.
 * A source that cannot be read reports NaN (unknown) for that scrape instead of a stale or zero
 * value; the scrape itself never fails. Several gateway replicas report the same figures, so
 * dashboards take the max per label set.
 */
export function registerLoopStateMetrics(sources: LoopStateSources): void {
  const { registry, jsm, plans, knowledge, logger } = sources;
  const unreadable = (what: string) => (error: unknown) => {
    logger.debug({ err: error, what }, 'loop state not readable for this scrape');
    return Number.NaN;
  };
  new Gauge({
    name: 'mapek_jetstream_stream_messages',
    help: 'Messages held by each JetStream stream of mapek',
    labelNames: ['stream'],
    registers: [registry],
    async collect() {
      await Promise.all(
        Object.values(StreamName).map(async (stream) => {
          this.set({ stream }, await jsm.streams.info(stream).then((info) => info.state.messages, unreadable(stream)));
        }),
      );
    },
  });
  // The registry collects every metric at once, so the three consumer gauges share one read of
  // each consumer per scrape: a figure of one consumer always comes from the same answer.
  let reading: Promise<Map<ConsumerName, ConsumerInfo | undefined>> | undefined;
  const consumerInfos = () =>
    (reading ??= Promise.all(
      (Object.entries(consumerStreams) as Array<[ConsumerName, StreamName]>).map(
        async ([consumer, stream]) => [consumer, await jsm.consumers.info(stream, consumer).catch(() => undefined)] as const,
      ),
    )
      .then((entries) => new Map(entries))
      .finally(() => {
        reading = undefined;
      }));
  const consumerGauge = (name: string, help: string, figure: (info: ConsumerInfo) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'consumer'],
      registers: [registry],
      async collect() {
        const infos = await consumerInfos();
        for (const [consumer, stream] of Object.entries(consumerStreams)) {
          const info = infos.get(consumer as ConsumerName);
          this.set({ stream, consumer }, info ? figure(info) : Number.NaN);
        }
      },
    });
  consumerGauge(
    'mapek_jetstream_consumer_pending_messages',
    'Messages of its stream a durable consumer has not been delivered yet (its lag)',
    (info) => info.num_pending,
  );
  consumerGauge(
    'mapek_jetstream_consumer_ack_pending_messages',
    'Messages delivered to a durable consumer and not acknowledged yet',
    (info) => info.num_ack_pending,
  );
  consumerGauge(
    'mapek_jetstream_consumer_redelivered_messages',
    'Messages a durable consumer has had delivered more than once and not yet acknowledged',
    (info) => info.num_redelivered,
  );
  new Gauge({
    name: 'mapek_plans_pending_approval',
    help: 'Plans waiting for an operator to approve or reject them (GET /api/v1/plans?status=pending)',
    registers: [registry],
    async collect() {
      this.set(await countPendingPlans(plans).catch(unreadable('plans')));
    },
  });
  new Gauge({
    name: 'mapek_incidents_open',
    help: `Incidents knowledge holds as open (no outcome and no rejected plan yet), counted up to ${OPEN_INCIDENTS_CAP}`,
    registers: [registry],
    async collect() {
      const open = await knowledge
        .query<{ incidents: unknown[] }>(KnowledgeEndpoint.incidents, { status: 'open', limit: OPEN_INCIDENTS_CAP })
        .then((answer) => answer.incidents.length, unreadable('incidents'));
      this.set(open);
    },
  });
}

async function countPendingPlans(plans: Pick<KvBucket, 'keys' | 'get'>): Promise<number> {
  let count = 0;
  for await (const key of await plans.keys('plan.>')) {
    const record = planRecordV1Schema.safeParse((await getJson<unknown>(plans, key))?.value);
    if (record.success && record.data.status === 'pending') count += 1;
  }
  return count;
}
