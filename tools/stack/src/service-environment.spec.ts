import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SERVICES, ServiceName, serviceReplica } from './service-catalog.js';
import { serviceEnvironment, type EnvironmentContext } from './service-environment.js';

const context: EnvironmentContext = {
  natsUrl: 'nats://127.0.0.1:4333',
  databaseUrl: 'postgres://postgres@127.0.0.1:5433/postgres',
  databasePoolSize: 1,
  subjectPrefix: 'mapek',
  streamReplicas: 1,
  logLevel: 'info',
  scrapeIntervalMs: 1000,
  demo: { name: 'demo-app', port: 8001 },
};

function service(name: string) {
  const found = DEFAULT_SERVICES.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no ${name} in DEFAULT_SERVICES`);
  return found;
}

describe('serviceEnvironment', () => {
  it('gives a loop service NATS, the subject prefix, its HTTP port on 127.0.0.1, and binds it to the provisioned streams', () => {
    expect(serviceEnvironment(service(ServiceName.planner), 9103, context)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4333',
      MAPEK_SUBJECT_PREFIX: 'mapek',
      LOG_LEVEL: 'info',
      MAPEK_HTTP_PORT: '9103',
      MAPEK_HTTP_HOST: '127.0.0.1',
      MAPEK_NATS_PROVISION: 'false',
      MAPEK_STREAM_REPLICAS: '1',
    });
  });

  it('gives only the knowledge service the database and its pool size', () => {
    const knowledge = serviceEnvironment(service(ServiceName.knowledge), 9105, context);
    expect(knowledge['DATABASE_URL']).toBe(context.databaseUrl);
    expect(knowledge['MAPEK_DATABASE_POOL_SIZE']).toBe('1');
    expect(serviceEnvironment(service(ServiceName.analyzer), 9102, context)['DATABASE_URL']).toBeUndefined();
  });

  it('points the monitor at the demo app metrics and health', () => {
    const monitor = serviceEnvironment(service(ServiceName.monitor), 9101, context);
    expect(JSON.parse(monitor['MAPEK_MONITOR_TARGETS'] ?? '')).toEqual([
      { name: 'demo-app', metricsUrl: 'http://127.0.0.1:8001/metrics', healthUrl: 'http://127.0.0.1:8001/health' },
    ]);
    expect(monitor['MAPEK_SCRAPE_INTERVAL_MS']).toBe('1000');
  });

  it('gives every loop service the configuration file, and the monitor the demo app beside it', () => {
    const withFile = { ...context, configFile: '/etc/mapek/mapek.yaml' };
    for (const name of [
      ServiceName.monitor,
      ServiceName.analyzer,
      ServiceName.planner,
      ServiceName.executor,
      ServiceName.knowledge,
      ServiceName.gateway,
    ]) {
      expect([name, serviceEnvironment(service(name), 9100, withFile)['MAPEK_CONFIG_FILE']]).toEqual([name, '/etc/mapek/mapek.yaml']);
    }
    expect(serviceEnvironment(service(ServiceName.demoApp), 8001, withFile)['MAPEK_CONFIG_FILE']).toBeUndefined();
    expect(JSON.parse(serviceEnvironment(service(ServiceName.monitor), 9101, withFile)['MAPEK_MONITOR_TARGETS'] ?? '')).toHaveLength(1);
    expect(
      JSON.parse(serviceEnvironment(service(ServiceName.monitor), 9101, { ...withFile, demo: undefined })['MAPEK_MONITOR_TARGETS'] ?? ''),
    ).toEqual([]);
    expect(serviceEnvironment(service(ServiceName.planner), 9103, context)['MAPEK_CONFIG_FILE']).toBeUndefined();
  });

  it('gives the demo app PORT and its target name', () => {
    expect(serviceEnvironment(service(ServiceName.demoApp), 8001, context)).toMatchObject({
      PORT: '8001',
      MAPEK_TARGET: 'demo-app',
      NATS_URL: context.natsUrl,
    });
  });

  it('gives a second replica the identity, database and targets of the service it replicates', () => {
    const secured = { ...context, identityDir: '/certs' };
    const replica = serviceReplica(service(ServiceName.knowledge), 'knowledge-2');
    expect(replica).toMatchObject({
      name: 'knowledge-2',
      port: 0,
      replicaOf: ServiceName.knowledge,
      entry: service(ServiceName.knowledge).entry,
    });
    expect(serviceEnvironment(replica, 9205, secured)).toMatchObject({
      MAPEK_IDENTITY: 'knowledge',
      DATABASE_URL: context.databaseUrl,
      MAPEK_HTTP_PORT: '9205',
    });
    const monitor = serviceEnvironment(serviceReplica(service(ServiceName.monitor), 'monitor-2'), 9201, secured);
    expect(monitor).toMatchObject({ MAPEK_IDENTITY: 'monitor', MAPEK_SCRAPE_INTERVAL_MS: '1000' });
    expect(monitor['MAPEK_MONITOR_TARGETS']).toBeDefined();
  });
});
