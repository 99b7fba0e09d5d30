import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbeddedPostgres } from './embedded-postgres.js';
import { ManagedProcess, type OutputSink, type ProcessExit } from './managed-process.js';
import { readConfigurationFile, redactUrl } from '@mapek/config';
import { defaultPkiOptions, isIdentityName, rotateIdentity } from '@mapek/pki';
import { assertSupportedNatsServerBinary, createNatsServer, findNatsServer } from './nats-server.js';
import { provisionNats } from './nats-provisioner.js';
import { ProcessSupervisor } from './process-supervisor.js';
import { PortAllocator } from './port-allocator.js';
import { httpOkProbe, httpsOkProbe, waitForReady } from './readiness.js';
import {
  caFileOf,
  ensureStackApiKeys,
  ensureStackCredentials,
  identityConnectOptions,
  natsClientTls,
  natsServerList,
  type StackApiKeys,
} from './stack-credentials.js';
import type { NatsClientTls } from './nats-server.js';
import {
  DEFAULT_SERVICES,
  INFRASTRUCTURE_PORTS,
  InfrastructureName,
  LOOP_ALLOCATOR_ENV,
  READINESS_PATH,
  ServiceName,
  ServiceRole,
  bulkNiceness,
  type ServiceDefinition,
} from './service-catalog.js';
import { serviceEnvironment } from './service-environment.js';
import { createJaeger, findJaeger, type JaegerComponent } from './jaeger.js';
import type { StackComponent } from './stack-component.js';
import { StackComponentMissingError, ServiceNotBuiltError, StackStateError, UnknownProcessError } from './stack.errors.js';
import { STACK_DEFAULTS, StackSecurity, type StackOptions } from './stack.options.js';

/** What callers may see of a process of the stack. */
export interface StackProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly exit: ProcessExit | undefined;
  /** Environment it was started with (the stack's variables on top of the parent's). */
  readonly env: NodeJS.ProcessEnv;
  /** Its last output lines (up to 200), oldest first. */
  tail(count?: number): readonly string[];
}

/** A running mapek stack. */
export interface Stack {
  readonly natsUrl: string;
  /** Jaeger's UI and query API; throws {@link StackComponentMissingError} unless started with `traces`. */
  readonly jaegerUrl: string;
  /** Throws {@link StackComponentMissingError} when started `withoutDatabase`. */
  readonly databaseUrl: string;
  /** Connections the database accepts at once: 1 for the embedded PGlite, undefined for a real PostgreSQL. */
  readonly databaseMaxConnections: number | undefined;
  /** `https://localhost:<port>` of the gateway (`http://` with security off); throws when the stack has no gateway. */
  readonly gatewayUrl: string;
  /** Whether identities, signed events, mTLS and HTTPS are on. */
  readonly security: StackSecurity;
  /** `<dataDir>/certs` with security on. */
  readonly certsDir: string | undefined;
  /** The development CA (PEM file) to trust for the gateway's HTTPS, with security on. */
  readonly caFile: string | undefined;
  /** With security on the gateway needs API keys: the keys file and the `admin` key's token. */
  readonly apiKeys: StackApiKeys | undefined;
  /** nats.js TLS options to connect as one identity (default `cli`); undefined with security off. */
  natsTls(identity?: string): NatsClientTls | undefined;
  /**
   * nats.js connect options to act as one identity (default `cli`): servers, TLS with its
   * certificate, and its own inbox prefix (service identities may read replies only there).
   */
  natsConnectOptions(identity?: string): { servers: string[]; tls?: NatsClientTls; inboxPrefix?: string };
  /**
   * Rotates one identity's keys (`mapek pki rotate`): new ML-DSA-65 and X-Wing keys and
   * certificate, the old keys kept valid for `overlapHours`, a new CA-signed trust bundle that
   * running services pick up without a restart. Restart that identity's service to sign with the
   * new key. Throws with security off.
   */
  rotateIdentity(identity: string, overlapHours?: number): Promise<void>;
  /** `http://localhost:<port>` of the demo app; throws when the stack has no demo app. */
  readonly demoUrl: string;
  readonly dataDir: string;
  /** The configuration file every loop service reads, when the stack was given one. */
  readonly configFile: string | undefined;
  /** Every port the stack opened: `nats`, `natsMonitor`, `postgres` (when spawned) and one per service name. */
  readonly ports: Readonly<Record<string, number>>;
  /** Every process by name: the services, and `nats-server` / `pglite` when the stack spawned them. */
  readonly processes: Readonly<Record<string, StackProcess>>;
  /** `http://localhost:<port>` of any service by name. */
  serviceUrl(name: string): string;
  /**
   * Signals one process (SIGTERM: waits up to stopTimeoutMs, then SIGKILL) and resolves once it
   * exited. The supervisor leaves it stopped until {@link startService}.
   */
  stopService(name: string, signal?: NodeJS.Signals): Promise<ProcessExit>;
  /**
   * kill -9 one process behind the supervisor's back, as a crash would; resolves once it exited.
   * With supervision on, the supervisor restarts it.
   */
  crashService(name: string): Promise<ProcessExit>;
  /** How many times the supervisor restarted a process. */
  restarts(name: string): number;
  /** Starts a stopped process again with the same environment and port; resolves once it is ready. */
  startService(name: string): Promise<void>;
  /** Stops services (SIGTERM, then SIGKILL after stopTimeoutMs), then the demo app, PGlite, nats-server. Idempotent. */
  stop(): Promise<void>;
}

