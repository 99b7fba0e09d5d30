import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { StreamName, subjects, type Envelope } from '@mapek/contracts';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { containerEngine, freePort, localImages, waitFor } from '@mapek/testing';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { JetStreamEventConsumer } from './event-consumer.js';
import { JetStreamPublisher } from './event-publisher.js';
import { TransientHandlerError } from './messaging.errors.js';
import { ensureStreams } from './topology.js';

/**
 * The durable consumer against the pinned nats-server in a container of the local image
 * (scripts/docker-engine.sh), JetStream on the container's own disk: a failing handler is retried
 * and its event handled once, and a restart of the server container under a running consumer
 * loses nothing and repeats nothing.
 */
const engine = await containerEngine();
if (!engine.available && engine.impossible) console.warn(`testcontainers suite skipped: ${engine.reason}`);

const prefix = 'mapek';
const logger = createLogger('test', 'silent');

function symptomData(value: number) {
  return {
    source: 'threshold' as const,
    rule: 'memory',
    severity: 'critical' as const,
    metric: 'process_resident_memory_bytes',
    value,
    threshold: 400,
    labels: {},
    description: 'memory above threshold',
    observedAt: new Date().toISOString(),
  };
}

(engine.available || !engine.impossible ? describe : describe.skip)(
  'JetStream event consumer on nats-server in a container (testcontainers)',
  () => {
    let container: StartedTestContainer;
    let nc: NatsConnection;
    let js: JetStreamClient;
    let jsm: JetStreamManager;
    let publisher: JetStreamPublisher;

    beforeAll(async () => {
      if (!engine.available) throw new Error(engine.reason);
      const { natsServer } = await localImages();
      // A fixed host port, so that the client finds the server again after the container restarts.
      const port = await freePort();
      container = await new GenericContainer(natsServer)
        .withCommand(['--jetstream', '--store_dir', '/data', '--port', '4222'])
        .withExposedPorts({ container: 4222, host: port })
        .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
        .withStartupTimeout(60_000)
        .start();
      nc = await connect({ servers: `nats://${container.getHost()}:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
      js = jetstream(nc);
      jsm = await jetstreamManager(nc);
      await ensureStreams(jsm, { prefix, replicas: 1 });
      publisher = new JetStreamPublisher({ js, prefix, source: 'monitor' });
    }, 20 * 60_000);

    afterAll(async () => {
      await nc?.close().catch(() => undefined);
      await container?.stop({ remove: true, removeVolumes: true });
    });

    it('retries a transient handler failure and handles every event once', async () => {
      const handled: string[] = [];
      let failures = 0;
      const consumer = new JetStreamEventConsumer({
        nc,
        js,
        jsm,
        prefix,
        logger,
        metrics: new ServiceMetrics('test'),
        stream: StreamName.events,
        durable: 'containers-retry',
        filterSubjects: [subjects.symptoms('containers-retry')],
        retryDelaysMs: [50, 50, 50],
        handlers: {
          symptom: (event: Envelope<'symptom'>) => {
            if (event.data.value === 2 && failures < 2) {
              failures++;
              return Promise.reject(new TransientHandlerError('flaky', 'dependency timed out'));
            }
            handled.push(event.id);
            return Promise.resolve();
          },
        },
      });
      await consumer.start();
      const published = [];
      for (const value of [1, 2, 3])
        published.push(await publisher.publish('symptom', { target: 'containers-retry', data: symptomData(value) }));
      await waitFor(() => handled.length === 3, { timeoutMs: 15_000, what: 'three events handled' });
      await consumer.stop();
      expect(failures).toBe(2);
      expect(handled.sort()).toEqual(published.map((event) => event.id).sort());
    });

    it('loses nothing and repeats nothing when the nats-server container restarts under a running consumer', async () => {
      const handled: number[] = [];
      const consumer = new JetStreamEventConsumer({
        nc,
        js,
        jsm,
        prefix,
        logger,
        metrics: new ServiceMetrics('test'),
        stream: StreamName.events,
        durable: 'containers-restart',
        filterSubjects: [subjects.symptoms('containers-restart')],
        // An ack the server had not written down when it stopped comes back after the ack wait.
        ackWaitMs: 2000,
        handlers: { symptom: (event: Envelope<'symptom'>) => Promise.resolve(void handled.push(event.data.value)) },
      });
      await consumer.start();
      for (const value of [1, 2, 3]) await publisher.publish('symptom', { target: 'containers-restart', data: symptomData(value) });
      await waitFor(() => handled.length === 3, { timeoutMs: 15_000, what: 'the events before the restart' });

      await container.restart();
      await waitFor(
        async () =>
          (await jsm.streams
            .info(StreamName.events)
            .then(() => true)
            .catch(() => false)) || undefined,
        {
          timeoutMs: 30_000,
          intervalMs: 200,
          what: 'JetStream to answer after the restart',
        },
      );
      for (const value of [4, 5, 6]) await publisher.publish('symptom', { target: 'containers-restart', data: symptomData(value) });
      await waitFor(() => handled.length >= 6, { timeoutMs: 30_000, what: 'the events after the restart' });
      // Every delivery acknowledged on the restarted server (a redelivered one as a duplicate, without
      // running the handler again): nothing left to redeliver.
      await waitFor(
        async () => {
          const info = await jsm.consumers.info(StreamName.events, 'containers-restart');
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'the consumer to have nothing pending' },
      );
      await consumer.stop();
      expect(handled.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    });
  },
);
