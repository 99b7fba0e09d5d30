import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { StreamName, newEventId, subjects, type Envelope } from '@mapek/contracts';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { JetStreamEventConsumer, type EventConsumerOptions } from './event-consumer.js';
import { JetStreamPublisher } from './event-publisher.js';
import { PermanentHandlerError, TransientHandlerError } from './messaging.errors.js';
import { ensureStreams } from './topology.js';

const prefix = 'mapek';
/** The NATS client's CommonJS entry, for a worker thread that publishes on a connection of its own. */
const natsClient = createRequire(import.meta.url).resolve('@nats-io/transport-node');
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

async function dlqCount(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(StreamName.deadLetter)).state.messages;
}

describe('JetStream event consumer against a real nats-server', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStreams(jsm, { prefix, replicas: 1 });
    publisher = new JetStreamPublisher({ js, prefix, source: 'monitor' });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** A consumer of the event stream for one test: its own durable and subject, these handlers and settings. */
  const consumerOf = (
    durable: string,
    subject: string | readonly string[],
    options: Pick<EventConsumerOptions, 'handlers' | 'metrics'> &
      Partial<Pick<EventConsumerOptions, 'maxDeliver' | 'retryDelaysMs' | 'unavailableRetryMs' | 'concurrency' | 'orderKey'>>,
  ) =>
    new JetStreamEventConsumer({
      nc,
      js,
      jsm,
      prefix,
      logger,
      stream: StreamName.events,
      durable,
      filterSubjects: typeof subject === 'string' ? [subject] : subject,
      ...options,
    });

  it('stores a retried publish once because Nats-Msg-Id is the event id', async () => {
    const envelope = publisher.envelope('symptom', { target: 'dedupe', data: symptomData(500) });
    await publisher.publishEnvelope(envelope);
    await publisher.publishEnvelope(envelope);
    const stored = await jsm.streams.info(StreamName.events, { subjects_filter: subjects.symptoms('dedupe') });
    expect(stored.state.subjects?.[subjects.symptoms('dedupe')]).toBe(1);
  });

  it('rejects a malformed event, counts and dead-letters it, and keeps consuming', async () => {
    const metrics = new ServiceMetrics('test');
    const seen: Envelope<'symptom'>[] = [];
    const consumer = consumerOf('malformed-test', subjects.symptoms('malformed'), {
      metrics,
      handlers: { symptom: (event) => Promise.resolve(void seen.push(event)) },
    });
    await consumer.start();
    const before = await dlqCount(jsm);
    await js.publish(subjects.symptoms('malformed'), new TextEncoder().encode('{"not":"an envelope"'));
    await js.publish(
      subjects.symptoms('malformed'),
      new TextEncoder().encode(
        JSON.stringify({
          id: newEventId(),
          type: 'symptom',
          version: 1,
          source: 'x',
          time: new Date().toISOString(),
          target: 'malformed',
          data: { severity: 'bogus' },
        }),
      ),
    );
    await publisher.publish('symptom', { target: 'malformed', data: symptomData(1) });
    await waitFor(() => seen.length === 1, { what: 'the valid event after two bad ones' });
    await waitFor(async () => (await dlqCount(jsm)) === before + 2, { what: 'two dead letters' });
    const text = await metrics.text();
    expect(text).toMatch(/mapek_events_rejected_total\{reason="malformed",consumer="malformed-test",service="test"\} 1/);
    expect(text).toMatch(/mapek_events_rejected_total\{reason="invalid_data",consumer="malformed-test",service="test"\} 1/);
    const dead = await jsm.streams.getMessage(StreamName.deadLetter, { last_by_subj: subjects.deadLetter('malformed-test') });
    expect(dead?.header.get('Mapek-Reject-Reason')).toBe('invalid_data');
    await consumer.stop();
  });

  it('rejects an event published on the subject of another type', async () => {
    const metrics = new ServiceMetrics('test');
    const consumer = consumerOf('mismatch-test', subjects.analyses('mismatch'), {
      metrics,
      handlers: { analysis: () => Promise.resolve() },
    });
    await consumer.start();
    const envelope = publisher.envelope('symptom', { target: 'mismatch', data: symptomData(2) });
    await js.publish(subjects.analyses('mismatch'), new TextEncoder().encode(JSON.stringify(envelope)));
    await waitFor(async () => /reason="subject_mismatch"/.test(await metrics.text()), { what: 'subject_mismatch count' });
    await consumer.stop();
  });

  it('retries a transient handler failure and dead-letters a permanent one', async () => {
    const metrics = new ServiceMetrics('test');
    let attempts = 0;
    const handled: string[] = [];
    const consumer = consumerOf('retry-test', subjects.symptoms('retry'), {
      metrics,
      retryDelaysMs: [50, 50, 50],
      handlers: {
        symptom: (event) => {
          if (event.data.value === 13) return Promise.reject(new PermanentHandlerError('poison', 'this value is never acceptable'));
          attempts++;
          if (attempts < 3) return Promise.reject(new TransientHandlerError('flaky', 'dependency timed out'));
          handled.push(event.id);
          return Promise.resolve();
        },
      },
    });
    await consumer.start();
    const before = await dlqCount(jsm);
    const ok = await publisher.publish('symptom', { target: 'retry', data: symptomData(1) });
    await waitFor(() => handled.includes(ok.id), { what: 'the third attempt' });
    expect(attempts).toBe(3);
    await publisher.publish('symptom', { target: 'retry', data: symptomData(13) });
    await waitFor(async () => (await dlqCount(jsm)) === before + 1, { what: 'the poison message in the DLQ' });
    const dead = await jsm.streams.getMessage(StreamName.deadLetter, { last_by_subj: subjects.deadLetter('retry-test') });
    expect(dead?.header.get('Mapek-Reject-Reason')).toBe('poison');
    await consumer.stop();
  });

  it('retries a handler that NATS does not answer on the same delivery, past maxDeliver, and handles the event once', async () => {
    const metrics = new ServiceMetrics('test');
    const deliveries: number[] = [];
    const handled: string[] = [];
    const consumer = consumerOf('unavailable-test', subjects.symptoms('unavailable'), {
      metrics,
      maxDeliver: 2,
      retryDelaysMs: [50],
      handlers: {
        symptom: async (event, context) => {
          deliveries.push(context.deliveryCount);
          // A real answer of the server while what the handler needs is not up: no responders.
          if (deliveries.length <= 4) await nc.request('mapek.test.nobody-answers', '', { timeout: 1000 });
          handled.push(event.id);
        },
      },
    });
    await consumer.start();
    const before = await dlqCount(jsm);
    const event = await publisher.publish('symptom', { target: 'unavailable', data: symptomData(3) });
    await waitFor(() => handled.includes(event.id), { timeoutMs: 30_000, what: 'the handler to get through' });
    // Five attempts, all on the first delivery: the outage spent none of the two deliveries.
    expect(deliveries).toEqual([1, 1, 1, 1, 1]);
    expect(handled).toEqual([event.id]);
    expect(await dlqCount(jsm)).toBe(before);
    expect(await metrics.text()).toMatch(/mapek_events_consumed_total\{[^}]*result="unavailable_retry"[^}]*\} 4/);
    await waitFor(async () => (await jsm.consumers.info(StreamName.events, 'unavailable-test')).num_ack_pending === 0, {
      what: 'the event acknowledged',
    });
    await consumer.stop();
  });

  it('gives the message back for another delivery once the time for retries in place is up', async () => {
    const metrics = new ServiceMetrics('test');
    const deliveries: number[] = [];
    const consumer = consumerOf('own-failure-test', subjects.symptoms('own-failure'), {
      metrics,
      maxDeliver: 2,
      retryDelaysMs: [50],
      unavailableRetryMs: 0,
      handlers: {
        symptom: async (_event, context) => {
          deliveries.push(context.deliveryCount);
          await nc.request('mapek.test.nobody-answers', '', { timeout: 1000 });
        },
      },
    });
    await consumer.start();
    const before = await dlqCount(jsm);
    await publisher.publish('symptom', { target: 'own-failure', data: symptomData(4) });
    // With no time for in-place retries, each failure is a delivery; after two, the dead-letter queue.
    await waitFor(async () => (await dlqCount(jsm)) === before + 1, { timeoutMs: 20_000, what: 'the event dead-lettered' });
    expect(deliveries).toEqual([1, 2]);
    await consumer.stop();
  });

  it('hands each event id to the handler once even when it is published twice past the dedupe window', async () => {
    const metrics = new ServiceMetrics('test');
    const handled: string[] = [];
    const consumer = consumerOf('idempotent-test', subjects.symptoms('idem'), {
      metrics,
      handlers: { symptom: (event) => Promise.resolve(void handled.push(event.id)) },
    });
    await consumer.start();
    const envelope = publisher.envelope('symptom', { target: 'idem', data: symptomData(3) });
    // Bypass the stream's dedupe (no msgID) to simulate a redelivery from outside the window.
    const bytes = new TextEncoder().encode(JSON.stringify(envelope));
    await js.publish(subjects.symptoms('idem'), bytes);
    await js.publish(subjects.symptoms('idem'), bytes);
    const marker = await publisher.publish('symptom', { target: 'idem', data: symptomData(4) });
    await waitFor(() => handled.includes(marker.id), { what: 'the marker event' });
    expect(handled.filter((id) => id === envelope.id)).toHaveLength(1);
    await consumer.stop();
  });

  it('with an order key, handles the events of one key in order and those of other keys meanwhile', async () => {
    const metrics = new ServiceMetrics('test');
    const log: string[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const consumer = consumerOf('order-key-test', [subjects.symptoms('order-a'), subjects.symptoms('order-b')], {
      metrics,
      concurrency: 4,
      orderKey: (envelope) => envelope.target,
      handlers: {
        symptom: async (event) => {
          const name = `${event.target}#${event.data.value}`;
          log.push(`start ${name}`);
          // The first event of order-a is slow: order-a's second waits for it, order-b's do not.
          if (name === 'order-a#1') await slow;
          log.push(`end ${name}`);
        },
      },
    });
    await consumer.start();
    await publisher.publish('symptom', { target: 'order-a', data: symptomData(1) });
    await publisher.publish('symptom', { target: 'order-a', data: symptomData(2) });
    await publisher.publish('symptom', { target: 'order-b', data: symptomData(1) });
    await publisher.publish('symptom', { target: 'order-b', data: symptomData(2) });
    await waitFor(() => log.includes('end order-b#2'), { what: "order-b's events past order-a's slow one" });
    expect(log).not.toContain('start order-a#2');
    expect(log.indexOf('end order-b#1')).toBeLessThan(log.indexOf('start order-b#2'));
    releaseSlow();
    await waitFor(() => log.includes('end order-a#2'), { what: "order-a's second event" });
    expect(log.indexOf('end order-a#1')).toBeLessThan(log.indexOf('start order-a#2'));
    await consumer.stop();
  });

  it('gives back what a steady flow delivers to it as it stops, so the next replica has it at once, not after the ack wait', async () => {
    const metrics = new ServiceMetrics('test');
    const handled = new Set<string>();
    const handlers = {
      symptom: async (event: Envelope<'symptom'>) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        handled.add(event.id);
      },
    };
    const first = consumerOf('stop-test', subjects.symptoms('stop'), { metrics, handlers });
    await first.start();
    const published: string[] = [];
    let flowing = true;
    const flow = (async () => {
      for (let i = 0; flowing; i++) {
        published.push((await publisher.publish('symptom', { target: 'stop', data: symptomData(i) })).id);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await waitFor(() => handled.size >= 20, { what: 'the flow under way' });
    await first.stop();
    flowing = false;
    await flow;
    const next = consumerOf('stop-test', subjects.symptoms('stop'), { metrics, handlers });
    await next.start();
    // A message delivered to the stopped replica and neither acknowledged nor given back would
    // come again only after the 30 s ack wait.
    await waitFor(() => published.every((id) => handled.has(id)), { timeoutMs: 10_000, what: 'every event handled' });
    await next.stop();
  });

  it('acknowledges a message once what its handler deferred is stored, handling the next ones meanwhile, and gives it back when that fails', async () => {
    const metrics = new ServiceMetrics('test');
    const durable = 'deferred-ack-test';
    const subject = subjects.symptoms('deferred');
    let store!: { resolve: () => void; reject: (error: unknown) => void };
    const stored = new Promise<void>((resolve, reject) => (store = { resolve, reject }));
    const seen: Array<{ id: string; delivery: number }> = [];
    const consumer = consumerOf(durable, subject, {
      metrics,
      concurrency: 1,
      retryDelaysMs: [50],
      handlers: {
        symptom: (event: Envelope<'symptom'>, context) => {
          seen.push({ id: event.id, delivery: context.deliveryCount });
          // The first three deliveries share one group commit; the redelivery of the first one is acknowledged at once.
          if (seen.length <= 3) context.acknowledgeWhen(stored);
          return Promise.resolve();
        },
      },
    });
    await consumer.start();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await publisher.publish('symptom', { target: 'deferred', data: symptomData(i) })).id);
    // One slot, and yet all three are handled while none is acknowledged.
    await waitFor(() => seen.length === 3, { what: 'three handled with one slot' });
    expect(consumer.awaitingAcknowledgement).toBe(3);
    expect((await jsm.consumers.info(StreamName.events, durable)).num_ack_pending).toBe(3);
    store.reject(new Error('the group commit failed'));
    // Given back, the three come again and are acknowledged as handled.
    await waitFor(() => seen.length === 6, { what: 'three redeliveries' });
    // (each after its own jittered delay, so in any order)
    expect(
      seen
        .slice(3)
        .map((s) => [s.id, s.delivery])
        .sort(),
    ).toEqual(ids.map((id) => [id, 2]).sort());
    await waitFor(async () => (await jsm.consumers.info(StreamName.events, durable)).num_ack_pending === 0, { what: 'all acknowledged' });
    expect(consumer.awaitingAcknowledgement).toBe(0);
    await consumer.stop();
  });

  it('acknowledges a deferred message when its promise resolves, and its stop waits for that', async () => {
    const metrics = new ServiceMetrics('test');
    const durable = 'deferred-stop-test';
    const subject = subjects.symptoms('deferred-stop');
    let resolveStored!: () => void;
    const stored = new Promise<void>((resolve) => (resolveStored = resolve));
    let handled = 0;
    const consumer = consumerOf(durable, subject, {
      metrics,
      handlers: {
        symptom: (_event: Envelope<'symptom'>, context) => {
          handled++;
          context.acknowledgeWhen(stored);
          return Promise.resolve();
        },
      },
    });
    await consumer.start();
    await publisher.publish('symptom', { target: 'deferred-stop', data: symptomData(1) });
    await waitFor(() => handled === 1, { what: 'the event handled' });
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    resolveStored();
    await stopping;
    const info = await jsm.consumers.info(StreamName.events, durable);
    expect([info.num_ack_pending, info.num_redelivered, info.ack_floor.consumer_seq]).toEqual([0, 0, 1]);
  });

  it('gives back what the server sent while a handler held the event loop, which the client had not read yet', async () => {
    const metrics = new ServiceMetrics('test');
    const durable = 'busy-stop-test';
    const subject = subjects.symptoms('busy-stop');
    // A flow from another thread (its own event loop and connection), one event every 5 ms, so
    // that the server keeps sending into the socket while this thread's loop is held.
    const bodies = Array.from({ length: 200 }, (_, i) => publisher.envelope('symptom', { target: 'busy-stop', data: symptomData(i) }));
    const flow = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { connect } = require(workerData.client);
       (async () => {
         const nc = await connect({ servers: workerData.url });
         for (const body of workerData.bodies) {
           nc.publish(workerData.subject, body);
           await new Promise((resolve) => setTimeout(resolve, 5));
         }
         await nc.drain();
         parentPort.postMessage('done');
       })();`,
      {
        eval: true,
        workerData: { client: natsClient, url: server.url, subject, bodies: bodies.map((envelope) => JSON.stringify(envelope)) },
      },
    );
    const flowDone = new Promise((resolve) => flow.once('message', resolve));
    const handled = new Set<string>();
    let stopped: Promise<void> | undefined;
    const consumer = consumerOf(durable, subject, {
      metrics,
      concurrency: 8,
      handlers: {
        symptom: (event: Envelope<'symptom'>) => {
          // The tenth handler holds the event loop (as a burst of scoring does) while the server
          // sends into the socket, then the service is asked to stop.
          if (handled.size === 10 && stopped === undefined) {
            const until = Date.now() + 300;
            while (Date.now() < until);
            stopped = consumer.stop();
          }
          handled.add(event.id);
          return Promise.resolve();
        },
      },
    });
    await consumer.start();
    await waitFor(() => stopped !== undefined, { what: 'the stop' });
    await stopped;
    const next = consumerOf(durable, subject, { metrics, handlers: { symptom: (event) => Promise.resolve(void handled.add(event.id)) } });
    await next.start();
    await flowDone;
    await flow.terminate();
    // Nothing delivered to the stopped consumer waits for the 30 s ack wait.
    await waitFor(() => bodies.every((envelope) => handled.has(envelope.id)), { timeoutMs: 10_000, what: 'every event handled' });
    await next.stop();
  });
});
