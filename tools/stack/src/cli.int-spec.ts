import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { jetStreamAnswers } from './nats-server.js';
import { certsDirOf, natsClientTls } from './stack-credentials.js';
import { isPortFree } from './port-allocator.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

describe('the stack CLI', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-cli-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where NATS and the database are, and on SIGTERM stops them and exits 0', async () => {
    const env = { ...process.env };
    delete env['NATS_URL'];
    delete env['DATABASE_URL'];
    const child = spawn(process.execPath, [cli, '--data-dir', dataDir, '--services', '', '--any-free-port'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const seen: string[] = [];
    let natsUrl = '';
    let databaseUrl = '';
    for await (const line of lines) {
      seen.push(line);
      natsUrl = /^\s+NATS\s+(\S+)/.exec(line)?.[1] ?? natsUrl;
      databaseUrl = /^\s+database\s+(\S+)/.exec(line)?.[1] ?? databaseUrl;
      if (line.includes('Ctrl-C stops everything')) break;
    }
    // Keep draining: the CLI still writes while it stops.
    child.stdout.resume();
    expect(seen.join('\n')).toContain('mapek is up');
    await expect(jetStreamAnswers(natsUrl, natsClientTls(certsDirOf(dataDir), 'cli'))).resolves.toBe(true);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await expect(client.query('select 1 as answer')).resolves.toMatchObject({ rows: [{ answer: 1 }] });
    await client.end();

    child.kill('SIGTERM');
    await expect(exited).resolves.toBe(0);
    await expect(isPortFree(Number(new URL(natsUrl).port))).resolves.toBe(true);
    await expect(isPortFree(Number(new URL(databaseUrl).port))).resolves.toBe(true);
  });
});
