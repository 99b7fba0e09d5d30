import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startNatsServer, waitFor, type NatsServerProcess } from '@mapek/testing';
import { jetStreamAnswers } from './nats-server.js';
import { isPortFree } from './port-allocator.js';
import { ServiceRole, type ServiceDefinition } from './service-catalog.js';
import { startStack, type Stack } from './stack.js';
import { ProcessNotReadyError, ServiceNotBuiltError } from './stack.errors.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
const fixture = (name: string, script: string, role: ServiceRole = ServiceRole.loop): ServiceDefinition => ({
  name,
  entry: join(fixtures, script),
  port: 0,
  role,
});

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Holds 127.0.0.1:port for the test when nothing else does. */
async function holdPort(port: number): Promise<Server | undefined> {
  if (!(await isPortFree(port))) return undefined;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('startStack', () => {
  let dataDir: string;
  let stack: Stack | undefined;
  // An external NATS for the cases that bring their own (`natsUrl`), as a user with a NATS would.
  let external: NatsServerProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-stack-'));
    external = await startNatsServer();
  });

  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  afterAll(async () => {
    await external?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts nats-server on a free port when 4222 is taken, with mTLS on by default, and JetStream answers a client with a certificate', async () => {
    const holder = await holdPort(4222);
    const lines: string[] = [];
    try {
      stack = await startStack({
        dataDir: join(dataDir, 'nats-only'),
        services: [],
        withoutDatabase: true,
        output: (line) => lines.push(line),
      });
    } finally {
      holder?.close();
    }
    expect(stack.ports['nats']).not.toBe(4222);
    expect(stack.natsUrl).toBe(`nats://127.0.0.1:${stack.ports['nats']}`);
    expect(stack.security).toBe('on');
    await expect(jetStreamAnswers(stack.natsUrl, stack.natsTls('cli'))).resolves.toBe(true);
    await expect(jetStreamAnswers(stack.natsUrl)).rejects.toThrow();
    expect(lines.join('\n')).toContain(`port 4222 is taken; nats-server uses ${stack.ports['nats']} instead`);
    expect(lines.join('\n')).toContain(`created development credentials in ${join(dataDir, 'nats-only', 'certs')}`);
    expect(stack.processes['nats-server']?.running).toBe(true);
  });

  it('serves the embedded PGlite over the Postgres wire protocol, one connection at a time, keeping data across a restart', async () => {
    stack = await startStack({ dataDir: join(dataDir, 'pglite'), natsUrl: external.url, services: [], anyFreePort: true, output: null });
    expect(stack.databaseUrl).toBe(`postgres://postgres@127.0.0.1:${stack.ports['postgres']}/postgres`);
    expect(stack.databaseMaxConnections).toBe(1);

    const write = new pg.Client({ connectionString: stack.databaseUrl });
    await write.connect();
    await write.query('create table readings (name text primary key, value int)');
    await write.query('insert into readings values ($1, $2)', ['heap', 42]);
    await write.end();

    await stack.stopService('pglite');
    await stack.startService('pglite');

    const read = new pg.Client({ connectionString: stack.databaseUrl });
    await read.connect();
    const result = await read.query<{ value: number }>('select value from readings where name = $1', ['heap']);
    await read.end();
    expect(result.rows).toEqual([{ value: 42 }]);
  });

  it('fails naming the service that never becomes ready, quoting its output, and stops the others', async () => {
    const lines: string[] = [];
    const starting = startStack({
      dataDir: join(dataDir, 'not-ready'),
      withoutDatabase: true,
      anyFreePort: true,
      readyTimeoutMs: 3000,
      services: [fixture('alpha', 'ready-service.mjs'), fixture('stuck', 'never-ready-service.mjs')],
      output: (line) => lines.push(line),
    });
    const error = await starting.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ProcessNotReadyError);
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain('stuck did not come up');
    expect(message).toContain('GET http://127.0.0.1:');
    expect(message).toContain('still warming up');
    expect(lines.some((line) => line.startsWith('alpha') && line.includes('fixture stopping'))).toBe(true);
  });

  it('fails at once with the exit code and output of a service that crashes at start', async () => {
    const error = await startStack({
      dataDir: join(dataDir, 'crash'),
      natsUrl: external.url,
      withoutDatabase: true,
      anyFreePort: true,
      services: [fixture('broken', 'crashing-service.mjs')],
      output: null,
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ProcessNotReadyError);
    expect(error instanceof Error ? error.message : '').toMatch(
      /broken did not come up: it exited with code 3[\s\S]*MAPEK_FIXTURE_SETTING is not set/,
    );
  });

  it('refuses to start when a service is not built, naming it', async () => {
    await expect(
      startStack({ dataDir: join(dataDir, 'missing'), services: [fixture('planner', 'no-such-main.js')], output: null }),
    ).rejects.toBeInstanceOf(ServiceNotBuiltError);
  });

  it('passes each service its environment and priority, restarts a killed service, and leaves no child process after stop()', async () => {
    stack = await startStack({
      dataDir: join(dataDir, 'full'),
      anyFreePort: true,
      services: [
        fixture('demo-app', 'ready-service.mjs', ServiceRole.demo),
        { ...fixture('monitor', 'ready-service.mjs'), bulk: true },
        fixture('knowledge', 'ready-service.mjs'),
        fixture('gateway', 'ready-service.mjs'),
      ],
      serviceEnv: { gateway: { MAPEK_GATEWAY_EXTRA: 'yes' } },
      output: null,
    });
    // A service that does bulk work yields the CPU (niceness 10); the others run at the stack's own.
    expect(getPriority(stack.processes['monitor']?.pid)).toBe(10);
    expect(getPriority(stack.processes['gateway']?.pid)).toBe(getPriority());
    // Knowledge's embedded database yields beside it.
    expect(getPriority(stack.processes['pglite']?.pid)).toBe(10);
    // Each service is a session, so an autogroup, of its own: the autogroup's niceness is what weighs it against the others.
    if (existsSync('/proc/self/autogroup'))
      expect(readFileSync(`/proc/${stack.processes['monitor']?.pid}/autogroup`, 'utf8')).toMatch(/ nice 10\n?$/);
    const demoPort = stack.ports['demo-app'];
    const monitorEnv = stack.processes['monitor']?.env ?? {};
    expect(JSON.parse(monitorEnv['MAPEK_MONITOR_TARGETS'] ?? '[]')).toEqual([
      { name: 'demo-app', metricsUrl: `http://127.0.0.1:${demoPort}/metrics`, healthUrl: `http://127.0.0.1:${demoPort}/health` },
    ]);
    const knowledgeEnv = stack.processes['knowledge']?.env ?? {};
    expect(knowledgeEnv['DATABASE_URL']).toBe(stack.databaseUrl);
    expect(knowledgeEnv['MAPEK_DATABASE_POOL_SIZE']).toBe('1');

    const gatewayEnv = (await (await fetch(`${stack.gatewayUrl}/env`)).json()) as Record<string, string>;
    expect(gatewayEnv).toMatchObject({
      NATS_URL: stack.natsUrl,
      MAPEK_HTTP_PORT: String(stack.ports['gateway']),
      MAPEK_HTTP_HOST: '127.0.0.1',
      MAPEK_GATEWAY_EXTRA: 'yes',
      MAPEK_IDENTITY_DIR: stack.certsDir,
      MAPEK_IDENTITY: 'gateway',
    });
    expect(stack.processes['demo-app']?.env['MAPEK_IDENTITY']).toBe('agent');
    expect((await fetch(`${stack.demoUrl}/health`)).status).toBe(200);

    const killedPid = stack.processes['gateway']?.pid;
    await expect(stack.stopService('gateway', 'SIGKILL')).resolves.toMatchObject({ signal: 'SIGKILL' });
    expect(isAlive(killedPid)).toBe(false);
    await stack.startService('gateway');
    expect(stack.processes['gateway']?.pid).not.toBe(killedPid);
    expect((await fetch(`${stack.gatewayUrl}/health/ready`)).status).toBe(200);

    const pids = Object.values(stack.processes).map((child) => child.pid);
    expect(pids).toHaveLength(6);
    expect(pids.every(isAlive)).toBe(true);
    await stack.stop();
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('restarts a crashed service and a crashed nats-server by itself, with backoff, counting each restart, but not a service it was asked to stop', async () => {
    const lines: string[] = [];
    stack = await startStack({
      dataDir: join(dataDir, 'supervised'),
      withoutDatabase: true,
      anyFreePort: true,
      restartPolicy: { initialMs: 100, maxMs: 400, stableAfterMs: 60_000 },
      services: [fixture('monitor', 'ready-service.mjs'), fixture('planner', 'ready-service.mjs')],
      output: (line) => lines.push(line),
    });
    const monitorUrl = `${stack.serviceUrl('monitor')}/health/ready`;

    const crashedPid = stack.processes['monitor']?.pid;
    await expect(stack.crashService('monitor')).resolves.toMatchObject({ signal: 'SIGKILL' });
    const restartedPid = await waitFor(
      () => stack?.processes['monitor']?.running && stack.processes['monitor'].pid !== crashedPid && stack.processes['monitor'].pid,
      {
        timeoutMs: 10_000,
        what: 'the supervisor to restart the monitor',
      },
    );
    await waitFor(async () => (await fetch(monitorUrl).catch(() => undefined))?.status === 200, {
      timeoutMs: 10_000,
      what: 'the restarted monitor to be ready',
    });
    expect(isAlive(restartedPid)).toBe(true);
    expect(stack.restarts('monitor')).toBe(1);
    expect(lines.join('\n')).toMatch(/monitor was killed by SIGKILL; restarting it in \d+ ms \(restart 1\)/);

    await stack.crashService('nats-server');
    await waitFor(async () => stack && (await jetStreamAnswers(stack.natsUrl, stack.natsTls('cli')).catch(() => false)), {
      timeoutMs: 15_000,
      what: 'the supervisor to bring nats-server back',
    });
    expect(stack.restarts('nats-server')).toBe(1);

    await stack.stopService('planner', 'SIGKILL');
    // The supervisor's first restart would come within 150 ms; the planner stays down.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(stack.processes['planner']?.running).toBe(false);
    expect(stack.restarts('planner')).toBe(0);
  });

  it('kills a service that ignores SIGTERM once the stop timeout has passed', async () => {
    stack = await startStack({
      dataDir: join(dataDir, 'stubborn'),
      natsUrl: external.url,
      withoutDatabase: true,
      anyFreePort: true,
      stopTimeoutMs: 500,
      services: [fixture('stubborn', 'stubborn-service.mjs')],
      output: null,
    });
    const pid = stack.processes['stubborn']?.pid;
    await expect(stack.stopService('stubborn')).resolves.toMatchObject({ signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    expect(stack.processes['stubborn']?.tail()).toContain('SIGTERM ignored');
  });
});
