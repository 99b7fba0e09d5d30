import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamPublisher, ensureStreams } from '@mapek/messaging';
import { memorySymptomData, startNatsServer, type NatsServerProcess } from '@mapek/testing';
import { StreamSymptomHistory } from './symptom-history.js';

/**
 * Reading a target's symptoms back from the event stream (the executor's check that a remedy is
 * still needed, and its verification), against a real nats-server.
 */
describe('a target’s symptoms read back from the event stream', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let publisher: JetStreamPublisher;
  // Far beyond the test's own timeout: a read that waited for its fetch to expire would fail the test.
  const slowFetch = 60_000;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    await ensureStreams(await jetstreamManager(nc), { prefix: 'mapek', replicas: 1 });
    publisher = new JetStreamPublisher({ js, prefix: 'mapek', source: 'monitor' });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('returns the symptoms in the window as soon as it has read to the end of the stream, not when its fetch expires', async () => {
    const from = Date.now();
    await publisher.publish('symptom', { target: 'shop', data: memorySymptomData() });
    await publisher.publish('symptom', { target: 'shop', data: { ...memorySymptomData(), metric: 'http_error_ratio' } });
    await publisher.publish('symptom', { target: 'other', data: memorySymptomData() });
    const history = new StreamSymptomHistory(js, 'mapek', undefined, slowFetch);
    const seen = await history.symptoms('shop', from, Date.now() + 1);
    expect(seen.map((symptom) => symptom.metric)).toEqual(['process_resident_memory_bytes', 'http_error_ratio']);
    const memory = await history.between('shop', from, Date.now() + 1, (metric) => metric.startsWith('process_'));
    expect(memory).toHaveLength(1);
  }, 10_000);

  it('answers at once that there was none when nothing was stored since the start of the window', async () => {
    const history = new StreamSymptomHistory(js, 'mapek', undefined, slowFetch);
    expect(await history.symptoms('quiet', Date.now(), Date.now() + 1)).toEqual([]);
    expect(await history.symptoms('shop', Date.now() + 60_000, Date.now() + 120_000)).toEqual([]);
  }, 10_000);

  it('counts a symptom stored late (its source cut off from NATS) when it was observed, not when it arrived', async () => {
    const from = Date.now();
    const observedLate = new Date(from - 30_000).toISOString();
    await publisher.publish('symptom', { target: 'late', data: memorySymptomData({ observedAt: new Date().toISOString() }) });
    await publisher.publish('symptom', { target: 'late', data: memorySymptomData({ observedAt: observedLate, value: 6e8 }) });
    const history = new StreamSymptomHistory(js, 'mapek', undefined, slowFetch);
    // Read from before it was observed: it is there, at its observation, oldest first.
    const all = await history.symptoms('late', from - 60_000, Date.now() + 1);
    expect(all).toHaveLength(2);
    expect(all[0]?.at).toBe(Date.parse(observedLate));
    expect(all[1]?.at).toBeGreaterThanOrEqual(from);
    // A window that starts after it was observed (a remedy's verification) leaves it out, though it was stored in it.
    expect(await history.between('late', from, Date.now() + 1)).toHaveLength(1);
  }, 10_000);
});
