import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ManagedProcess, type OutputSink } from './managed-process.js';
import { isPgliteMessage, PGLITE_MAX_CONNECTIONS, PgliteMessageType } from './pglite-ipc.js';
import type { StackComponent } from './stack-component.js';
import { waitForReady } from './readiness.js';
import { ProcessNotReadyError } from './stack.errors.js';

/** The compiled child script; under Jest this module runs from src/, the script is always in dist/. */
export function pgliteServerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'pglite-server.main.js');
  return existsSync(sibling) ? sibling : join(here, '..', 'dist', 'pglite-server.main.js');
}

export interface EmbeddedPostgresOptions {
  /** PGlite files: `<dataDir>/pglite`. */
  readonly dataDir: string;
  readonly port: number;
  readonly name?: string;
  readonly prefix: string;
  readonly output: OutputSink;
  readonly logFile?: string;
  readonly cwd: string;
  /** Unix niceness to run at (see ManagedProcess); none: the parent's. */
  readonly niceness?: number;
}

export interface EmbeddedPostgres extends StackComponent {
  readonly url: string;
  readonly port: number;
  /** How many client connections the server accepts at once (1: see pglite-ipc.ts). */
  readonly maxConnections: number;
}

/** Runs one query over the wire with node-postgres, then disconnects. */
export async function answersQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ answer: number }>('select 1 as answer');
    return result.rows[0]?.answer === 1;
  } finally {
    await client.end();
  }
}

/** Asks the child how many clients are connected. */
function activeConnections(child: ManagedProcess): Promise<number> {
  return new Promise((resolve) => {
    const unsubscribe = child.onMessage((message) => {
      if (!isPgliteMessage(message) || message.type !== PgliteMessageType.stats) return;
      unsubscribe();
      resolve(message.activeConnections);
    });
    child.send({ type: PgliteMessageType.statsRequest });
  });
}

/**
 * PGlite in a child process serving the Postgres wire protocol on 127.0.0.1:`port`. `start`
 * resolves once node-postgres got an answer to a query and the server has no client left (it
 * takes one at a time, so the first real client must find the slot free).
 */
export function createEmbeddedPostgres(options: EmbeddedPostgresOptions): EmbeddedPostgres {
  const script = pgliteServerScript();
  const name = options.name ?? 'pglite';
  const url = `postgres://postgres@127.0.0.1:${options.port}/postgres`;
  const child = new ManagedProcess({
    name,
    command: process.execPath,
    args: [script, '--data-dir', join(options.dataDir, 'pglite'), '--port', String(options.port), '--host', '127.0.0.1'],
    env: process.env,
    cwd: options.cwd,
    prefix: options.prefix,
    output: options.output,
    ipc: true,
    ...(options.logFile ? { logFile: options.logFile } : {}),
    ...(options.niceness ? { niceness: options.niceness } : {}),
  });
  let listening = false;
  let failure: string | undefined;
  child.onMessage((message) => {
    if (!isPgliteMessage(message)) return;
    if (message.type === PgliteMessageType.listening) listening = true;
    if (message.type === PgliteMessageType.failed) failure = message.message;
  });

  const start = async (timeoutMs: number): Promise<void> => {
    if (!existsSync(script)) throw new ProcessNotReadyError(name, `its script ${script} does not exist — run \`pnpm build\` first`, []);
    listening = false;
    failure = undefined;
    child.start();
    const waiting = { timeoutMs };
    await waitForReady(child, () => (failure === undefined ? Promise.resolve(listening) : Promise.reject(new Error(failure))), {
      ...waiting,
      intervalMs: 50,
      waitingFor: 'PGlite listening',
    });
    await waitForReady(child, () => answersQuery(url), { ...waiting, waitingFor: `a query answered on ${url}` });
    await waitForReady(child, async () => (await activeConnections(child)) === 0, {
      ...waiting,
      intervalMs: 20,
      waitingFor: 'the check connection to close',
    });
  };
  return { url, port: options.port, maxConnections: PGLITE_MAX_CONNECTIONS, process: child, start };
}
