import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chmod, chown, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@mapek/testing';
import pg from 'pg';
import { DEFAULT_SERVICES, type Stack, caFileOf, certsDirOf, ensureStackCredentials, startStack } from '@mapek/stack';

/** Debian's PostgreSQL binaries; the server refuses to run as root, so it runs as `postgres`. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  const bin = version ? join(root, version, 'bin') : undefined;
  return bin && existsSync(join(bin, 'initdb')) ? bin : undefined;
}

const bin = postgresBin();
const canRun = bin !== undefined && process.getuid?.() === 0;
if (!canRun) console.warn('postgres-tls test skipped: needs root and Debian PostgreSQL binaries under /usr/lib/postgresql');

function asPostgres(command: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' });
}

/**
 * A PostgreSQL of the test's own that accepts only TLS connections authenticated by a client
 * certificate from the development CA (`hostssl … cert`: the certificate's CN is the role).
 */
async function startTlsPostgres(certsDir: string): Promise<{ port: number; socketDir: string; child: ChildProcess; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mapek-pg-tls-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  asPostgres(join(bin!, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  for (const [from, to] of [
    [join(certsDir, 'nats', 'server.crt'), 'server.crt'],
    [join(certsDir, 'nats', 'server.key'), 'server.key'],
    [caFileOf(certsDir), 'ca.crt'],
  ] as const) {
    await copyFile(from, join(dir, to));
    await chown(join(dir, to), uid, gid);
  }
  await chmod(join(dir, 'server.key'), 0o600);
  const port = await freePort();
  await appendFile(
    join(data, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nssl = on\nssl_cert_file = '${dir}/server.crt'\nssl_key_file = '${dir}/server.key'\nssl_ca_file = '${dir}/ca.crt'\nfsync = off\n`,
  );
  await writeFile(join(data, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 cert\n');
  const child = spawn('runuser', ['-u', 'postgres', '--', join(bin!, 'postgres'), '-D', data], { stdio: 'ignore' });
  await waitForPort(port, 20_000);
  const psql = (sql: string) =>
    asPostgres(join(bin!, 'psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-tAc', sql]);
  for (let attempt = 0; ; attempt++) {
    try {
      psql('SELECT 1');
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await waitForPort(port, 1000);
    }
  }
  psql('CREATE ROLE knowledge LOGIN');
  psql('CREATE DATABASE knowledge OWNER knowledge');
  return { port, socketDir: dir, child, dir };
}

(canRun ? describe : describe.skip)('knowledge reaches PostgreSQL over TLS with its client certificate', () => {
  let dataDir: string;
  let postgres: Awaited<ReturnType<typeof startTlsPostgres>>;
  let stack: Stack;
  const admin = (sql: string) =>
    asPostgres(join(bin!, 'psql'), [
      '-h',
      postgres.socketDir,
      '-p',
      String(postgres.port),
      '-U',
      'postgres',
      '-d',
      'knowledge',
      '-tAc',
      sql,
    ]).trim();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-stack-pg-tls-'));
    await ensureStackCredentials({ dataDir, natsPort: await freePort(), subjectPrefix: 'mapek' });
    postgres = await startTlsPostgres(certsDirOf(dataDir));
    stack = await startStack({
      dataDir,
      databaseUrl: `postgres://knowledge@localhost:${postgres.port}/knowledge`,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      services: DEFAULT_SERVICES.filter((service) => service.name === 'knowledge'),
      serviceEnv: { knowledge: { MAPEK_DATABASE_TLS: 'true' } },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (postgres) {
      const exited = new Promise((resolve) => postgres.child.once('exit', resolve));
      // runuser does not pass signals on; pg_ctl stops the server itself (fast: no waiting for clients).
      asPostgres(join(bin!, 'pg_ctl'), ['-D', join(postgres.dir, 'data'), '-m', 'fast', '-w', 'stop']);
      await exited;
      await rm(postgres.dir, { recursive: true, force: true });
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates and stays ready over a verified TLS connection authenticated by the knowledge certificate', () => {
    expect(Number(admin('SELECT count(*) FROM schema_migrations'))).toBeGreaterThanOrEqual(1);
    const sessions = admin(
      "SELECT s.ssl || ' ' || s.version || ' ' || coalesce(s.client_dn, '') FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'knowledge' LIMIT 1",
    );
    expect(sessions).toMatch(/^true TLSv1\.3 .*CN=knowledge/);
  });

  it('refuses a client that offers no certificate', async () => {
    const client = new pg.Client({
      connectionString: `postgres://knowledge@localhost:${postgres.port}/knowledge`,
      ssl: { ca: await readFile(caFileOf(certsDirOf(dataDir)), 'utf8') },
    });
    await expect(client.connect()).rejects.toThrow(/certificate/);
    await client.end().catch(() => undefined);
  });
});
