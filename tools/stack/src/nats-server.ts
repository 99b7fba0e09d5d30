import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ManagedProcess, type OutputSink } from './managed-process.js';
import { waitForReady } from './readiness.js';
import type { StackComponent } from './stack-component.js';
import { NatsServerNotFoundError } from './stack.errors.js';

const FALLBACK_LOCATIONS = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'] as const;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nats-server binary: from PATH, else /usr/sbin (Debian's package puts it there, outside a user's PATH). */
export async function findNatsServer(pathVariable = process.env['PATH'] ?? ''): Promise<string> {
  const candidates = [...pathVariable.split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, 'nats-server')), ...FALLBACK_LOCATIONS];
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return candidate;
  }
  throw new NatsServerNotFoundError(FALLBACK_LOCATIONS);
}

/** Answers true once the server takes a connection and its JetStream API replies with account info. */
export async function jetStreamAnswers(url: string): Promise<boolean> {
  const connection = await connect({ servers: url, reconnect: false, timeout: 1000 });
  try {
    const manager = await jetstreamManager(connection, { timeout: 1000 });
    await manager.getAccountInfo();
    return true;
  } finally {
    await connection.close();
  }
}

export interface NatsServerOptions {
  readonly binary: string;
  readonly port: number;
  readonly monitorPort: number;
  /** JetStream store: `<dataDir>/nats`. */
  readonly dataDir: string;
  readonly name?: string;
  readonly prefix: string;
  readonly output: OutputSink;
  readonly logFile?: string;
  readonly cwd: string;
}

export interface NatsServer extends StackComponent {
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
}

/** A nats-server with JetStream on 127.0.0.1; `start` resolves once JetStream answers. */
export async function createNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const storeDir = join(options.dataDir, 'nats');
  await mkdir(storeDir, { recursive: true });
  const url = `nats://127.0.0.1:${options.port}`;
  const serverProcess = new ManagedProcess({
    name: options.name ?? 'nats-server',
    command: options.binary,
    args: ['-a', '127.0.0.1', '-p', String(options.port), '-m', String(options.monitorPort), '-js', '-sd', storeDir, '-n', 'mapek-stack'],
    env: process.env,
    cwd: options.cwd,
    prefix: options.prefix,
    output: options.output,
    ...(options.logFile ? { logFile: options.logFile } : {}),
  });
  return {
    url,
    port: options.port,
    monitorPort: options.monitorPort,
    process: serverProcess,
    start: async (timeoutMs) => {
      serverProcess.start();
      await waitForReady(serverProcess, () => jetStreamAnswers(url), { timeoutMs, waitingFor: `JetStream answering on ${url}` });
    },
  };
}
