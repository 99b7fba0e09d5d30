import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@mapek/testing';

/** An alert as Alertmanager's API v2 takes it (`POST /api/v2/alerts`). */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  /** In the past: the alert is resolved. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** An Alertmanager server of a test's own: a free loopback port, its own data directory, removed on stop. */
export interface AlertmanagerServer {
  readonly url: string;
  /** Posts alerts to `/api/v2/alerts`, as Prometheus does. */
  post(alerts: readonly PostableAlert[]): Promise<void>;
  /** What the server printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

/** Debian's prometheus-alertmanager (installed by ./mapek test), or the one ALERTMANAGER names. */
export function findAlertmanager(): string {
  const candidates = [process.env.ALERTMANAGER, '/usr/bin/prometheus-alertmanager'].filter((path): path is string => path !== undefined);
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      'prometheus-alertmanager not found: apt-get install prometheus-alertmanager (./mapek test does), or set ALERTMANAGER to its binary',
    );
  return found;
}

/**
 * Starts Alertmanager with `config` (alertmanager.yml, YAML) and resolves once it answers
 * /-/ready. Clustering is off (`--cluster.listen-address=`): one server, no gossip port.
 */
export async function startAlertmanager(config: string): Promise<AlertmanagerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mapek-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    findAlertmanager(),
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}: ${log}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'alertmanager to be ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async post(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!response.ok) throw new Error(`alertmanager refused the alerts: ${response.status} ${await response.text()}`);
    },
    output: () => log,
    stop,
  };
}
