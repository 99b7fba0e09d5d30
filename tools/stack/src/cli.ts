#!/usr/bin/env node
/**
 * `node tools/stack/dist/cli.js` (what `./mapek start` runs): starts the whole mapek stack, prints
 * where everything is, and stops it in order on Ctrl-C / SIGTERM.
 *
 *   --data-dir <dir>          NATS, PGlite and log files (default ./data)
 *   --services <a,b,...>      only these of the default services (e.g. demo-app,monitor)
 *   --ready-timeout-ms <ms>   how long each process may take to become ready (default 60000)
 *   --any-free-port           skip the usual ports (4222, 5432, 8080, …): a second stack beside the first
 *   --config <file>           the configuration file (mapek.yaml): every service reads it and follows its changes
 *   --no-demo                 without the demo app (with --config: only the file's targets are watched)
 *   --traces                  also run Jaeger all-in-one (in memory); every service exports its spans to it
 *
 * Environment: NATS_URL and DATABASE_URL use existing servers instead of spawning nats-server and
 * PGlite; MAPEK_SUBJECT_PREFIX, MAPEK_STREAM_REPLICAS, LOG_LEVEL and MAPEK_SCRAPE_INTERVAL_MS are passed on.
 * Before the services start, the streams and KV buckets are provisioned as the `cli` identity.
 * MAPEK_SECURITY=off runs without identities, signatures, mTLS and HTTPS (on by default when the
 * stack spawns nats-server; credentials are created in <data-dir>/certs on first run).
 * MAPEK_NATS_SYNC_INTERVAL sets the spawned nats-server's JetStream fsync interval (`always`, or a
 * duration like `10s`; default: nats-server's 2m).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVICES, ServiceRole } from './service-catalog.js';
import { startStack, type Stack } from './stack.js';
import { StackUsageError } from './stack.errors.js';
import { formatStackSummary } from './stack-summary.js';
import { StackSecurity, type StackOptions } from './stack.options.js';
import { isNatsSyncInterval } from './nats-server-config.js';

const USAGE =
  'usage: node tools/stack/dist/cli.js [--data-dir ./data] [--services demo-app,monitor,...] [--ready-timeout-ms 60000] [--any-free-port] [--config mapek.yaml] [--no-demo] [--traces]';

function positiveInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new StackUsageError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function nonEmpty(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' ? undefined : raw;
}

function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, signal: AbortSignal): StackOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowNegative: true,
      options: {
        config: { type: 'string' },
        demo: { type: 'boolean', default: true },
        'data-dir': { type: 'string', default: './data' },
        services: { type: 'string' },
        'ready-timeout-ms': { type: 'string' },
        'any-free-port': { type: 'boolean', default: false },
        traces: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error: unknown) {
    throw new StackUsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let services = DEFAULT_SERVICES;
  if (values.services !== undefined) {
    const wanted = values.services
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const unknown = wanted.filter((name) => !DEFAULT_SERVICES.some((service) => service.name === name));
    if (unknown.length > 0)
      throw new StackUsageError(`unknown service(s) ${unknown.join(', ')} (known: ${DEFAULT_SERVICES.map((s) => s.name).join(', ')})`);
    services = DEFAULT_SERVICES.filter((service) => wanted.includes(service.name));
  }
  if (!values.demo) services = services.filter((service) => service.role !== ServiceRole.demo);
  const natsUrl = nonEmpty(env['NATS_URL']);
  const databaseUrl = nonEmpty(env['DATABASE_URL']);
  const subjectPrefix = nonEmpty(env['MAPEK_SUBJECT_PREFIX']);
  const logLevel = nonEmpty(env['LOG_LEVEL']);
  const streamReplicas = positiveInteger('MAPEK_STREAM_REPLICAS', env['MAPEK_STREAM_REPLICAS']);
  const scrapeIntervalMs = positiveInteger('MAPEK_SCRAPE_INTERVAL_MS', env['MAPEK_SCRAPE_INTERVAL_MS']);
  const readyTimeoutMs = positiveInteger('--ready-timeout-ms', values['ready-timeout-ms']);
  const natsSyncInterval = nonEmpty(env['MAPEK_NATS_SYNC_INTERVAL']);
  if (natsSyncInterval !== undefined && !isNatsSyncInterval(natsSyncInterval)) {
    throw new StackUsageError(`MAPEK_NATS_SYNC_INTERVAL must be "always" or a duration like 10s, 500ms, 2m, got "${natsSyncInterval}"`);
  }
  const securityVariable = nonEmpty(env['MAPEK_SECURITY']);
  if (securityVariable !== undefined && securityVariable !== StackSecurity.on && securityVariable !== StackSecurity.off) {
    throw new StackUsageError(`MAPEK_SECURITY must be on or off, got "${securityVariable}"`);
  }
  return {
    dataDir: resolve(values['data-dir']),
    services,
    signal,
    anyFreePort: values['any-free-port'],
    ...(values.config !== undefined ? { configFile: resolve(values.config) } : {}),
    traces: values.traces,
    ...(natsUrl ? { natsUrl } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(subjectPrefix ? { subjectPrefix } : {}),
    ...(logLevel ? { logLevel } : {}),
    ...(streamReplicas ? { streamReplicas } : {}),
    ...(scrapeIntervalMs ? { scrapeIntervalMs } : {}),
    ...(readyTimeoutMs ? { readyTimeoutMs } : {}),
    ...(securityVariable ? { security: securityVariable } : {}),
    ...(natsSyncInterval ? { natsSyncInterval } : {}),
  };
}

async function main(): Promise<void> {
  const starting = new AbortController();
  let stack: Stack | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.log(`stack | ${signal} again: still stopping (each process gets up to 10 s before SIGKILL)`);
      return;
    }
    stopping = true;
    console.log(`stack | ${signal}: stopping services, then the demo app, PGlite and nats-server`);
    if (!stack) {
      starting.abort();
      return;
    }
    void stack.stop().then(() => {
      console.log('stack | stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const options = parseOptions(process.argv.slice(2), process.env, starting.signal);
  try {
    stack = await startStack(options);
  } catch (error: unknown) {
    if (starting.signal.aborted) {
      console.log('stack | stopped before it was up');
      process.exit(0);
    }
    throw error;
  }
  if (stopping) {
    // A signal arrived just as the last process became ready.
    await stack.stop();
    process.exit(0);
  }
  console.log(formatStackSummary(stack));
}

main().catch((error: unknown) => {
  console.error(`\nstack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
