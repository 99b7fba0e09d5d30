import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly process: ChildProcess;
  /** Kill -9 (or another signal) the server, keeping its store so it can be restarted. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port and store. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function findNatsServer(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'nats-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error(
    'nats-server not found on PATH or in /usr/sbin; mapek needs 2.12 or newer: `source scripts/toolchain.sh` puts the pinned one on PATH',
  );
}

async function waitForHealthz(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz?js-enabled-only=true`);
      if (response.ok) return;
      last = new Error(`healthz ${response.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not become healthy in ${timeoutMs} ms: ${String(last)}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a real nats-server with JetStream on free ports, in its own temporary store. */
export async function startNatsServer(options: { extraConfig?: string } = {}): Promise<NatsServerProcess> {
  const binary = findNatsServer();
  const storeDir = await mkdtemp(join(tmpdir(), 'mapek-nats-'));
  const port = await freePort();
  const monitorPort = await freePort();
  const configPath = join(storeDir, 'nats.conf');
  await writeFile(
    configPath,
    `listen: 127.0.0.1:${port}\nhttp: 127.0.0.1:${monitorPort}\njetstream { store_dir: "${join(storeDir, 'js')}" }\n${options.extraConfig ?? ''}\n`,
  );
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(binary, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    try {
      await waitForHealthz(monitorPort, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
    }
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    storeDir,
    get process() {
      return child;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const done = exited(child);
      child.kill(signal);
      await done;
    },
    async restart() {
      await launch();
    },
    async stop() {
      const done = exited(child);
      child.kill('SIGTERM');
      await done;
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}
