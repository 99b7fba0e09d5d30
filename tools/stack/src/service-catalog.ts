import { ServiceName as ContractServiceName } from '@mapek/contracts';
import { StackUsageError } from './stack.errors.js';

/** How a process takes part in the stack: a MAPE-K service, or the managed demo application. */
export const ServiceRole = {
  /** Reads MAPEK_HTTP_PORT / MAPEK_HTTP_HOST; ready when GET /health/ready answers 200. */
  loop: 'loop',
  /** Reads PORT; ready when GET /health answers 200; the monitor scrapes it. */
  demo: 'demo',
} as const;
export type ServiceRole = (typeof ServiceRole)[keyof typeof ServiceRole];

/** The processes the stack runs: the six loop services (their names from the contracts) and the demo app. */
export const ServiceName = {
  ...(({ agent: _agent, ...loopServices }) => loopServices)(ContractServiceName),
  demoApp: 'demo-app',
} as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];

/** The six MAPE-K services. */
export type LoopServiceName = Exclude<ServiceName, typeof ServiceName.demoApp>;

/** Names of the infrastructure processes the stack may spawn itself. */
export const InfrastructureName = {
  natsServer: 'nats-server',
  pglite: 'pglite',
  jaeger: 'jaeger',
} as const;
export type InfrastructureName = (typeof InfrastructureName)[keyof typeof InfrastructureName];

/** A Node process of the stack. */
export interface ServiceDefinition {
  /** Shown before its output lines; used by stopService/startService and for `ports`. */
  readonly name: string;
  /** Script run with `node`, relative to the repository root or absolute. */
  readonly entry: string;
  /** Flags for node before the script (the demo app runs with --expose-gc). */
  readonly nodeArgs?: readonly string[];
  /** Port tried first; a free one is chosen when it is taken. 0: any free port. */
  readonly port: number;
  readonly role: ServiceRole;
  /** Readiness URL path; /health/ready for loop services, /health for the demo app. */
  readonly readinessPath?: string;
  /** Serves HTTPS when the stack runs with security on (the gateway). */
  readonly https?: boolean;
  /**
   * Another replica of this service (a {@link ServiceName}): the process gets that service's
   * identity and environment, so it shares its durable consumers and KV buckets. Default: the
   * process is the service of its own name.
   */
  readonly replicaOf?: string;
  /**
   * Does work that an incident's remedy does not wait for (scrapes after their symptoms are out,
   * records, reads and pushes): runs at the bulk niceness (see {@link bulkNiceness}).
   */
  readonly bulk?: boolean;
}

/** The service a process of the stack runs: its `replicaOf`, else its own name. */
export function serviceOf(service: Pick<ServiceDefinition, 'name' | 'replicaOf'>): string {
  return service.replicaOf ?? service.name;
}

/**
 * One more replica of a service of the stack, under another name and on any free port (e.g.
 * `analyzer-2`): the same program, identity and durables. Its extra environment is
 * `serviceEnv[name]`, not the original's.
 */
export function serviceReplica(service: ServiceDefinition, name: string): ServiceDefinition {
  return { ...service, name, port: 0, replicaOf: serviceOf(service) };
}

export const READINESS_PATH = {
  [ServiceRole.loop]: '/health/ready',
  [ServiceRole.demo]: '/health',
} as const satisfies Record<ServiceRole, string>;

/**
 * V8 flags for the loop services (ADR 0013): every compiler on, and the young generation capped
 * at 1 MB semi-spaces. The interpreter-only flags used before (`--no-opt --no-maglev
 * --no-sparkplug`) saved ~10–30 MB per service but made JavaScript several times slower: at a
 * few hundred targets the monitor could not answer its own health probe (docs/reports/load.md).
 * The container images set the same flags (the Dockerfile's `loop-service` stage and the monitor
 * and analyzer stages; a spec checks both agree). `MAPEK_SERVICE_NODE_ARGS` (space separated;
 * empty for none) overrides them for every service of `./mapek start`.
 */
export const DEFAULT_LOOP_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * The monitor and the analyzer handle every target every second (ADR 0016). With 1 MB
 * semi-spaces most of a batch outlived the young generation, and V8 let the old generation grow
 * to four times what survived a full collection before the next one (~50 MB alive, ~190 MB
 * heap): 8 MB semi-spaces let a batch die young, and the old generation grows by half of what is
 * alive, not fourfold.
 */
export const BUSY_LOOP_NODE_ARGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=50'];

/** Each loop service's own V8 flags, when MAPEK_SERVICE_NODE_ARGS does not set them all. */
export const LOOP_NODE_ARGS_BY_SERVICE: Readonly<Record<LoopServiceName, readonly string[]>> = {
  [ContractServiceName.monitor]: BUSY_LOOP_NODE_ARGS,
  [ContractServiceName.analyzer]: BUSY_LOOP_NODE_ARGS,
  [ContractServiceName.planner]: DEFAULT_LOOP_NODE_ARGS,
  [ContractServiceName.executor]: DEFAULT_LOOP_NODE_ARGS,
  [ContractServiceName.knowledge]: DEFAULT_LOOP_NODE_ARGS,
  [ContractServiceName.gateway]: DEFAULT_LOOP_NODE_ARGS,
};

