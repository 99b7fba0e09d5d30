import 'reflect-metadata';
import { hostname } from 'node:os';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, commonConfig, loadConfig, type ConfigSpec, type ConfigValues } from '@mapek/config';
import { inboxPrefixOf, type ServiceName } from '@mapek/contracts';
import { MessagingModule, MessagingRuntime, TopologyError, type ConsumerSettings, type EnvelopeSigner } from '@mapek/messaging';
import {
  HealthRegistry,
  ObservabilityModule,
  ServiceMetrics,
  createLogger,
  startTracing,
  tracingSettingsOf,
  type Logger,
  type Tracing,
} from '@mapek/observability';
import { traceHttpRequests } from './http-tracing.js';
import { SecurityNotReadyError, loadServiceSecurity, type ServiceSecurity } from './service-security.js';

type CommonSpec = ReturnType<typeof commonConfig>;

export interface ServiceContext<T extends ConfigSpec> {
  readonly service: ServiceName;
  readonly instance: string;
  readonly config: ConfigValues<CommonSpec & T>;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly health: HealthRegistry;
  readonly runtime: MessagingRuntime;
  /** The loaded identity (signing, sealing, TLS); undefined in development without MAPEK_IDENTITY_DIR. */
  readonly security: ServiceSecurity | undefined;
}

export interface StartServiceOptions<T extends ConfigSpec> {
  readonly service: ServiceName;
  readonly defaultPort: number;
  /** The service's own settings; names under `ownedPrefix` that are not declared are rejected. */
  readonly config: T;
  readonly ownedPrefix: string;
  /** Rules across settings that a schema per variable cannot say; each problem refuses the start (exit 78) before anything connects. */
  readonly validate?: (config: ConfigValues<CommonSpec & T>) => readonly string[];
  readonly consumers?: (context: ServiceContext<T>) => ConsumerSettings[];
  /** The service's Nest module, built once config, logger, metrics and NATS are ready. */
  readonly module: (context: ServiceContext<T>) => DynamicModule | Promise<DynamicModule>;
  readonly configure?: (app: NestFastifyApplication, context: ServiceContext<T>) => Promise<void> | void;
  /** Overrides the signer derived from the identity (tests). */
  readonly signer?: EnvelopeSigner;
  /** Serve HTTPS with `<identity>/https.crt` when an identity is configured (the gateway). */
  readonly https?: boolean;
  /** The gateway serves its own /health; the others take the shared controllers. */
  readonly healthControllers?: boolean;
  /** Largest request body, from the service's parsed config (default 1 MiB). */
  readonly bodyLimitBytes?: (config: ConfigValues<CommonSpec & T>) => number;
}

/** The sysexits(3) codes a refused start ends with: 78 fix the configuration, 69 a dependency is down. */
const ExitCode = { unavailable: 69, config: 78 } as const;
type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Ends the process because the service cannot start: the reason in the log (once there is one), one line on stderr, and the exit code. */
function refuseToStart(
  exitCode: ExitCode,
  stderr: string,
  fatal: { readonly logger: Logger | undefined; readonly fields: Record<string, unknown>; readonly message: string },
): never {
  fatal.logger?.fatal(fatal.fields, fatal.message);
  process.stderr.write(`${stderr}\n`);
  process.exit(exitCode);
}

/** A refusal whose error says why, with its code: a bad setting, an identity not ready, streams or buckets missing. */
function refuseOn(error: ConfigError | SecurityNotReadyError | TopologyError, service: ServiceName, logger?: Logger): never {
  // A ConfigError's message names the service and every problem already.
  const stderr = error instanceof ConfigError ? error.message : `${service}: refusing to start: ${error.message}`;
  refuseToStart(ExitCode.config, stderr, { logger, fields: { err: error, code: error.code }, message: 'refusing to start' });
}

/**
 * The start of every service: parse config (fail fast, readably), then logger, metrics, NATS
 * (streams ensured), the Nest app on Fastify with /health and /metrics, and graceful shutdown
 * on SIGTERM/SIGINT (stop consuming, finish in-flight handlers, drain NATS).
 */
export async function startService<T extends ConfigSpec>(options: StartServiceOptions<T>): Promise<INestApplication> {
  const { config, redacted } = loadServiceConfig(options);
  const instance = config.MAPEK_INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  const logger = createLogger(options.service, config.LOG_LEVEL, instance);
  logger.info({ config: redacted }, `${options.service} starting`);
  const tracing = startServiceTracing(options.service, instance, config);
  if (tracing.exporting) logger.info('exporting trace spans over OTLP');
  const metrics = new ServiceMetrics(options.service);
  const health = new HealthRegistry(options.service);
  const security = await loadSecurity(options, config, metrics, logger);
  const runtime = await connectMessaging(options, config, { instance, security, logger, metrics });
  const context: ServiceContext<T> = { service: options.service, instance, config, logger, metrics, health, runtime, security };
  let serviceModule: DynamicModule;
  try {
    serviceModule = await options.module(context);
  } catch (error) {
    // A setting that only the service itself can check once it runs (a file it reads).
    if (error instanceof ConfigError) refuseOn(error, options.service, logger);
    throw error;
  }
  const app = await createApp(options, context, serviceModule, tracing);
  const scheme = security?.https ? 'https' : 'http';
  traceHttpRequests(app, scheme);
  await options.configure?.(app, context);
  await app.listen(config.MAPEK_HTTP_PORT, config.MAPEK_HTTP_HOST);
  logger.info(
    { port: config.MAPEK_HTTP_PORT },
    `${options.service} ready on ${scheme}://${config.MAPEK_HTTP_HOST}:${config.MAPEK_HTTP_PORT}`,
  );
  return app;
}

