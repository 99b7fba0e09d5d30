import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BucketName } from '@mapek/contracts';
import { bucketStreamName, ensureBucket, type KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { RateLimiter, type RateLimit } from '../domain/rate-limiter.js';
import { SharedRateLimiter } from './shared-rate-limiter.js';

const logger = { warn: () => undefined } as unknown as Logger;

/** A take as a promise, whether the limiter decided at once or after KV. */
const decide = (limiter: SharedRateLimiter, client: string) => Promise.resolve(limiter.take(client));

/**
 * Two gateway replicas' limiters, each on its own connection, sharing the gateway bucket of a real
 * nats-server: what they grant together, what they cost in KV writes, and leases given back.
 */
describe('the shared rate limit against a real nats-server', () => {
  let server: NatsServerProcess;
  const connections: NatsConnection[] = [];
  const limiters: SharedRateLimiter[] = [];
  let buckets: [KvBucket, KvBucket];

  beforeAll(async () => {
    server = await startNatsServer();
    for (let index = 0; index < 2; index++) connections.push(await connect({ servers: server.url }));
    const [a, b] = connections;
    if (!a || !b) throw new Error('no connections');
    buckets = [await ensureBucket(jetstream(a), BucketName.gatewayState, 1), await ensureBucket(jetstream(b), BucketName.gatewayState, 1)];
  });

  afterEach(() => limiters.splice(0).forEach((limiter) => limiter.close()));

  afterAll(async () => {
    for (const nc of connections) await nc.close();
    await server?.stop();
  });

  const replicas = (limit: RateLimit, leaseMs = 100) =>
    buckets.map((bucket) => {
      const limiter = new SharedRateLimiter(bucket, limit, new RateLimiter(limit), logger, { leaseMs });
      limiters.push(limiter);
      return limiter;
    }) as [SharedRateLimiter, SharedRateLimiter];

  /** Messages written to the gateway bucket so far (each KV create, update or give-back is one). */
  const writes = async () => {
    const jsm = await jetstreamManager(connections[0] as NatsConnection);
    return (await jsm.streams.info(bucketStreamName(BucketName.gatewayState))).state.last_seq;
  };

  it('grants one key its burst once across two replicas under concurrent load, never more', async () => {
    const burst = 640; // up to 40 reserved ahead per replica
    const [first, second] = replicas({ perMinute: 1, burst }, 60_000);
    const decisions = [];
    for (let wave = 0; wave < 30; wave++)
      decisions.push(...(await Promise.all(Array.from({ length: 50 }, (_, index) => decide(index % 2 ? first : second, 'key:load')))));
    const granted = decisions.filter((decision) => decision.allowed).length;
    expect(granted).toBeLessThanOrEqual(burst);
    // Refused early at most what the other replica held ahead, shrunk as the allowance ran low.
    expect(granted).toBeGreaterThanOrEqual(burst - 40);
  });

  it('costs a busy key far fewer KV writes than requests', async () => {
    const [first] = replicas({ perMinute: 6_000_000, burst: 100_000 }, 1000);
    const before = await writes();
    let granted = 0;
    for (let request = 0; request < 2000; request++) if ((await decide(first, 'key:busy')).allowed) granted += 1;
    expect(granted).toBe(2000);
    expect((await writes()) - before).toBeLessThan(100);
  });

  it('is exact for a small burst: alternate requests get it once, then 429s', async () => {
    const [first, second] = replicas({ perMinute: 1, burst: 8 });
    const statuses = [];
    for (let request = 0; request < 16; request++) statuses.push((await decide(request % 2 ? second : first, 'key:small')).allowed);
    expect(statuses).toEqual([...Array.from({ length: 8 }, () => true), ...Array.from({ length: 8 }, () => false)]);
  });

  it('gives an unused lease back once it expires, and the other replica may then grant it', async () => {
    const [first, second] = replicas({ perMinute: 1, burst: 64 }, 200);
    // The first replica takes most of the burst and, busy, holds the rest ahead.
    await Promise.all(Array.from({ length: 60 }, () => decide(first, 'key:lease')));
    while ((await decide(second, 'key:lease')).allowed);
    // Within 200 ms (the lease) plus the sweep the first replica's unused tokens are back in KV;
    // the second replica asks KV again once its own refusal (held for the lease time) has passed.
    await waitFor(async () => (await decide(second, 'key:lease')).allowed, { timeoutMs: 5000, what: 'the returned lease to be granted' });
  });
});