const overridden = process.env['MAPEK_SERVICE_NODE_ARGS']?.split(' ').filter(Boolean);

/** The flags `./mapek start` runs a loop service with: MAPEK_SERVICE_NODE_ARGS, else its own. */
export function loopNodeArgs(service: LoopServiceName): readonly string[] {
  return overridden ?? LOOP_NODE_ARGS_BY_SERVICE[service];
}

/**
 * glibc's allocator for the loop services (ADR 0016): two arenas instead of eight per core, and
 * fixed mmap and trim thresholds, so that the buffers of a sample batch (a few hundred KB) are
 * mapped and returned to the system when freed instead of staying in a fragmented heap. Set
 * unless the parent's environment sets them; the images set the same.
 */
export const LOOP_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '1048576',
};

/**
 * The niceness of the processes whose work an incident's remedy does not wait for: 10, so that on
 * a busy machine the analyzer, the planner, the executor and nats-server get a core first when an
 * incident needs them. They are the monitor (it scrapes every target every second; its symptoms
 * go out first), knowledge (it records every event; the planner reads its statistics from a
 * cache), the gateway (reads and pushes for people) and the embedded PGlite. Lowering knowledge,
 * the gateway and PGlite beside the monitor took violation → remedy step from p50 35–39 / p99
 * 71–81 ms to p50 25–29 / p99 59–75 ms at 1,000 targets (docs/reports/load.md §17). The analyzer
 * is not lowered: a symptom is analysed in the process that scores the samples, and at niceness 10
 * its analyses waited behind the other services (violation → analysis p50 24–26 ms against 12–22,
 * §16); its own LoopFirst puts a symptom before its samples. `MAPEK_BULK_NICENESS` (0–19; 0 for
 * none) sets it, on each process and its autogroup (see lowerPriority). The compose file gives the
 * same services a smaller CPU weight.
 */
export function bulkNiceness(text: string | undefined = process.env['MAPEK_BULK_NICENESS']): number {
  if (text === undefined || text.trim() === '') return 10;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 19)
    throw new StackUsageError(`MAPEK_BULK_NICENESS must be an integer from 0 to 19 (0: no lower priority), got ${JSON.stringify(text)}`);
  return value;
}

/** The whole mapek stack: the six MAPE-K services and the demo app they manage. */
export const DEFAULT_SERVICES: readonly ServiceDefinition[] = [
  { name: ServiceName.demoApp, entry: 'examples/demo-app/dist/main.js', nodeArgs: ['--expose-gc'], port: 8000, role: ServiceRole.demo },
  {
    name: ServiceName.knowledge,
    entry: 'services/knowledge/dist/main.bundle.mjs',
    nodeArgs: loopNodeArgs(ServiceName.knowledge),
    port: 9105,
    role: ServiceRole.loop,
    bulk: true,
  },
  {
    name: ServiceName.monitor,
    entry: 'services/monitor/dist/main.bundle.mjs',
    nodeArgs: loopNodeArgs(ServiceName.monitor),
    port: 9101,
    role: ServiceRole.loop,
    bulk: true,
  },
  {
    name: ServiceName.analyzer,
    entry: 'services/analyzer/dist/main.bundle.mjs',
    nodeArgs: loopNodeArgs(ServiceName.analyzer),
    port: 9102,
    role: ServiceRole.loop,
  },
  {
    name: ServiceName.planner,
    entry: 'services/planner/dist/main.bundle.mjs',
    nodeArgs: loopNodeArgs(ServiceName.planner),
    port: 9103,
    role: ServiceRole.loop,
  },
  {
    name: ServiceName.executor,
    entry: 'services/executor/dist/main.bundle.mjs',
    nodeArgs: loopNodeArgs(ServiceName.executor),
    port: 9104,
    role: ServiceRole.loop,
  },
  {
    name: ServiceName.gateway,
    entry: 'services/gateway/dist/main.bundle.mjs',
    nodeArgs: loopNodeArgs(ServiceName.gateway),
    port: 8080,
    role: ServiceRole.loop,
    https: true,
    bulk: true,
  },
];

/** Usual ports of the infrastructure the stack spawns. */
export const INFRASTRUCTURE_PORTS = {
  nats: 4222,
  natsMonitor: 8222,
  postgres: 5432,
  /** Jaeger's usual ports: OTLP/HTTP receiver, UI and query API, query gRPC API (`--traces` only). */
  jaegerOtlp: 4318,
  jaeger: 16686,
  jaegerGrpc: 16685,
} as const;
