import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BucketName } from '@mapek/contracts';
import { MessagingRuntime } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, type NatsServerProcess } from '@mapek/testing';
import { LeaseHeldError, SafetyStore } from './safety.store.js';

/**
 * Leases and caps in the `mapek_leases` bucket of a real nats-server, seen from two executor
 * replicas (two connections, two stores): one target is never leased twice, a released or lapsed
 * lease is taken by the one waiting, and both replicas count against the same caps.
 */
describe('executor safety store on a real nats-server', () => {
  let server: NatsServerProcess;
  const runtimes: MessagingRuntime[] = [];
  let first: SafetyStore;
  let second: SafetyStore;

  async function replica(instance: string): Promise<SafetyStore> {
    const runtime = await MessagingRuntime.connect({
      servers: server.url,
      service: 'executor',
      instance,
      prefix: 'mapek',
      replicas: 1,
      logger: createLogger('executor', 'silent'),
      metrics: new ServiceMetrics('executor'),
      provision: true,
    });
    runtimes.push(runtime);
    return new SafetyStore(await runtime.openBucket(BucketName.executorLeases));
  }

  beforeAll(async () => {
    server = await startNatsServer();
    first = await replica('executor-1');
    second = await replica('executor-2');
  });

  afterAll(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.close()));
    await server?.stop();
  });

  it('leases a target to one execution at a time; its holder renews it, and once released the other takes it', async () => {
    const taken = await first.acquire('orders', 'execution-a', 30_000);
    expect(taken.acquired).toBe(true);
    const refused = await second.acquire('orders', 'execution-b', 30_000);
    expect(refused).toMatchObject({ acquired: false, heldBy: { holder: 'execution-a' } });
    expect((await second.acquire('orders', 'execution-a', 30_000)).acquired).toBe(true);
    await first.release('orders', 'execution-b');
    expect((await second.acquire('orders', 'execution-b', 30_000)).acquired).toBe(false);
    await first.release('orders', 'execution-a');
    expect((await second.acquire('orders', 'execution-b', 30_000)).acquired).toBe(true);
  });

  it('lets only one of many executions racing for a free target take it', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? first : second).acquire('payments', `execution-${index}`, 30_000)),
    );
    expect(results.filter((result) => result.acquired)).toHaveLength(1);
  });

  it('wakes an execution waiting for a lease when its holder releases it', async () => {
    await first.acquire('billing', 'execution-a', 30_000);
    let waiting!: () => void;
    const isWaiting = new Promise<void>((resolve) => (waiting = resolve));
    const taking = second.acquireWaiting('billing', 'execution-b', 30_000, 20_000, () => waiting());
    await isWaiting;
    await first.release('billing', 'execution-a');
    const taken = await taking;
    expect(taken).toMatchObject({ lease: { holder: 'execution-b' }, waitedFor: 'execution-a' });
    expect(taken.waitedMs).toBeLessThan(20_000);
  });

  it('gives a lease whose holder died to the one waiting once its TTL runs out', async () => {
    await first.acquire('search', 'execution-dead', 1000);
    const taken = await second.acquireWaiting('search', 'execution-b', 30_000, 20_000, () => undefined);
    expect(taken).toMatchObject({ lease: { holder: 'execution-b' }, waitedFor: 'execution-dead' });
  });

  it('gives up waiting after the wait and says who holds the target', async () => {
    await first.acquire('ledger', 'execution-a', 30_000);
    await expect(second.acquireWaiting('ledger', 'execution-b', 30_000, 300, () => undefined)).rejects.toBeInstanceOf(LeaseHeldError);
  });

  it('counts distinct targets per minute across replicas: a new target over the cap is refused, a known one is not', async () => {
    expect((await first.admitTarget('t1', 2)).allowed).toBe(true);
    expect((await second.admitTarget('t2', 2)).allowed).toBe(true);
    expect(await first.admitTarget('t3', 2)).toMatchObject({ allowed: false, count: 2 });
    expect((await second.admitTarget('t1', 2)).allowed).toBe(true);
  });

  it('admits exactly the hourly cap of actions per effector when both replicas race for it', async () => {
    const verdicts = await Promise.all(
      Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? first : second).admitAction('container', 5)),
    );
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(5);
    expect((await first.admitAction('webhook', 5)).allowed).toBe(true);
  });
});
