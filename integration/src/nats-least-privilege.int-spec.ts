import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BucketName, ConsumerName, StreamName, SubjectKind, inboxPrefixOf, subjects, subjectWildcard } from '@mapek/contracts';
import { JetStreamEventConsumer, MessagingRuntime, TopologyError, bindBucket, bucketStreamName, ensureBucket } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { waitFor } from '@mapek/testing';
import { type NatsServer, identityConnectOptions, natsClientTls, provisionNats } from '@mapek/stack';
import { startSecureNatsServer } from './secure-nats.fixture.js';

const prefix = 'mapek';
const logger = createLogger('test', 'silent');
const permissionDenied = /permission/i;

/**
 * Least privilege on NATS, against a real nats-server configured by the tooling: only the
 * administrator identity (`cli`) manages streams and buckets; each service binds to them, controls
 * its own durable consumers only, writes its own bucket only and reads replies on its own inbox only.
 */
describe('NATS least privilege per identity', () => {
  let dataDir: string;
  let certsDir: string;
  let server: NatsServer;
  const connections: NatsConnection[] = [];

  /** Connects as one identity; `sharedInbox` uses nats.js's default `_INBOX` instead of the identity's own. */
  const connectAs = async (identity: string, sharedInbox = false) => {
    const options = sharedInbox
      ? { servers: server.url, tls: natsClientTls(certsDir, identity) }
      : identityConnectOptions(server.url, certsDir, identity);
    const nc = await connect({ ...options, reconnect: false, name: identity });
    connections.push(nc);
    return nc;
  };
  /** The planner's messaging runtime as the service starts it with an identity: bind, never provision. */
  const bindAsPlanner = () =>
    MessagingRuntime.connect({
      servers: server.url,
      service: 'planner',
      instance: 'test',
      prefix,
      replicas: 1,
      provision: false,
      inboxPrefix: inboxPrefixOf('planner'),
      tls: natsClientTls(certsDir, 'planner'),
      logger,
      metrics: new ServiceMetrics('planner'),
    });
  const managerOf = async (identity: string): Promise<JetStreamManager> => jetstreamManager(await connectAs(identity), { timeout: 2000 });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-least-privilege-'));
    ({ server, certsDir } = await startSecureNatsServer(dataDir, prefix));
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.process.stop('SIGTERM', 5000);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a service that binds before the administrator provisioned, with a readable reason', async () => {
    const attempt = bindAsPlanner();
    await expect(attempt).rejects.toThrow(TopologyError);
    await expect(attempt).rejects.toThrow(/stream MAPEK_\w+ does not exist: provision the NATS topology first/);
  });

  it('does not let a service create a stream or a bucket', async () => {
    const analyzer = await managerOf('analyzer');
    await expect(analyzer.streams.add({ name: StreamName.events, subjects: [`${prefix}.symptoms.>`] })).rejects.toThrow(permissionDenied);
    await expect(ensureBucket(jetstream(await connectAs('planner')), BucketName.plannerPlans, 1)).rejects.toThrow(permissionDenied);
  });

  it('lets the administrator provision every stream and bucket, idempotently', async () => {
    const tls = natsClientTls(certsDir, 'cli');
    const first = await provisionNats({ natsUrl: server.url, prefix, replicas: 1, tls });
    const again = await provisionNats({ natsUrl: server.url, prefix, replicas: 1, tls });
    expect(again).toEqual(first);
    expect(first.streams).toEqual([StreamName.telemetry, StreamName.events, StreamName.deadLetter]);
    expect(first.buckets).toEqual(Object.values(BucketName));
    const admin = await managerOf('cli');
    for (const bucket of first.buckets) await expect(admin.streams.info(bucketStreamName(bucket))).resolves.toBeDefined();
  });

  it('lets a service bind to the provisioned streams and its bucket without management rights', async () => {
    const runtime = await bindAsPlanner();
    try {
      const plans = await runtime.openBucket(BucketName.plannerPlans);
      const revision = await plans.put('plan.least-privilege', '{}');
      expect((await plans.get('plan.least-privilege'))?.revision).toBe(revision);
      const keys: string[] = [];
      for await (const key of await plans.keys()) keys.push(key);
      expect(keys).toEqual(['plan.least-privilege']);
    } finally {
      await runtime.close();
    }
  });

  it('does not let a service update or delete a stream', async () => {
    const executor = await managerOf('executor');
    await expect(executor.streams.update(StreamName.events, { max_age: 1 })).rejects.toThrow(permissionDenied);
    await expect(executor.streams.delete(StreamName.events)).rejects.toThrow(permissionDenied);
    await expect(executor.streams.purge(StreamName.events)).rejects.toThrow(permissionDenied);
    await expect((await managerOf('cli')).streams.info(StreamName.events)).resolves.toMatchObject({ config: { name: StreamName.events } });
  });

  it("lets a service create its own durable consumer but not redefine, read or delete another's", async () => {
    const planner = await managerOf('planner');
    await planner.consumers.add(StreamName.events, { durable_name: ConsumerName.planner, ack_policy: AckPolicy.Explicit });
    await expect(planner.consumers.info(StreamName.events, ConsumerName.planner)).resolves.toMatchObject({ name: ConsumerName.planner });

    const analyzer = await managerOf('analyzer');
    await expect(
      analyzer.consumers.add(StreamName.events, { durable_name: ConsumerName.planner, ack_policy: AckPolicy.None }),
    ).rejects.toThrow(permissionDenied);
    await expect(analyzer.consumers.info(StreamName.events, ConsumerName.planner)).rejects.toThrow(permissionDenied);
    await expect(analyzer.consumers.delete(StreamName.events, ConsumerName.planner)).rejects.toThrow(permissionDenied);

    // The gateway reads the stream with ordered consumers of its own, yet may not take the planner's messages.
    const gatewayConnection = await connectAs('gateway');
    const gateway = await jetstreamManager(gatewayConnection, { timeout: 2000 });
    await expect(gateway.consumers.delete(StreamName.events, ConsumerName.planner)).rejects.toThrow(permissionDenied);
    await expect(
      gateway.consumers.add(StreamName.events, { durable_name: ConsumerName.planner, ack_policy: AckPolicy.None }),
    ).rejects.toThrow(permissionDenied);
    const plannerDurable = await jetstream(await connectAs('planner')).consumers.get(StreamName.events, ConsumerName.planner);
    expect(plannerDurable).toBeDefined();
    const stolen = gatewayConnection.request(
      `$JS.API.CONSUMER.MSG.NEXT.${StreamName.events}.${ConsumerName.planner}`,
      JSON.stringify({ batch: 1, no_wait: true }),
      { timeout: 2000 },
    );
    await expect(stolen).rejects.toThrow(permissionDenied);
    await expect(planner.consumers.info(StreamName.events, ConsumerName.planner)).resolves.toMatchObject({ name: ConsumerName.planner });
  });

  it('lets a service bring its own durable, left unfiltered by an earlier mapek, to the filter of the types it handles', async () => {
    const nc = await connectAs('analyzer');
    const analyzer = await jetstreamManager(nc, { timeout: 2000 });
    // As an earlier analyzer created it (ADR 0003): one durable, no filter.
    await analyzer.consumers.add(StreamName.events, {
      durable_name: ConsumerName.analyzer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = new JetStreamEventConsumer({
      nc,
      js: jetstream(nc),
      jsm: analyzer,
      prefix,
      stream: StreamName.events,
      durable: ConsumerName.analyzer,
      handlers: { symptom: () => Promise.resolve(), outcome: () => Promise.resolve() },
      metrics: new ServiceMetrics('analyzer'),
      logger,
    });
    await consumer.ensure();
    const { config } = await analyzer.consumers.info(StreamName.events, ConsumerName.analyzer);
    expect(config.filter_subjects).toEqual([`${prefix}.symptoms.>`, `${prefix}.outcomes.>`]);
  });

  it('lets a service write entries that expire into its own bucket', async () => {
    const runtime = await bindAsPlanner();
    try {
      const plans = await runtime.openBucket(BucketName.plannerPlans);
      await plans.put('cooldown.least-privilege.restart_service', String(Date.now() + 1000), { ttlMs: 1000 });
      await waitFor(async () => (await plans.get('cooldown.least-privilege.restart_service')) === null, { what: 'the cooldown to expire' });
    } finally {
      await runtime.close();
    }
  });

  it('lets the gateway follow the event stream with an ordered consumer', async () => {
    const gateway = jetstream(await connectAs('gateway'));
    const monitor = jetstream(await connectAs('monitor'));
    const ordered = await gateway.consumers.get(StreamName.events, { deliver_policy: DeliverPolicy.All });
    await monitor.publish(subjects.symptoms('least-privilege', prefix), '{"probe":true}');
    const message = await ordered.next({ expires: 5000 });
    expect(message?.subject).toBe(subjects.symptoms('least-privilege', prefix));
  });

  it('lets the agent and the gateway send heartbeats, which the monitor follows on the telemetry stream with an ordered consumer', async () => {
    const monitor = jetstream(await connectAs('monitor'));
    const heartbeats = { filter_subjects: subjectWildcard(SubjectKind.heartbeats, prefix), deliver_policy: DeliverPolicy.LastPerSubject };
    const agent = await connectAs('agent');
    // The agent has no JetStream API: its publish is stored by the stream that captures the subject.
    agent.publish(subjects.heartbeats('least-privilege', prefix), '{"probe":"agent"}');
    await agent.flush();
    await jetstream(await connectAs('gateway')).publish(subjects.heartbeats('least-privilege-2', prefix), '{"probe":"gateway"}');
    const ordered = await monitor.consumers.get(StreamName.telemetry, heartbeats);
    const first = await ordered.next({ expires: 5000 });
    const second = await ordered.next({ expires: 5000 });
    expect([first?.subject, second?.subject]).toEqual([
      subjects.heartbeats('least-privilege', prefix),
      subjects.heartbeats('least-privilege-2', prefix),
    ]);
    await expect(
      jetstream(await connectAs('analyzer')).publish(subjects.heartbeats('least-privilege', prefix), '{}', { timeout: 2000 }),
    ).rejects.toThrow(permissionDenied);
  });

  it("does not let a service write another's bucket", async () => {
    const analyzer = jetstream(await connectAs('analyzer'));
    await expect(analyzer.publish(`$KV.${BucketName.plannerPlans}.plan.x`, '{}', { timeout: 2000 })).rejects.toThrow(permissionDenied);
    await expect(bindBucket(analyzer, BucketName.plannerPlans)).rejects.toThrow(/may not be read by this NATS user/);
  });

  it("does not let a service read another's inbox, nor use the shared one", async () => {
    const analyzer = await connectAs('analyzer');
    const denied = new Promise<Error>((resolve) => {
      analyzer.subscribe(`${inboxPrefixOf('executor')}.>`, {
        callback: (error) => {
          if (error) resolve(error);
        },
      });
    });
    await expect(denied).resolves.toThrow(permissionDenied);
    // A service on the shared _INBOX gets no replies at all: its requests cannot even subscribe.
    const shared = await connectAs('analyzer', true);
    await expect(shared.request(`$JS.API.INFO`, '', { timeout: 2000 })).rejects.toThrow();
  });

  it('gives no JetStream rights at all to the agent identity', async () => {
    const agent = await connectAs('agent', true);
    await expect(agent.request('$JS.API.INFO', '', { timeout: 2000 })).rejects.toThrow(permissionDenied);
  });
});
