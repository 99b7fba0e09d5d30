import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { findNatsServer } from './nats-server.process.js';
import { createIsolatedNetwork, type IsolatedNetwork, type NamespacedHost } from './network-namespace.js';
import { waitFor } from './wait-for.js';

/** Where one member of a {@link NatsCluster} listens and keeps its store. */
export interface NatsClusterMember {
  /** Its `server_name` (`n1`, `n2`, …), unique in the cluster. */
  readonly name: string;
  /** The address clients and the other members dial. */
  readonly host: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /** HTTP monitoring (`/healthz`, `/jsz`), on the same address. */
  readonly monitorPort: number;
  /** `nats://host:clientPort`. */
  readonly url: string;
  /** `nats-route://host:clusterPort`. */
  readonly routeUrl: string;
  /** Its JetStream store, kept across kill and restart. */
  readonly storeDir: string;
}

export interface NatsClusterLayout {
  /** The cluster's name (`cluster.name`). */
  readonly name: string;
  readonly members: readonly NatsClusterMember[];
}

/** A running member. */
export interface NatsClusterNode extends NatsClusterMember {
  /** The network namespace it runs in, when the cluster was started with namespaces. */
  readonly namespace: string | undefined;
  readonly running: boolean;
  /** Whether it is cut off by {@link partition} (and not healed yet). */
  readonly partitioned: boolean;
  readonly pid: number | undefined;
  /** kill -9 (or another signal), keeping its store; resolves once it exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same config and store; resolves once `/healthz` says its JetStream is current. */
  restart(): Promise<void>;
  /**
   * Cuts it off the other members and from the clients (its veth link down): the cluster goes on
   * with the majority, and TCP connections to it stall until {@link heal}. Needs namespaces.
   */
  partition(): Promise<void>;
  /** Brings its link up again. */
  heal(): Promise<void>;
  /** Its last output lines. */
  tail(): string;
}

export interface NatsCluster {
  readonly name: string;
  readonly nodes: readonly NatsClusterNode[];
  /** Every member's client URL separated by commas, as NATS_URL takes a cluster. */
  readonly url: string;
  /** The member that leads a stream's replicas (as `/jsz` of the first running member that is not partitioned reports it). */
  streamLeader(stream: string): Promise<NatsClusterNode | undefined>;
  /** The member that leads JetStream's meta group. */
  metaLeader(): Promise<NatsClusterNode | undefined>;
  /** Resolves once every running member's `/healthz` answers 200 (JetStream current there). */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every member, removes the stores and the namespaces. */
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  /** Members; default 3. */
  readonly size?: number;
  /** Cluster name; default `mapek`. */
  readonly name?: string;
  /**
   * Each member in a network namespace of its own on a bridge (root and iproute2), so one can be
   * partitioned; otherwise all listen on 127.0.0.1 on free ports. Default false.
   */
  readonly namespaces?: boolean;
  /**
   * The whole config file of a member. Address and ports are also given on the command line
   * (`-a -p -m -n`), so the config needs the `cluster` block, JetStream and whatever else the
   * test wants (TLS, authorization). Default: {@link plainClusterConfig}.
   */
  readonly config?: (member: NatsClusterMember, layout: NatsClusterLayout) => string | Promise<string>;
  /** How long the cluster may take to become healthy; default 60 s. */
  readonly readyTimeoutMs?: number;
}

