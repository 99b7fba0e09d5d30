import { existsSync } from 'node:fs';
import { startReadyServer, type ReadyServer } from './ready-server.process.js';

/** One series or sample of an instant query's answer. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PrometheusTarget {
  readonly labels: Record<string, string>;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
  readonly scrapeUrl: string;
}

export interface PrometheusRuleState {
  readonly name: string;
  readonly type: 'recording' | 'alerting';
  readonly health: string;
  readonly lastError?: string;
  readonly state?: 'inactive' | 'pending' | 'firing';
  readonly alerts?: Array<{ labels: Record<string, string>; state: string }>;
}

/** A Prometheus server of a test's own: a free loopback port, its own data directory, removed on stop. */
export interface PrometheusServer extends ReadyServer {
  /** Instant query through `/api/v1/query`; throws with Prometheus' error for a bad query. */
  query(expr: string): Promise<PromSample[]>;
  labelValues(label: string, match: string): Promise<string[]>;
  targets(): Promise<PrometheusTarget[]>;
  rules(): Promise<PrometheusRuleState[]>;
}

/** Debian's prometheus (installed by ./mapek test), or the one PROMETHEUS names. */
export function findPrometheus(): string {
  const candidates = [process.env.PROMETHEUS, '/usr/bin/prometheus'].filter((path): path is string => path !== undefined);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error('prometheus not found: apt-get install prometheus (./mapek test does), or set PROMETHEUS to its binary');
  return found;
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

/** Starts Prometheus with `config` (YAML) and resolves once it answers /-/ready. */
export async function startPrometheus(config: string): Promise<PrometheusServer> {
  const server = await startReadyServer({
    name: 'prometheus',
    binary: findPrometheus(),
    configFile: 'prometheus.yml',
    config,
    args: ({ configFile, dataDir, port }) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
  });
  const { url } = server;
  return {
    ...server,
    query: async (expr) =>
      (await api<{ resultType: string; result: PromSample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    labelValues: (label, match) =>
      api<string[]>(`${url}/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`),
    targets: async () => (await api<{ activeTargets: PrometheusTarget[] }>(`${url}/api/v1/targets?state=active`)).activeTargets,
    rules: async () =>
      (await api<{ groups: Array<{ rules: PrometheusRuleState[] }> }>(`${url}/api/v1/rules`)).groups.flatMap((group) => group.rules),
  };
}
