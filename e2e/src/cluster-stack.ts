import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clusterMemberNatsConfig,
  DEFAULT_SERVICES,
  ServiceRole,
  serviceOf,
  serviceReplica,
  startStack,
  StackSecurity,
  type ServiceDefinition,
  type Stack,
  type StackOptions,
} from '@mapek/stack';
import {
  createTestDatabase,
  startNatsCluster,
  startPostgresServer,
  waitFor,
  type NatsCluster,
  type PostgresServerProcess,
} from '@mapek/testing';
import { LoopClient } from './loop-client.js';

/** The MAPE-K services the chaos suites kill (the gateway only serves the API). */
export const LOOP_SERVICES = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge'] as const;
export type LoopService = (typeof LOOP_SERVICES)[number];

/** The name of the second replica of a service in {@link startClusterStack}'s stack. */
export const secondReplicaOf = (service: LoopService): string => `${service}-2`;

export interface ClusterStack {
  readonly cluster: NatsCluster;
  /** A PostgreSQL of the test's own, which it may kill and restart. */
  readonly database: PostgresServerProcess;
  readonly stack: Stack;
  readonly loop: LoopClient;
  /** Resolves once every NATS member is healthy and every loop service but `except` (stopped on purpose) runs and is ready. */
  waitUntilSettled(timeoutMs?: number, except?: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterStackOptions {
  /** Extra environment by service; a second replica gets its service's too. */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Also run a second replica (`<service>-2`) of every loop service. Default false. */
  readonly secondReplicas?: boolean;
  /** Each NATS member in a network namespace of its own, so one can be partitioned. Default true. */
  readonly namespaces?: boolean;
  readonly stackOptions?: Partial<StackOptions>;
}

/**
 * The whole stack as OS processes against a three-member nats-server cluster with mutual TLS
 * (clients and routes, the stack's own development CA) and every stream and bucket at R3, and a
 * PostgreSQL of its own: the production shape of DESIGN.md §6, on one machine.
 */
export async function startClusterStack(name: string, options: ClusterStackOptions = {}): Promise<ClusterStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `mapek-e2e-${name}-`));
  const cleanUps: Array<() => Promise<unknown>> = [() => rm(dataDir, { recursive: true, force: true })];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanUps.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const database = await startPostgresServer();
    cleanUps.push(() => database.stop());
    const cluster = await startNatsCluster({
      namespaces: options.namespaces ?? true,
      // The stack's credentials are made here first, with every member's address on the server certificate.
      config: (member, layout) => clusterMemberNatsConfig({ dataDir, clusterName: layout.name, member, members: layout.members }),
    });
    cleanUps.push(() => cluster.stop());
    const testDatabase = await createTestDatabase(`mapek_e2e_${name}`, database.adminUrl);
    const replicas = options.secondReplicas
      ? DEFAULT_SERVICES.filter((service) => (LOOP_SERVICES as readonly string[]).includes(service.name)).map((service) =>
          serviceReplica(service, secondReplicaOf(service.name as LoopService)),
        )
      : [];
    const services: ServiceDefinition[] = [...DEFAULT_SERVICES, ...replicas];
    const serviceEnv: Record<string, Readonly<Record<string, string>>> = {};
    for (const service of services) {
      const own = options.serviceEnv?.[serviceOf(service)];
      if (own) serviceEnv[service.name] = own;
    }
    const stack = await startStack({
      dataDir,
      natsUrl: cluster.url,
      security: StackSecurity.on,
      streamReplicas: 3,
      databaseUrl: testDatabase.url,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      services,
      serviceEnv,
      // Many kills in a row: restart soon after each, as a crash loop is not what is tested.
      restartPolicy: { initialMs: 200, maxMs: 1000, stableAfterMs: 5000 },
      ...options.stackOptions,
    });
    cleanUps.push(() => stack.stop());
    const loop = new LoopClient(stack.gatewayUrl, stack.demoUrl, stack.caFile, stack.apiKeys?.adminToken);
    const loopServices = services.filter((service) => service.role === ServiceRole.loop).map((service) => service.name);
    return {
      cluster,
      database,
      stack,
      loop,
      async waitUntilSettled(timeoutMs = 60_000, except: readonly string[] = []) {
        await cluster.waitUntilHealthy(timeoutMs);
        await waitFor(
          async () => {
            for (const service of loopServices.filter((candidate) => !except.includes(candidate))) {
              if (!stack.processes[service]?.running) return false;
              // The gateway serves HTTPS and needs the development CA: the loop client reaches it anyway.
              if (service === 'gateway') continue;
              const response = await fetch(`${stack.serviceUrl(service)}/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(
                () => undefined,
              );
              await response?.body?.cancel();
              if (!response?.ok) return false;
            }
            return true;
          },
          { timeoutMs, intervalMs: 200, what: 'every loop service to be ready' },
        );
      },
      async stop() {
        if (process.env['MAPEK_E2E_KEEP_DATA']) cleanUps.shift();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