/** The common settings and the service's own, checked one by one and then across (`validate`); a problem refuses the start. */
function loadServiceConfig<T extends ConfigSpec>(
  options: StartServiceOptions<T>,
): { config: ConfigValues<CommonSpec & T>; redacted: Record<string, unknown> } {
  const spec = { ...commonConfig(options.defaultPort), ...options.config } as CommonSpec & T;
  try {
    const { values: config, redacted } = loadConfig(spec, { service: options.service, ownedPrefix: options.ownedPrefix });
    const problems = options.validate?.(config) ?? [];
    if (problems.length > 0) throw new ConfigError(options.service, problems);
    return { config, redacted };
  } catch (error) {
    if (error instanceof ConfigError) refuseOn(error, options.service);
    throw error;
  }
}

/** The service's identity (signing, sealing, TLS), or none in development; an identity not ready refuses the start. */
async function loadSecurity<T extends ConfigSpec>(
  options: StartServiceOptions<T>,
  config: ConfigValues<CommonSpec & T>,
  metrics: ServiceMetrics,
  logger: Logger,
): Promise<ServiceSecurity | undefined> {
  try {
    return await loadServiceSecurity(
      {
        service: options.service,
        environment: config.ENVIRONMENT,
        pqcRequired: config.PQC_REQUIRED,
        identityDir: config.MAPEK_IDENTITY_DIR,
        identityName: config.MAPEK_IDENTITY,
        backend: config.MAPEK_PQC_BACKEND,
        clockSkewMs: config.MAPEK_EVENT_CLOCK_SKEW_MS,
        trustReloadMs: config.MAPEK_TRUST_BUNDLE_RELOAD_MS,
        natsUrl: config.NATS_URL,
        https: options.https ?? false,
      },
      metrics,
      logger,
    );
  } catch (error) {
    if (error instanceof SecurityNotReadyError) refuseOn(error, options.service, logger);
    throw error;
  }
}

/** Connects to NATS as the service's identity; missing streams or buckets refuse the start, an unreachable NATS too (EX_UNAVAILABLE). */
async function connectMessaging<T extends ConfigSpec>(
  options: StartServiceOptions<T>,
  config: ConfigValues<CommonSpec & T>,
  parts: { instance: string; security: ServiceSecurity | undefined; logger: Logger; metrics: ServiceMetrics },
): Promise<MessagingRuntime> {
  const { security, logger } = parts;
  const signer = options.signer ?? security?.signer;
  // A service with an identity has a NATS user without JetStream management rights (tools/pki):
  // it binds to what `mapek provision` created. Without one it sets the topology up itself.
  const provision = config.MAPEK_NATS_PROVISION === 'auto' ? security === undefined : config.MAPEK_NATS_PROVISION === 'true';
  try {
    return await MessagingRuntime.connect({
      servers: config.NATS_URL,
      service: options.service,
      instance: parts.instance,
      prefix: config.MAPEK_SUBJECT_PREFIX,
      replicas: config.MAPEK_STREAM_REPLICAS,
      provision,
      inboxPrefix: inboxPrefixOf(config.MAPEK_IDENTITY ?? options.service),
      logger,
      metrics: parts.metrics,
      ...(signer ? { signer } : {}),
      ...(security ? { verifier: security.verifier, tls: security.natsTls } : {}),
    });
  } catch (error) {
    if (error instanceof TopologyError) refuseOn(error, options.service, logger);
    refuseToStart(
      ExitCode.unavailable,
      `${options.service}: refusing to start, cannot reach NATS at ${config.NATS_URL}: ${(error as Error).message}`,
      { logger, fields: { err: error }, message: `cannot reach NATS at ${config.NATS_URL}` },
    );
  }
}

/** The Nest app on Fastify: observability, messaging (the consumers) and the service's module, closed on SIGTERM/SIGINT. */
async function createApp<T extends ConfigSpec>(
  options: StartServiceOptions<T>,
  context: ServiceContext<T>,
  serviceModule: DynamicModule,
  tracing: Tracing,
): Promise<NestFastifyApplication> {
  const { logger, metrics, health, runtime, security, config } = context;
  @Module({
    // Spans still buffered are exported when the app closes (after the consumers stopped).
    providers: [
      { provide: 'mapek.tracing.shutdown', useValue: { onApplicationShutdown: () => tracing.shutdown().catch(() => undefined) } },
    ],
    imports: [
      ObservabilityModule.forRoot({ service: options.service, logger, metrics, health, controllers: options.healthControllers !== false }),
      MessagingModule.forRoot({ runtime, consumers: options.consumers?.(context) ?? [] }),
      serviceModule,
    ],
  })
  class RootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    RootModule,
    new FastifyAdapter({
      bodyLimit: options.bodyLimitBytes?.(config) ?? 1024 * 1024,
      logger: false,
      ...(security?.https ? { https: security.https } : {}),
    }),
    { logger: ['error', 'warn'], bufferLogs: false },
  );
  app.enableShutdownHooks();
  return app;
}

/** Tracing from the standard OTEL_* settings (commonConfig): exported only with an endpoint. */
function startServiceTracing(service: ServiceName, instance: string, config: ConfigValues<CommonSpec>): Tracing {
  return startTracing(tracingSettingsOf(service, instance, config));
}
