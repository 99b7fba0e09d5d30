import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** A PostgreSQL server of its own, for tests that kill and restart the database. */
export interface PostgresServerProcess {
  /** Superuser URL of the `postgres` database (trust authentication on loopback). */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** kill -9 the postmaster (its backends exit with it), keeping the data directory. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stops it and removes the data directory. */
  stop(): Promise<void>;
}

/** The server binaries: POSTGRES_BIN_DIR, else Debian's newest /usr/lib/postgresql/<major>/bin. */
export function findPostgresBinDir(): string {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const dir = join(root, major, 'bin');
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found (set POSTGRES_BIN_DIR; on Debian: apt-get install postgresql-15)');
}

/** initdb and postgres refuse to run as root: root runs them as Debian's `postgres` account. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForConnections(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}:\n${output()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      last = error;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`postgres did not accept connections in ${timeoutMs} ms: ${String(last)}\n${output()}`);
}

/**
 * Runs `initdb` into a fresh temporary directory and starts `postgres` on a free loopback port.
 * Durability settings are off: the data lives only as long as the test.
 */
export async function startPostgresServer(): Promise<PostgresServerProcess> {
  const bin = findPostgresBinDir();
  const user = runAs();
  const root = await mkdtemp(join(tmpdir(), 'mapek-pg-'));
  if (user) await chown(root, user.uid, user.gid);
  const dataDir = join(root, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(user ?? {}),
  });
  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess;
  let output = '';
  const launch = async (): Promise<void> => {
    output = '';
    child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `port=${port}`,
        '-c',
        `unix_socket_directories=${root}`,
        '-c',
        'fsync=off',
        '-c',
        'max_connections=100',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    await waitForConnections(adminUrl, child, () => output);
  };
  await launch();
  return {
    adminUrl,
    port,
    dataDir,
    async kill() {
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
      // The backends notice the postmaster's death on their own; a restart waits for them to go.
    },
    async restart() {
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await launch();
          return;
        } catch (error) {
          // "lock file postmaster.pid already exists" while orphaned backends are still exiting.
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
    async stop() {
      const done = exited(child);
      child.kill('SIGTERM');
      await done;
      await rm(root, { recursive: true, force: true });
    },
  };
}