/** A member's config without TLS or authorization: routes to every member, JetStream in its store. */
export function plainClusterConfig(member: NatsClusterMember, layout: NatsClusterLayout): string {
  return [
    `server_name: ${JSON.stringify(member.name)}`,
    `jetstream { store_dir: ${JSON.stringify(member.storeDir)} }`,
    'cluster {',
    `  name: ${JSON.stringify(layout.name)}`,
    `  listen: ${JSON.stringify(`${member.host}:${member.clusterPort}`)}`,
    '  no_advertise: true',
    `  routes: [${layout.members.map((other) => JSON.stringify(other.routeUrl)).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function healthy(member: NatsClusterMember, query = ''): Promise<boolean> {
  const response = await fetch(`http://${member.host}:${member.monitorPort}/healthz${query}`, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  return response.ok;
}

interface JszStreams {
  readonly meta_cluster?: { readonly leader?: string };
  readonly account_details?: ReadonlyArray<{
    readonly stream_detail?: ReadonlyArray<{ readonly name: string; readonly cluster?: { readonly leader?: string } }>;
  }>;
}

/**
 * Starts a nats-server cluster with JetStream (`size` members, each its own store and config),
 * and resolves once every member reports its JetStream current. Members run as the test's own
 * processes, so a test can kill -9, restart and (with namespaces) partition each one.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsClusterOnce(options);
    } catch (error) {
      // Free ports are picked before the members bind them, and another process (a test running
      // beside this one) may take one meanwhile: then the cluster starts again on other ports.
      const taken = /address already in use/.test(error instanceof Error ? error.message : String(error));
      if (options.namespaces || !taken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/** How often a cluster is started again on other ports when one was taken before a member bound it. */
const PORT_ATTEMPTS = 3;

async function startNatsClusterOnce(options: NatsClusterOptions): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const binary = findNatsServer();
  const root = await mkdtemp(join(tmpdir(), 'mapek-nats-cluster-'));
  let network: IsolatedNetwork | undefined;
  const nodes: Array<NatsClusterNode & { start(healthQuery: string): Promise<void> }> = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.filter((node) => node.running).map((node) => node.kill('SIGTERM')));
    await network?.remove();
    await rm(root, { recursive: true, force: true });
  };
  try {
    network = options.namespaces ? await createIsolatedNetwork(size) : undefined;
    const members: NatsClusterMember[] = [];
    for (let index = 0; index < size; index++) {
      const host = network?.hosts[index]?.address ?? '127.0.0.1';
      // In a namespace of its own every member may use the usual ports.
      const [clientPort, clusterPort, monitorPort] = network ? [4222, 6222, 8222] : [await freePort(), await freePort(), await freePort()];
      const name = `n${index + 1}`;
      const storeDir = join(root, name, 'jetstream');
      await mkdir(storeDir, { recursive: true });
      members.push({
        name,
        host,
        clientPort,
        clusterPort,
        monitorPort,
        url: `nats://${host}:${clientPort}`,
        routeUrl: `nats-route://${host}:${clusterPort}`,
        storeDir,
      });
    }
    const layout: NatsClusterLayout = { name: options.name ?? 'mapek', members };
    for (const [index, member] of members.entries()) {
      const configFile = join(root, member.name, 'nats-server.conf');
      await writeFile(configFile, await (options.config ?? plainClusterConfig)(member, layout));
      nodes.push(clusterNode(binary, member, configFile, join(root, member.name, 'nats-server.log'), network?.hosts[index]));
    }
    // Members start together: JetStream elects its meta leader once a majority has met, so a
    // member alone only waits for JetStream to be enabled, then all wait until it is current.
    await Promise.all(nodes.map((node) => node.start('?js-enabled-only=true')));
    await waitFor(async () => (await Promise.all(nodes.map((node) => healthy(node)))).every(Boolean), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 200,
      what: 'the NATS cluster to elect its JetStream meta leader',
    });
  } catch (error) {
    await stopAll();
    throw error;
  }

  const byName = (name: string | undefined): NatsClusterNode | undefined => nodes.find((node) => node.name === name);
  const jsz = async (): Promise<JszStreams> => {
    let last: unknown = new Error('no member is running');
    for (const node of nodes.filter((candidate) => candidate.running && !candidate.partitioned)) {
      try {
        const response = await fetch(`http://${node.host}:${node.monitorPort}/jsz?accounts=true&streams=true`, {
          signal: AbortSignal.timeout(2000),
        });
        if (response.ok) return (await response.json()) as JszStreams;
        last = new Error(`/jsz of ${node.name} answered ${response.status}`);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  };
  let stopping: Promise<void> | undefined;
  return {
    name: options.name ?? 'mapek',
    nodes,
    url: nodes.map((node) => node.url).join(','),
    async streamLeader(stream) {
      const report = await jsz();
      const streams = (report.account_details ?? []).flatMap((account) => account.stream_detail ?? []);
      return byName(streams.find((candidate) => candidate.name === stream)?.cluster?.leader);
    },
    async metaLeader() {
      return byName((await jsz()).meta_cluster?.leader);
    },
    async waitUntilHealthy(timeoutMs = readyTimeoutMs) {
      await waitFor(async () => (await Promise.all(nodes.filter((node) => node.running).map((node) => healthy(node)))).every(Boolean), {
        timeoutMs,
        intervalMs: 200,
        what: 'every running member of the NATS cluster to report JetStream current',
      });
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };

  function clusterNode(
    program: string,
    member: NatsClusterMember,
    configFile: string,
    logFile: string,
    host: NamespacedHost | undefined,
  ): NatsClusterNode & { start(healthQuery: string): Promise<void> } {
    let child: ChildProcess | undefined;
    let log: WriteStream | undefined;
    let output = '';
    const args = [
      '-c',
      configFile,
      '-a',
      member.host,
      '-p',
      String(member.clientPort),
      '-m',
      String(member.monitorPort),
      '-n',
      member.name,
    ];
    const requireNamespace = (): NamespacedHost => {
      if (!host)
        throw new Error(`${member.name} runs in the test's own network namespace: start the cluster with namespaces to partition it`);
      return host;
    };
    const node: NatsClusterNode & { start(healthQuery: string): Promise<void> } = {
      ...member,
      namespace: host?.namespace,
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      get partitioned() {
        return host !== undefined && !host.connected;
      },
      get pid() {
        return child?.pid;
      },
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (!child || !node.running) return;
        const done = exited(child);
        child.kill(signal);
        await done;
      },
      restart: () => launch(''),
      async partition() {
        await requireNamespace().disconnect();
      },
      async heal() {
        await requireNamespace().reconnect();
      },
      tail: () => output,
      start: (healthQuery) => launch(healthQuery),
    };
    const launch = async (healthQuery: string): Promise<void> => {
      if (node.running) throw new Error(`${member.name} is already running (pid ${child?.pid ?? '?'})`);
      log ??= createWriteStream(logFile, { flags: 'a' });
      output = '';
      // `ip netns exec` enters the namespace and execs the server: the pid is the server's.
      child = host
        ? spawn('ip', ['netns', 'exec', host.namespace, program, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
        : spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const started = child;
      started.stderr?.on('data', (chunk: Buffer) => {
        log?.write(chunk);
        output = (output + chunk.toString()).slice(-8000);
      });
      try {
        const ready = waitFor(() => healthy(member, healthQuery), {
          timeoutMs: readyTimeoutMs,
          intervalMs: 100,
          what: `${member.name} to answer /healthz${healthQuery}`,
        });
        const died = exited(started).then(() => {
          throw new Error(`${member.name} exited (${started.exitCode ?? started.signalCode ?? '?'}) before it was ready`);
        });
        await Promise.race([ready, died]);
        died.catch(() => undefined);
      } catch (error) {
        if (node.running) await node.kill();
        throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
      }
    };
    return node;
  }
}
