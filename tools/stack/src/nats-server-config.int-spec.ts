import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSupportedNatsServer } from '@mapek/messaging';
import { freePort } from '@mapek/testing';
import type { NatsSyncInterval } from './nats-server-config.js';
import { assertSupportedNatsServerBinary, createNatsServer, findNatsServer, type NatsServer } from './nats-server.js';
import { NatsServerTooOldError } from './stack.errors.js';

/** JetStream's settings as the running server reports them on its monitoring port. */
async function jetStreamConfig(server: NatsServer): Promise<{ sync_interval?: number; sync_always?: boolean; store_dir: string }> {
  const varz = (await (await fetch(`http://127.0.0.1:${server.monitorPort}/varz`)).json()) as {
    jetstream: { config: { sync_interval?: number; sync_always?: boolean; store_dir: string } };
  };
  return varz.jetstream.config;
}

/** The nats-server the stack starts, from the config it writes (security off: no credentials needed). */
describe('the stack nats-server: version and JetStream fsync interval', () => {
  let dataDir: string;
  const servers: NatsServer[] = [];

  const start = async (name: string, syncInterval?: NatsSyncInterval) => {
    const server = await createNatsServer({
      binary: await findNatsServer(),
      port: await freePort(),
      monitorPort: await freePort(),
      dataDir: join(dataDir, name),
      prefix: '',
      output: null,
      cwd: dataDir,
      ...(syncInterval !== undefined ? { syncInterval } : {}),
    });
    servers.push(server);
    await server.start(30_000);
    return server;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mapek-nats-config-'));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.process.stop('SIGTERM', 5000)));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps nats-server's default fsync interval of 2 minutes in development", async () => {
    const config = await jetStreamConfig(await start('default'));
    expect(config.sync_interval).toBe(120e9);
    expect(config.sync_always).toBeFalsy();
    expect(config.store_dir).toBe(join(dataDir, 'default', 'nats', 'jetstream'));
  });

  it('fsyncs every write with sync_interval always, as production runs it', async () => {
    expect(await jetStreamConfig(await start('always', 'always'))).toMatchObject({ sync_always: true });
  });

  it('takes a duration as the fsync interval', async () => {
    expect(await jetStreamConfig(await start('ten-seconds', '10s'))).toMatchObject({ sync_interval: 10e9 });
  });

  it('runs a supported nats-server and refuses an older one before starting it', async () => {
    expect(isSupportedNatsServer(await assertSupportedNatsServerBinary(await findNatsServer()))).toBe(true);
    const debian = join(dataDir, 'nats-server-2.9');
    await writeFile(debian, '#!/bin/sh\necho "nats-server: v2.9.10"\n');
    await chmod(debian, 0o755);
    const attempt = assertSupportedNatsServerBinary(debian);
    await expect(attempt).rejects.toThrow(NatsServerTooOldError);
    await expect(attempt).rejects.toThrow(/is nats-server 2\.9\.10, too old\. mapek needs nats-server 2\.12 or newer/);
  });
});
