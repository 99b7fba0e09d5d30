import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { StreamName } from '@mapek/contracts';
import { networkNamespacesUnavailable, startNatsCluster, waitFor, type NatsCluster, type NatsClusterNode } from '@mapek/testing';
import { provisionNats } from './nats-provisioner.js';
import { certsDirOf, clusterMemberNatsConfig, identityConnectOptions, natsClientTls } from './stack-credentials.js';

/**
 * Publishes until the stream acknowledges: a publish that arrives while the stream has no leader
 * gets no answer, so it is sent again (with the same message id, so it is stored once).
 */
function publishUntilStored(js: JetStreamClient, subject: string, msgID: string): Promise<unknown> {
  return waitFor(() => js.publish(subject, '{}', { msgID, timeout: 2000 }), {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: `${subject} to be stored`,
  });
}

/** The member leading a stream, once the members report one (a new stream elects its leader first). */
function leaderOf(cluster: NatsCluster, stream: string): Promise<NatsClusterNode> {
  return waitFor(() => cluster.streamLeader(stream), { timeoutMs: 15_000, intervalMs: 100, what: `a leader of ${stream}` });
}

interface Varz {
  readonly cluster?: { readonly tls_required?: boolean; readonly tls_verify?: boolean };
}

describe('an external three-member nats-server cluster with the stack credentials', () => {
  let dataDir: string;
  let cluster: NatsCluster;
  let cli: NatsConnection;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-cluster-'));
    cluster = await startNatsCluster({
      config: (member, layout) => clusterMemberNatsConfig({ dataDir, clusterName: layout.name, member, members: layout.members }),
    });
    await provisionNats({ natsUrl: cluster.url, prefix: 'mapek', replicas: 3, tls: natsClientTls(certsDirOf(dataDir), 'cli') });
    cli = await connect({
      ...identityConnectOptions(cluster.url, certsDirOf(dataDir), 'cli'),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 200,
    });
  });

  afterAll(async () => {
    await cli?.close();
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('provisions every stream at R3 and runs the routes over TLS with verified certificates', async () => {
    const info = await (await jetstreamManager(cli)).streams.info(StreamName.events);
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas).toHaveLength(2);
    for (const node of cluster.nodes) {
      const varz = (await (await fetch(`http://${node.host}:${node.monitorPort}/varz`)).json()) as Varz;
      expect([node.name, varz.cluster?.tls_required, varz.cluster?.tls_verify]).toEqual([node.name, true, true]);
    }
  });

  it('refuses a client without a certificate from the development CA', async () => {
    await expect(connect({ servers: cluster.url.split(','), reconnect: false, timeout: 2000 })).rejects.toThrow();
  });

  it('keeps a service identity publishing through kill -9 of the stream leader, which catches up once restarted', async () => {
    const monitor = await connect({
      ...identityConnectOptions(cluster.url, certsDirOf(dataDir), 'monitor'),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 200,
    });
    try {
      const js = jetstream(monitor);
      // A member may answer "no responders" for a moment after the stream was made, as after the kill.
      await publishUntilStored(js, 'mapek.symptoms.probe', 'before');
      const leader = await leaderOf(cluster, StreamName.events);
      await leader.kill();
      await publishUntilStored(js, 'mapek.symptoms.probe', 'after');
      await leader.restart();
      await cluster.waitUntilHealthy();
      const info = await (await jetstreamManager(cli)).streams.info(StreamName.events);
      expect(info.state.messages).toBe(2);
      expect(info.cluster?.replicas?.every((replica) => replica.current)).toBe(true);
    } finally {
      await monitor.close();
    }
  });
});

const noNamespaces = networkNamespacesUnavailable();
(noNamespaces === undefined ? describe : describe.skip)(
  'a three-member nats-server cluster, each member in a network namespace of its own',
  () => {
    let cluster: NatsCluster;

    beforeAll(async () => {
      cluster = await startNatsCluster({ namespaces: true });
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    it('goes on with the majority while the stream leader is partitioned, and the leader catches up once healed', async () => {
      const admin = await connect({ servers: cluster.url.split(',') });
      await (await jetstreamManager(admin)).streams.add({ name: 'PROBE', subjects: ['probe.>'], num_replicas: 3 });
      await admin.close();
      const leader = await leaderOf(cluster, 'PROBE');
      // A client of the majority only, so it never waits on the cut link.
      const majority = await connect({ servers: cluster.nodes.filter((node) => node !== leader).map((node) => node.url) });
      // No account check up front (it needs the meta leader, which the partition may have cut off
      // too), and time for each query while the cluster elects and settles; waitFor asks again
      // after a timed-out one.
      const jsm = await jetstreamManager(majority, { checkAPI: false, timeout: 10_000 });
      try {
        await leader.partition();
        await publishUntilStored(jetstream(majority), 'probe.a', 'during');
        const during = await waitFor(() => jsm.streams.info('PROBE'), {
          timeoutMs: 30_000,
          intervalMs: 200,
          what: 'PROBE on the majority',
        });
        expect(during.cluster?.leader).not.toBe(leader.name);
        await leader.heal();
        await cluster.waitUntilHealthy();
        // The old leader rejoins as a replica and reports itself current once it has caught up;
        // the message stored during the partition is still there, whoever leads now.
        let last: unknown;
        const after = await waitFor(
          async () => {
            const info = await jsm.streams.info('PROBE');
            last = { leader: info.cluster?.leader, replicas: info.cluster?.replicas, messages: info.state.messages };
            const caughtUp = info.cluster?.replicas?.find((replica) => replica.name === leader.name)?.current === true;
            return caughtUp && info.state.messages === 1 && info;
          },
          { timeoutMs: 30_000, intervalMs: 200, what: `${leader.name} to catch up with PROBE` },
        ).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
        });
        expect(after.state.messages).toBe(1);
      } finally {
        await majority.close();
      }
    });
  },
);