/** The repository root: this file lives in tools/stack/{src,dist}/. */
export function repositoryRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

interface Member {
  readonly component: StackComponent;
  /** Stop order: lower first. */
  readonly stage: number;
}

const Stage = { service: 0, demo: 1, database: 2, nats: 3, traces: 4 } as const;

function stdoutSink(line: string): void {
  process.stdout.write(`${line}\n`);
}

function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (!signal) return;
    const fail = (): void => reject(new StackStateError('the stack start was aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * What every phase of a start shares: where the stack lives, how its output is prefixed, the
 * ports it took, and the members started so far (so that a failure stops exactly those).
 */
class StackLaunch {
  readonly ports: Record<string, number> = {};
  readonly members = new Map<string, Member>();
  readonly supervisor: ProcessSupervisor;
  private readonly allocator = new PortAllocator();
  private readonly aborted: Promise<never>;
  private readonly width: number;

  constructor(
    readonly options: StackOptions,
    readonly rootDir: string,
    readonly dataDir: string,
    readonly security: StackSecurity,
    names: readonly string[],
    /** The niceness of the services that do bulk work (`bulkNiceness`), read once before anything starts. */
    readonly bulkNiceness: number,
  ) {
    this.width = Math.max(
      'stack'.length,
      ...[...names, InfrastructureName.natsServer, InfrastructureName.pglite].map((name) => name.length),
    );
    this.supervisor = new ProcessSupervisor(this.notice, options.restartPolicy);
    this.aborted = abortPromise(options.signal);
    this.aborted.catch(() => undefined);
    process.on('exit', this.killLeftovers);
  }

  get output(): OutputSink {
    return this.options.output === undefined ? stdoutSink : this.options.output;
  }

  get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? STACK_DEFAULTS.readyTimeoutMs;
  }

  get stopTimeoutMs(): number {
    return this.options.stopTimeoutMs ?? STACK_DEFAULTS.stopTimeoutMs;
  }

  get subjectPrefix(): string {
    return this.options.subjectPrefix ?? STACK_DEFAULTS.subjectPrefix;
  }

  prefixOf(name: string): string {
    return `${name.padEnd(this.width)} | `;
  }

  readonly notice = (message: string): void => this.output?.(`${this.prefixOf('stack')}${message}`);

  /** What the output of a process is written through: its prefix, the sink, its log file, the repository as its working directory. */
  outputOf(name: string): { name: string; prefix: string; output: OutputSink; cwd: string; logFile?: string } {
    const logFiles = this.options.logFiles ?? STACK_DEFAULTS.logFiles;
    return {
      name,
      prefix: this.prefixOf(name),
      output: this.output,
      cwd: this.rootDir,
      ...(logFiles ? { logFile: join(this.dataDir, 'logs', `${name}.log`) } : {}),
    };
  }

  /** The port asked for (`options.ports`), else any free one (`anyFreePort`), else the usual one; said when it moved. */
  async allocate(key: string, usual: number, what: string): Promise<number> {
    const preferred = this.options.ports?.[key] ?? (this.options.anyFreePort ? 0 : usual);
    const choice = await this.allocator.allocate(preferred);
    if (choice.moved) this.notice(`port ${choice.preferred} is taken; ${what} uses ${choice.port} instead`);
    this.ports[key] = choice.port;
    return choice.port;
  }

  /** Starts a member and waits until it is ready, or the start is aborted. */
  startMember(name: string, member: Member): Promise<void> {
    this.members.set(name, member);
    return Promise.race([member.component.start(this.readyTimeoutMs), this.aborted]);
  }

  /** Stops every member started, stage by stage. */
  readonly stopAll = async (): Promise<void> => {
    this.supervisor.stop();
    const members = [...this.members.values()];
    const stages = [...new Set(members.map((member) => member.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      const inStage = members.filter((member) => member.stage === stage);
      await Promise.all(inStage.map((member) => member.component.process.stop('SIGTERM', this.stopTimeoutMs)));
    }
  };

  /**
   * Last resort if the parent exits without stop(): children run in their own process groups
   * and would otherwise outlive it.
   */
  readonly killLeftovers = (): void => {
    for (const { component } of this.members.values()) {
      const pid = component.process.pid;
      if (pid === undefined || !component.process.running) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
}

/**
 * Starts the mapek stack as OS processes: NATS (spawned unless `natsUrl`), a database (embedded
 * PGlite unless `databaseUrl`), then every service at once, and resolves when all are ready.
 * On any failure it stops what it started and rejects with an error naming the process.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const rootDir = options.rootDir ?? repositoryRoot();
  const dataDir = resolve(options.dataDir ?? join(rootDir, 'data'));
  const services = options.services ?? DEFAULT_SERVICES;
  const niceness = bulkNiceness();
  const security: StackSecurity = options.security ?? (options.natsUrl !== undefined ? StackSecurity.off : StackSecurity.on);
  const configFile = await checkBeforeStart(services, rootDir, options.configFile);
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  const launch = new StackLaunch(
    options,
    rootDir,
    dataDir,
    security,
    services.map((service) => service.name),
    niceness,
  );
  try {
    const { natsUrl, certsDir } = options.natsUrl !== undefined ? await useNats(launch, options.natsUrl) : await startNats(launch);
    await provisionStreams(launch, natsUrl, certsDir);
    const database = await startDatabase(launch);
    const jaeger = options.traces ? await startTraces(launch) : undefined;
    const started = await startServices(launch, services, { natsUrl, certsDir, configFile, database, jaeger });
    const supervise = options.supervise ?? true;
    if (supervise) {
      for (const [name, member] of launch.members) launch.supervisor.watch(name, member.component, launch.readyTimeoutMs);
    }
    return buildStack({
      jaegerUrl: jaeger?.queryUrl,
      supervisor: launch.supervisor,
      supervise,
      natsUrl,
      databaseUrl: database.url,
      databaseMaxConnections: database.maxConnections,
      dataDir,
      configFile,
      ports: launch.ports,
      servicePorts: started.servicePorts,
      members: launch.members,
      readyTimeoutMs: launch.readyTimeoutMs,
      stopTimeoutMs: launch.stopTimeoutMs,
      stopAll: launch.stopAll,
      killLeftovers: launch.killLeftovers,
      security,
      certsDir,
      apiKeys: started.apiKeys,
      httpsServices: started.httpsServices,
    });
  } catch (error: unknown) {
    await launch.stopAll();
    process.off('exit', launch.killLeftovers);
    throw error;
  }
}

function entryOf(service: ServiceDefinition, rootDir: string): string {
  return isAbsolute(service.entry) ? service.entry : join(rootDir, service.entry);
}

/**
 * Refuses a start before anything runs: a service not built, two services of one name, a bad
 * configuration file (naming every problem, as each service would refuse it). Resolves to the
 * configuration file's absolute path, if any.
 */
async function checkBeforeStart(
  services: readonly ServiceDefinition[],
  rootDir: string,
  configFileOption: string | undefined,
): Promise<string | undefined> {
  const missing = services
    .filter((service) => !existsSync(entryOf(service, rootDir)))
    .map((service) => ({ name: service.name, entry: entryOf(service, rootDir) }));
  if (missing.length > 0) throw new ServiceNotBuiltError(missing);
  const names = services.map((service) => service.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new StackStateError(`two services are named "${duplicate}"`);
  const configFile = configFileOption === undefined ? undefined : resolve(configFileOption);
  if (configFile !== undefined) await readConfigurationFile(configFile);
  return configFile;
}

interface NatsInUse {
  readonly natsUrl: string;
  /** The stack's identities, with security on. */
  readonly certsDir: string | undefined;
}

/** An external NATS (`natsUrl`): with security on, the stack's credentials for it. */
async function useNats(launch: StackLaunch, natsUrl: string): Promise<NatsInUse> {
  launch.notice(`using NATS at ${natsUrl}`);
  if (launch.options.natsSyncInterval !== undefined)
    launch.notice(
      `natsSyncInterval ${launch.options.natsSyncInterval} is ignored: it applies to a nats-server the stack starts, set sync_interval in ${natsUrl}'s own config`,
    );
  if (launch.security !== StackSecurity.on) return { natsUrl, certsDir: undefined };
  // The external server (or every member of a cluster, NATS_URL listing several) must already
  // trust this CA and map its certificates (see tools/pki).
  const first = new URL(natsServerList(natsUrl)[0] ?? natsUrl);
  const credentials = await ensureStackCredentials({
    dataDir: launch.dataDir,
    natsPort: Number(first.port || 4222),
    subjectPrefix: launch.subjectPrefix,
  });
  return { natsUrl, certsDir: credentials.certsDir };
}

/** A nats-server of the stack's own, with JetStream (and, with security on, TLS and per-identity permissions). */
async function startNats(launch: StackLaunch): Promise<NatsInUse> {
  const { options, dataDir } = launch;
  const binary = options.natsServerBinary ?? (await findNatsServer());
  const version = await assertSupportedNatsServerBinary(binary);
  const port = await launch.allocate('nats', INFRASTRUCTURE_PORTS.nats, 'nats-server');
  const monitorPort = await launch.allocate('natsMonitor', INFRASTRUCTURE_PORTS.natsMonitor, 'the nats-server monitoring endpoint');
  let certsDir: string | undefined;
  let secured: { pkiConfig: string; tls: NatsClientTls } | undefined;
  if (launch.security === StackSecurity.on) {
    const credentials = await ensureStackCredentials({ dataDir, natsPort: port, subjectPrefix: launch.subjectPrefix });
    certsDir = credentials.certsDir;
    launch.notice(
      credentials.created
        ? `created development credentials in ${certsDir} (CA, one identity per service, trust bundle)`
        : `using development credentials in ${certsDir}`,
    );
    secured = { pkiConfig: credentials.natsConfig, tls: natsClientTls(certsDir, 'cli') };
  }
  const nats = await createNatsServer({
    ...(secured ?? {}),
    binary,
    port,
    monitorPort,
    dataDir,
    ...(options.natsSyncInterval !== undefined ? { syncInterval: options.natsSyncInterval } : {}),
    ...launch.outputOf(InfrastructureName.natsServer),
  });
  launch.notice(
    `NATS_URL is not set: starting ${binary} (${version}) with JetStream on ${nats.url} (data in ${join(dataDir, 'nats')}, fsync ${options.natsSyncInterval ?? 'every 2m (the default)'})${secured ? ', TLS with client certificates and per-identity permissions' : ''}`,
  );
  await launch.startMember(InfrastructureName.natsServer, { component: nats, stage: Stage.nats });
  return { natsUrl: nats.url, certsDir };
}

/** The streams and buckets, created by the administrator identity: the services' NATS users may only bind to them. */
async function provisionStreams(launch: StackLaunch, natsUrl: string, certsDir: string | undefined): Promise<void> {
  const provisioned = await provisionNats({
    natsUrl,
    prefix: launch.subjectPrefix,
    replicas: launch.options.streamReplicas ?? 1,
    ...(certsDir !== undefined ? { tls: natsClientTls(certsDir, 'cli') } : {}),
  });
  launch.notice(`provisioned NATS: streams ${provisioned.streams.join(', ')}; buckets ${provisioned.buckets.join(', ')}`);
}

interface DatabaseInUse {
  /** None when started `withoutDatabase`. */
  readonly url: string | undefined;
  /** 1 for the embedded PGlite; none for a real PostgreSQL. */
  readonly maxConnections: number | undefined;
}

/** PostgreSQL at `databaseUrl`, else an embedded PGlite of the stack's own (unless `withoutDatabase`). */
async function startDatabase(launch: StackLaunch): Promise<DatabaseInUse> {
  const { options } = launch;
  if (options.databaseUrl !== undefined) {
    launch.notice(`using PostgreSQL at ${redactUrl(options.databaseUrl)}`);
    return { url: options.databaseUrl, maxConnections: undefined };
  }
  if (options.withoutDatabase) return { url: undefined, maxConnections: undefined };
  const port = await launch.allocate('postgres', INFRASTRUCTURE_PORTS.postgres, 'PGlite');
  // Knowledge's database: at the bulk niceness beside knowledge (see bulkNiceness).
  const database = createEmbeddedPostgres({
    dataDir: launch.dataDir,
    port,
    niceness: launch.bulkNiceness,
    ...launch.outputOf(InfrastructureName.pglite),
  });
  launch.notice(
    `DATABASE_URL is not set: starting an embedded PGlite on ${database.url} (data in ${join(launch.dataDir, 'pglite')}, one connection at a time)`,
  );
  await launch.startMember(InfrastructureName.pglite, { component: database, stage: Stage.database });
  return { url: database.url, maxConnections: database.maxConnections };
}

/** The trace backend (`traces`): stopped last, so the services' last spans still reach it. */
async function startTraces(launch: StackLaunch): Promise<JaegerComponent> {
  const binary = launch.options.jaegerBinary ?? findJaeger();
  const jaeger = await createJaeger({
    binary,
    dataDir: launch.dataDir,
    otlpHttpPort: await launch.allocate('jaegerOtlp', INFRASTRUCTURE_PORTS.jaegerOtlp, 'the Jaeger OTLP receiver'),
    queryPort: await launch.allocate('jaeger', INFRASTRUCTURE_PORTS.jaeger, 'the Jaeger UI'),
    queryGrpcPort: await launch.allocate('jaegerGrpc', INFRASTRUCTURE_PORTS.jaegerGrpc, 'the Jaeger query gRPC API'),
    ...launch.outputOf(InfrastructureName.jaeger),
  });
  launch.notice(`--traces: starting ${binary} (OTLP/HTTP on ${jaeger.otlpEndpoint}, UI on ${jaeger.queryUrl}, in-memory)`);
  await launch.startMember(InfrastructureName.jaeger, { component: jaeger, stage: Stage.traces });
  return jaeger;
}

interface StartedServices {
  readonly servicePorts: ReadonlyMap<string, number>;
  readonly apiKeys: StackApiKeys | undefined;
  /** The services that answer over HTTPS (with security on). */
  readonly httpsServices: ReadonlySet<string>;
}

/** The services: ports first (the monitor needs the demo app's), then all at once, each ready when its readiness path answers. */
async function startServices(
  launch: StackLaunch,
  services: readonly ServiceDefinition[],
  infrastructure: NatsInUse & { configFile: string | undefined; database: DatabaseInUse; jaeger: JaegerComponent | undefined },
): Promise<StartedServices> {
  const { options, rootDir } = launch;
  const { certsDir, jaeger } = infrastructure;
  const tracingEnv: Record<string, string> = jaeger
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '500' }
    : {};
  const servicePorts = new Map<string, number>();
  for (const service of services) servicePorts.set(service.name, await launch.allocate(service.name, service.port, service.name));
  const demo = services.find((service) => service.role === ServiceRole.demo);
  const apiKeys = certsDir === undefined ? undefined : await ensureStackApiKeys(certsDir);
  if (apiKeys?.created) launch.notice(`created the gateway's admin API key (role admin): ${apiKeys.adminTokenFile}`);
  const context = {
    natsUrl: infrastructure.natsUrl,
    databaseUrl: infrastructure.database.url,
    databasePoolSize: infrastructure.database.maxConnections,
    subjectPrefix: launch.subjectPrefix,
    streamReplicas: options.streamReplicas ?? 1,
    logLevel: options.logLevel ?? STACK_DEFAULTS.logLevel,
    scrapeIntervalMs: options.scrapeIntervalMs ?? STACK_DEFAULTS.scrapeIntervalMs,
    configFile: infrastructure.configFile,
    demo: demo ? { name: demo.name, port: servicePorts.get(demo.name) ?? 0 } : undefined,
    identityDir: certsDir,
    apiKeysFile: apiKeys?.keysFile,
  };
  const ca = certsDir === undefined ? undefined : readFileSync(caFileOf(certsDir), 'utf8');
  await Promise.all(
    services.map((service) => {
      const port = servicePorts.get(service.name) ?? 0;
      // The allocator settings of the loop services, unless the parent's environment sets its own.
      const allocator = service.role === ServiceRole.loop ? LOOP_ALLOCATOR_ENV : {};
      const env = {
        ...allocator,
        ...process.env,
        ...tracingEnv,
        ...serviceEnvironment(service, port, context),
        ...options.serviceEnv?.[service.name],
      };
      const serviceProcess = new ManagedProcess({
        command: process.execPath,
        args: [...(service.nodeArgs ?? []), entryOf(service, rootDir)],
        env,
        ...(service.bulk ? { niceness: launch.bulkNiceness } : {}),
        ...launch.outputOf(service.name),
      });
      const path = service.readinessPath ?? READINESS_PATH[service.role];
      const readinessUrl = service.https && ca !== undefined ? `https://localhost:${port}${path}` : `http://127.0.0.1:${port}${path}`;
      const probe = service.https && ca !== undefined ? httpsOkProbe(readinessUrl, ca) : httpOkProbe(readinessUrl);
      const component: StackComponent = {
        process: serviceProcess,
        start: async (timeoutMs) => {
          serviceProcess.start();
          await waitForReady(serviceProcess, probe, { timeoutMs, intervalMs: 200, waitingFor: `GET ${readinessUrl} answering 200` });
        },
      };
      return launch.startMember(service.name, { component, stage: service.role === ServiceRole.demo ? Stage.demo : Stage.service });
    }),
  );
  const httpsServices = new Set(ca === undefined ? [] : services.filter((service) => service.https).map((service) => service.name));
  return { servicePorts, apiKeys, httpsServices };
}

interface StackParts {
  readonly configFile: string | undefined;
  readonly jaegerUrl: string | undefined;
  readonly supervisor: ProcessSupervisor;
  readonly supervise: boolean;
  readonly natsUrl: string;
  readonly databaseUrl: string | undefined;
  readonly databaseMaxConnections: number | undefined;
  readonly dataDir: string;
  readonly ports: Record<string, number>;
  readonly servicePorts: ReadonlyMap<string, number>;
  readonly members: ReadonlyMap<string, Member>;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly stopAll: () => Promise<void>;
  readonly killLeftovers: () => void;
  readonly security: StackSecurity;
  readonly certsDir: string | undefined;
  readonly apiKeys: StackApiKeys | undefined;
  readonly httpsServices: ReadonlySet<string>;
}

function buildStack(parts: StackParts): Stack {
  const { members, servicePorts } = parts;
  const urlOf = (name: string, what: string): string => {
    const port = servicePorts.get(name);
    if (port === undefined) throw new StackComponentMissingError(what);
    return `${parts.httpsServices.has(name) ? 'https' : 'http'}://localhost:${port}`;
  };
  const memberOf = (name: string): Member => {
    const member = members.get(name);
    if (!member) throw new UnknownProcessError(name, [...members.keys()]);
    return member;
  };
  const processes: Record<string, StackProcess> = {};
  for (const [name, member] of members) processes[name] = member.component.process;
  let stopping: Promise<void> | undefined;

  return {
    natsUrl: parts.natsUrl,
    get jaegerUrl(): string {
      if (parts.jaegerUrl === undefined) throw new StackComponentMissingError('traces (Jaeger)');
      return parts.jaegerUrl;
    },
    get databaseUrl(): string {
      if (parts.databaseUrl === undefined) throw new StackComponentMissingError('a database');
      return parts.databaseUrl;
    },
    databaseMaxConnections: parts.databaseMaxConnections,
    get gatewayUrl(): string {
      return urlOf(ServiceName.gateway, 'the gateway');
    },
    get demoUrl(): string {
      const demo = [...members.entries()].find(([, member]) => member.stage === Stage.demo);
      return urlOf(demo?.[0] ?? ServiceName.demoApp, 'the demo app');
    },
    dataDir: parts.dataDir,
    configFile: parts.configFile,
    security: parts.security,
    certsDir: parts.certsDir,
    caFile: parts.certsDir === undefined ? undefined : caFileOf(parts.certsDir),
    apiKeys: parts.apiKeys,
    natsTls: (identity = 'cli') => (parts.certsDir === undefined ? undefined : natsClientTls(parts.certsDir, identity)),
    rotateIdentity: async (identity, overlapHours = 1) => {
      if (parts.certsDir === undefined) throw new StackStateError('the stack runs without security: there are no identities to rotate');
      if (!isIdentityName(identity)) throw new StackStateError(`no identity named "${identity}"`);
      await rotateIdentity({ ...defaultPkiOptions, out: parts.certsDir }, identity, overlapHours);
    },
    natsConnectOptions: (identity = 'cli') => identityConnectOptions(parts.natsUrl, parts.certsDir, identity),
    ports: parts.ports,
    processes,
    serviceUrl: (name) => urlOf(name, name),
    stopService: (name, signal = 'SIGTERM') => {
      const { component } = memberOf(name);
      parts.supervisor.hold(name);
      return component.process.stop(signal, parts.stopTimeoutMs);
    },
    crashService: (name) => memberOf(name).component.process.stop('SIGKILL'),
    restarts: (name) => parts.supervisor.restarts(name),
    startService: async (name) => {
      if (stopping) throw new StackStateError('the stack is stopping');
      const { component } = memberOf(name);
      if (component.process.running) throw new StackStateError(`${name} is already running (pid ${component.process.pid ?? '?'})`);
      parts.supervisor.hold(name);
      await component.start(parts.readyTimeoutMs);
      if (parts.supervise) parts.supervisor.watch(name, component, parts.readyTimeoutMs);
    },
    stop: () => {
      stopping ??= parts.stopAll().finally(() => process.off('exit', parts.killLeftovers));
      return stopping;
    },
  };
}
