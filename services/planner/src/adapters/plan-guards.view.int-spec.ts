import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BucketName } from '@mapek/contracts';
import { MessagingRuntime, type KvBucket } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { PlanGuardsView } from './plan-guards.view.js';

/** The planner's watched view of cooldowns, approvals and resolved incidents, against a real nats-server. */
describe('the plan guards view', () => {
  let server: NatsServerProcess;
  let runtime: MessagingRuntime;
  let kv: KvBucket;
  const views: PlanGuardsView[] = [];
  const logger = createLogger('planner', 'silent');

  const startView = async () => {
    const view = new PlanGuardsView(kv, logger);
    views.push(view);
    view.start();
    await waitFor(() => view.ready, { timeoutMs: 10_000, what: 'the view to be ready' });
    return view;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    runtime = await MessagingRuntime.connect({
      servers: server.url,
      service: 'planner',
      instance: 'test',
      prefix: 'mapek',
      replicas: 1,
      logger,
      metrics: new ServiceMetrics('planner'),
      provision: true,
    });
    kv = await runtime.openBucket(BucketName.plannerPlans);
  });

  afterAll(async () => {
    for (const view of views) view.stop();
    await runtime?.close();
    await server?.stop();
  });

  it('holds what the bucket held when it started, and only the guard entries', async () => {
    await kv.put('cooldown.app-1.restart', '1700000000000');
    await kv.put('rate.472222', '3');
    await kv.put('resolved.incident-1', 'true');
    await kv.put('plan.p1', '{"status":"pending"}');
    const view = await startView();
    expect(view.value<number>('cooldown.app-1.restart')).toBe(1_700_000_000_000);
    expect(view.value<number>('rate.472222')).toBe(3);
    expect(view.value<boolean>('resolved.incident-1')).toBe(true);
    expect(view.value('plan.p1')).toBeUndefined();
  });

  it('follows writes and deletes made by another client (another replica)', async () => {
    const view = await startView();
    await kv.put('cooldown.app-2.clear_cache', '42');
    await waitFor(() => view.value<number>('cooldown.app-2.clear_cache') === 42, { timeoutMs: 5000, what: 'the write to arrive' });
    await kv.put('cooldown.app-2.clear_cache', '43');
    await waitFor(() => view.value<number>('cooldown.app-2.clear_cache') === 43, { timeoutMs: 5000, what: 'the rewrite to arrive' });
    await kv.delete('cooldown.app-2.clear_cache');
    await waitFor(() => view.value('cooldown.app-2.clear_cache') === undefined, { timeoutMs: 5000, what: 'the delete to arrive' });
  });

  it('shows its own writes at once, and an older revision arriving later does not undo a newer one', async () => {
    const view = await startView();
    const first = await kv.put('rate.1', '1');
    const second = await kv.put('rate.1', '2');
    view.wrote('rate.1', second, 2);
    expect(view.value<number>('rate.1')).toBe(2);
    view.wrote('rate.1', first, 1);
    expect(view.value<number>('rate.1')).toBe(2);
  });

  it('forgets what prune says is over, and deleted entries', async () => {
    const view = await startView();
    view.wrote('cooldown.app-3.restart', 1_000_000, 5);
    view.wrote('cooldown.app-3.throttle', 1_000_001, 10_000);
    view.prune((key, value) => key.startsWith('cooldown.app-3.') && (value as number) < 100);
    expect(view.value('cooldown.app-3.restart')).toBeUndefined();
    expect(view.value<number>('cooldown.app-3.throttle')).toBe(10_000);
  });

  it('is not ready once stopped, so the planner reads KV again', async () => {
    const view = await startView();
    view.stop();
    expect(view.ready).toBe(false);
  });
});
