import { ServiceName, ServiceRole, serviceOf, type ServiceDefinition } from './service-catalog.js';

/** What every service's environment is built from. */
export interface EnvironmentContext {
  readonly natsUrl: string;
  readonly databaseUrl: string | undefined;
  /** Set when the database takes a limited number of connections (embedded PGlite: 1). */
  readonly databasePoolSize: number | undefined;
  readonly subjectPrefix: string;
  /** Replicas of the streams and buckets (the stack provisioned them with this). */
  readonly streamReplicas: number;
  readonly logLevel: string;
  readonly scrapeIntervalMs: number;
  /** The configuration file every loop service reads (MAPEK_CONFIG_FILE), when the stack has one. */
  readonly configFile?: string | undefined;
  /** The demo app the monitor scrapes, when it is part of the stack. */
  readonly demo: { readonly name: string; readonly port: number } | undefined;
  /** Credentials written by `mapek pki` when the stack runs with security on. */
  readonly identityDir?: string | undefined;
  /** The gateway's API keys file (security on). */
  readonly apiKeysFile?: string | undefined;
}

/** One monitor target, as MAPEK_MONITOR_TARGETS lists them. */
export interface MonitorTarget {
  readonly name: string;
  readonly metricsUrl: string;
  readonly healthUrl: string;
}

export function monitorTargets(demo: EnvironmentContext['demo']): readonly MonitorTarget[] {
  if (demo === undefined) return [];
  const base = `http://127.0.0.1:${demo.port}`;
  return [{ name: demo.name, metricsUrl: `${base}/metrics`, healthUrl: `${base}/health` }];
}

/**
 * The variables the stack sets for one service (on top of the parent's environment and before the
 * caller's extra variables). Only the knowledge service gets the database, only the monitor its
 * targets: services reject unknown variables under their own prefix. Every loop service gets the
 * configuration file: MAPEK_CONFIG_FILE is outside every service's prefix, so a service that does
 * not read it ignores it.
 */
export function serviceEnvironment(service: ServiceDefinition, port: number, context: EnvironmentContext): Record<string, string> {
  const shared = {
    NATS_URL: context.natsUrl,
    MAPEK_SUBJECT_PREFIX: context.subjectPrefix,
    LOG_LEVEL: context.logLevel,
  };
  // Each loop service is the identity of its name (a replica: of the service it replicates); a
  // managed app's agent is the `agent` identity.
  const identity = (name: string): Record<string, string> =>
    context.identityDir === undefined ? {} : { MAPEK_IDENTITY_DIR: context.identityDir, MAPEK_IDENTITY: name };
  switch (service.role) {
    case ServiceRole.demo:
      return { ...shared, ...identity('agent'), PORT: String(port), MAPEK_TARGET: service.name };
    case ServiceRole.loop: {
      const name = serviceOf(service);
      // The stack provisioned the streams and buckets as the administrator: services only bind.
      const env: Record<string, string> = {
        ...shared,
        ...identity(name),
        MAPEK_HTTP_PORT: String(port),
        MAPEK_HTTP_HOST: '127.0.0.1',
        MAPEK_NATS_PROVISION: 'false',
        MAPEK_STREAM_REPLICAS: String(context.streamReplicas),
      };
      if (context.configFile !== undefined) env['MAPEK_CONFIG_FILE'] = context.configFile;
      if (name === ServiceName.knowledge && context.databaseUrl !== undefined) {
        env['DATABASE_URL'] = context.databaseUrl;
        if (context.databasePoolSize !== undefined) env['MAPEK_DATABASE_POOL_SIZE'] = String(context.databasePoolSize);
      }
      if (name === ServiceName.gateway && context.apiKeysFile !== undefined) env['MAPEK_GATEWAY_API_KEYS_FILE'] = context.apiKeysFile;
      if (name === ServiceName.monitor) {
        // The demo app beside the configuration file's targets (the monitor merges them).
        env['MAPEK_MONITOR_TARGETS'] = JSON.stringify(monitorTargets(context.demo));
        env['MAPEK_SCRAPE_INTERVAL_MS'] = String(context.scrapeIntervalMs);
      }
      return env;
    }
  }
}
