import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BucketName } from '@mapek/contracts';
import { SpanKind, inSpan, recordSpansInSuite } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { z } from 'zod';
import { JsonKv, KvBucket, getJson } from './kv-store.js';
import { TopologyError } from './messaging.errors.js';
import { bindBucket, bucketStreamName, ensureBucket } from './topology.js';

/**
 * Per-entry TTLs in mapek's KV buckets against a real nats-server (per-message TTL, 2.11+): the
 * server itself removes an entry written with `ttlMs`, whatever write made it.
 */
describe('KV entries that expire', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** Polls the key until the server has removed it. */
  const gone = (bucket: KvBucket, key: string) =>
    waitFor(async () => (await bucket.get(key)) === null, { timeoutMs: 10_000, what: `${key} to expire` });

  it('provisions every bucket with per-entry TTLs allowed', async () => {
    for (const bucket of Object.values(BucketName)) {
      await ensureBucket(js, bucket, 1);
      expect((await jsm.streams.info(bucketStreamName(bucket))).config.allow_msg_ttl).toBe(true);
    }
  });

  it('removes an entry once its TTL has passed, whether created, put or updated, and keeps one written without', async () => {
    const plans = await ensureBucket(js, BucketName.plannerPlans, 1);
    const written = Date.now();
    await plans.create('cooldown.created', '1', { ttlMs: 1000 });
    await plans.put('cooldown.put', '2', { ttlMs: 1000 });
    const first = await plans.create('plan.updated', '"pending"', { ttlMs: 1000 });
    await plans.update('plan.updated', '"expired"', first, { ttlMs: 1000 });
    await plans.put('plan.kept', '"pending"');

    // Until then, they are there as written.
    expect((await getJson<string>(plans, 'plan.updated'))?.value).toBe('expired');
    expect((await getJson<number>(plans, 'cooldown.put'))?.value).toBe(2);

    for (const key of ['cooldown.created', 'cooldown.put', 'plan.updated']) await gone(plans, key);
    expect(Date.now() - written).toBeGreaterThanOrEqual(1000);
    expect((await getJson<string>(plans, 'plan.kept'))?.value).toBe('pending');
  });

  it('would bring back an older revision written without a TTL in a bucket that keeps history, which is why every mapek bucket keeps one value per key', async () => {
    const withHistory = new KvBucket(await new Kvm(js).create('ttl_with_history', { history: 2, markerTTL: 1000 }), js, 'ttl_with_history');
    const first = await withHistory.put('plan.mixed', '"pending"');
    await withHistory.update('plan.mixed', '"approved"', first, { ttlMs: 1000 });
    await waitFor(async () => (await getJson<string>(withHistory, 'plan.mixed'))?.value === 'pending', {
      timeoutMs: 10_000,
      what: 'the older revision to show again',
    });

    const plans = await ensureBucket(js, BucketName.plannerPlans, 1);
    const kept = await plans.put('plan.mixed', '"pending"');
    await plans.update('plan.mixed', '"approved"', kept, { ttlMs: 1000 });
    await gone(plans, 'plan.mixed');
  });

  it('lets a key whose entry expired be created again, and keeps the revision check of an update with a TTL', async () => {
    const executions = await ensureBucket(js, BucketName.executorExecutions, 1);
    await executions.create('exec.once', '"first"', { ttlMs: 1000 });
    await expect(executions.create('exec.once', '"second"', { ttlMs: 1000 })).rejects.toThrow(/wrong last sequence/);
    await gone(executions, 'exec.once');
    await executions.create('exec.once', '"again"', { ttlMs: 60_000 });
    expect((await getJson<string>(executions, 'exec.once'))?.value).toBe('again');

    const stale = (await executions.get('exec.once'))?.revision ?? 0;
    await executions.put('exec.once', '"moved on"', { ttlMs: 60_000 });
    await expect(executions.update('exec.once', '"lost update"', stale, { ttlMs: 60_000 })).rejects.toThrow(/wrong last sequence/);
    expect((await getJson<string>(executions, 'exec.once'))?.value).toBe('moved on');
  });

  it('refuses to bind to a bucket an earlier version made without per-entry TTLs, until provisioning brings it to its settings', async () => {
    await jsm.streams.delete(bucketStreamName(BucketName.plannerPlans));
    // As an earlier mapek created it: five values per key, no allow_msg_ttl.
    const earlier = await new Kvm(js).create(BucketName.plannerPlans, { history: 5, replicas: 1 });
    const revision = await earlier.put('plan.before', '"pending"');
    await earlier.update('plan.before', '"approved"', revision);
    const attempt = bindBucket(js, BucketName.plannerPlans);
    await expect(attempt).rejects.toThrow(TopologyError);
    await expect(attempt).rejects.toThrow(/KV bucket mapek_plans does not allow per-entry TTLs .*provision the NATS topology again/);

    await ensureBucket(js, BucketName.plannerPlans, 1);
    const { config, state } = await jsm.streams.info(bucketStreamName(BucketName.plannerPlans));
    expect(config).toMatchObject({ allow_msg_ttl: true, max_msgs_per_subject: 1 });
    // The older revision went with the cut; the latest value is untouched.
    expect(state.messages).toBe(1);
    const bound = await bindBucket(js, BucketName.plannerPlans);
    expect((await getJson<string>(bound, 'plan.before'))?.value).toBe('approved');
    await bound.put('cooldown.after', '1', { ttlMs: 1000 });
    await gone(bound, 'cooldown.after');
  });
});

