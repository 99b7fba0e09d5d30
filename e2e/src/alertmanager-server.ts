import { existsSync } from 'node:fs';
import { startReadyServer, type ReadyServer } from '@mapek/testing';

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
export interface AlertmanagerServer extends ReadyServer {
  /** Posts alerts to `/api/v2/alerts`, as Prometheus does. */
  post(alerts: readonly PostableAlert[]): Promise<void>;
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
  const server = await startReadyServer({
    name: 'alertmanager',
    binary: findAlertmanager(),
    configFile: 'alertmanager.yml',
    config,
    args: ({ configFile, dataDir, port }) => [
      `--config.file=${configFile}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
  return {
    ...server,
    async post(alerts) {
      const response = await fetch(`${server.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!response.ok) throw new Error(`alertmanager refused the alerts: ${response.status} ${await response.text()}`);
    },
  };
}