describe('typed JSON values in a KV bucket', () => {
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let counters: JsonKv<{ count: number }>;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    const bucket = await ensureBucket(jetstream(nc), BucketName.analyzerState, 1);
    counters = new JsonKv(bucket, z.strictObject({ count: z.number().int() }));
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('writes a value only where the key is still at the revision read, and says false when another writer came first', async () => {
    expect(await counters.compareAndSet('a', { count: 1 }, undefined)).toBe(true);
    expect(await counters.compareAndSet('a', { count: 9 }, undefined)).toBe(false);
    const read = await counters.get('a');
    expect(read?.value).toEqual({ count: 1 });
    expect(await counters.compareAndSet('a', { count: 2 }, read?.revision)).toBe(true);
    expect(await counters.compareAndSet('a', { count: 3 }, read?.revision)).toBe(false);
    expect((await counters.get('a'))?.value).toEqual({ count: 2 });
  });

  it('gives the revision it wrote, so the writer can write again without reading', async () => {
    const created = await counters.compareAndSetRevision('r', { count: 1 }, undefined);
    expect(created).toBe((await counters.get('r'))?.revision);
    const updated = await counters.compareAndSetRevision('r', { count: 2 }, created);
    expect(updated).toBeGreaterThan(created as number);
    expect(await counters.compareAndSetRevision('r', { count: 3 }, created)).toBeUndefined();
    expect(await counters.get('r')).toEqual({ value: { count: 2 }, revision: updated });
  });

  it('creates a value once: the second caller gets the first one, not its own', async () => {
    const [first, second] = await Promise.all([counters.createOrGet('b', { count: 10 }), counters.createOrGet('b', { count: 20 })]);
    expect(first.value).toEqual(second.value);
    expect([first.created, second.created].filter(Boolean)).toHaveLength(1);
  });

  it('applies every one of concurrent read-modify-write updates, re-reading after a lost compare-and-set', async () => {
    const increment = () => counters.update('c', (current) => ({ count: (current?.value.count ?? 0) + 1 }), 20);
    await Promise.all(Array.from({ length: 8 }, increment));
    expect((await counters.get('c'))?.value).toEqual({ count: 8 });
  });

  it('refuses a stored value of the wrong shape instead of handing it on', async () => {
    await new JsonKv<unknown>(await ensureBucket(jetstream(nc), BucketName.analyzerState, 1)).put('d', { count: 'many' });
    await expect(counters.get('d')).rejects.toThrow(/expected number/);
  });
});

describe('spans of the loop records in KV', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let plans: JsonKv<{ status: string }>;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    plans = new JsonKv(await ensureBucket(jetstream(nc), BucketName.plannerPlans, 1));
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('makes a CLIENT span per read and write under the handler’s span, with the bucket, key and revision', async () => {
    await inSpan('process analysis', { kind: SpanKind.CONSUMER }, async () => {
      await plans.compareAndSet('plan.p1', { status: 'pending' }, undefined);
      const read = await plans.get('plan.p1');
      // Lost to another writer: a conflict, not a failure.
      expect(await plans.compareAndSet('plan.p1', { status: 'approved' }, undefined)).toBe(false);
      await plans.compareAndSet('plan.p1', { status: 'approved' }, read?.revision);
    });
    const finished = spans.finished();
    const handler = finished.find((span) => span.name === 'process analysis');
    const kv = finished.filter((span) => span.name.startsWith('kv '));
    expect(kv.map((span) => span.name)).toEqual([
      'kv create mapek_plans',
      'kv get mapek_plans',
      'kv create mapek_plans',
      'kv update mapek_plans',
    ]);
    for (const span of kv) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.parentSpanContext?.spanId).toBe(handler?.spanContext().spanId);
      expect(span.attributes).toMatchObject({
        'db.system.name': 'nats_kv',
        'db.collection.name': 'mapek_plans',
        'mapek.kv.key': 'plan.p1',
      });
    }
    const [created, read, lost, updated] = kv;
    expect(created?.attributes['mapek.kv.revision']).toBe(1);
    expect(read?.attributes['mapek.kv.revision']).toBe(1);
    expect(lost?.attributes['mapek.kv.conflict']).toBe(true);
    expect(lost?.status.code).toBe(0);
    expect(updated?.attributes['mapek.kv.revision']).toBe(2);
  });

  it('makes none outside a recorded trace', async () => {
    await plans.put('plan.p2', { status: 'pending' });
    expect(await plans.get('plan.p2')).toBeDefined();
    expect(spans.finished()).toEqual([]);
  });
});
