import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mapekDashboards, renderJson } from './dashboard.catalog.js';
import { DeployPath, deployPath, repositoryRoot } from './deploy-paths.js';
import { staleGeneratedFiles } from './generated-files.js';
import { grafanaDashboardValidator, type DashboardValidator } from './grafana-schema.js';
import { builtinVariables, panelQueries, substituteVariables } from './panel-queries.js';

interface DashboardJson {
  uid: string;
  title: string;
  panels: Array<{
    id: number;
    type: string;
    title: string;
    description?: string;
    datasource?: { uid: string };
    targets?: Array<{ refId: string; expr: string }>;
    options?: Record<string, unknown>;
  }>;
  templating: { list: Array<{ name: string; type: string; allValue?: string }> };
}

const committed = async (): Promise<Array<{ file: string; json: DashboardJson }>> =>
  Promise.all(
    mapekDashboards.map(async ({ file }) => ({
      file,
      json: JSON.parse(await readFile(deployPath(join(DeployPath.dashboards, file)), 'utf8')) as DashboardJson,
    })),
  );

/** prom-client's default metrics that the dashboards read (libs/observability calls collectDefaultMetrics). */
const defaultMetricsRead = [
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_p99_seconds',
];

/** Every `mapek_*` name the services' and libs' sources spell out (`'mapek_…'`): the metrics they register. */
async function registeredMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const root of ['services', 'libs']) {
    for (const project of await readdir(join(repositoryRoot, root))) {
      const src = join(repositoryRoot, root, project, 'src');
      for (const entry of await readdir(src, { recursive: true }).catch(() => [] as string[])) {
        if (!entry.endsWith('.ts') || entry.endsWith('spec.ts')) continue;
        for (const match of (await readFile(join(src, entry), 'utf8')).matchAll(/'(mapek_[a-z0-9_]+)'/g)) names.add(match[1] as string);
      }
    }
  }
  return names;
}

describe('the Grafana dashboards as code', () => {
  let validator: DashboardValidator;

  beforeAll(() => {
    validator = grafanaDashboardValidator();
  }, 120_000);

  it('are committed exactly as the generator produces them (run `pnpm dashboards generate` after changing the TypeScript)', async () => {
    expect(await staleGeneratedFiles()).toEqual([]);
  });

  it("each validate against Grafana's dashboard schema and their panel plugins' option schemas", async () => {
    for (const { file, json } of await committed()) expect({ file, problems: validator.validate(json) }).toEqual({ file, problems: [] });
  });

  it('the schema check catches a misspelt panel option, an unknown dashboard field and a wrongly typed grid position', () => {
    const dashboard = JSON.parse(renderJson(mapekDashboards[0]?.build())) as DashboardJson & Record<string, unknown>;
    const panel = dashboard.panels.find((candidate) => candidate.type === 'timeseries');
    if (!panel?.options) throw new Error('the loop overview has a time series panel');
    panel.options.legnd = { showLegend: true };
    (panel as unknown as { gridPos: { w: unknown } }).gridPos.w = 'wide';
    dashboard.refreshEvery = '30s';
    const problems = validator.validate(dashboard);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/options.*must NOT have additional properties \(legnd\)/),
        expect.stringMatching(/additional properties \(refreshEvery\)/),
        expect.stringMatching(/gridPos\/w: must be number/),
      ]),
    );
  });

  it('give every panel a unique id, a title, a description and the datasource variable, and every query a refId', async () => {
    for (const { json } of await committed()) {
      const ids = json.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of json.panels.filter((candidate) => candidate.type !== 'row')) {
        expect(panel.title).not.toBe('');
        expect(panel.description).toEqual(expect.any(String));
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.refId).toMatch(/^[A-Z]$/);
      }
    }
  });

  it('have distinct uids, and each query uses only variables its dashboard defines', async () => {
    const dashboards = await committed();
    expect(new Set(dashboards.map(({ json }) => json.uid)).size).toBe(dashboards.length);
    const builtins = builtinVariables({ rateInterval: '1m', interval: '15s', range: '1h' });
    for (const { json } of dashboards) {
      const values: Record<string, string> = { ...builtins };
      for (const variable of json.templating.list) values[variable.name] = variable.allValue ?? 'x';
      for (const query of panelQueries(json)) expect(() => substituteVariables(query.expr, values)).not.toThrow();
    }
  });

  it("read only metrics that mapek registers, prom-client's defaults and Prometheus' up", async () => {
    const known = await registeredMetricNames();
    for (const name of [...defaultMetricsRead, 'up']) known.add(name);
    const unknown: string[] = [];
    for (const { json } of await committed()) {
      for (const query of panelQueries(json)) {
        for (const [name] of query.expr.matchAll(/\b(?:mapek|process|nodejs)_[a-z0-9_]+\b|\bup(?=\{)/g)) {
          const base = name.replace(/_(bucket|sum|count)$/, '');
          if (!known.has(name) && !known.has(base)) unknown.push(`${json.title} / ${query.panel}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('are provisioned with a Prometheus data source and a file provider for the generated folder', async () => {
    const datasources = parse(await readFile(deployPath(DeployPath.datasourceProvisioning), 'utf8')) as {
      apiVersion: number;
      datasources: Array<{ type: string; uid: string; isDefault: boolean; url: string }>;
    };
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', uid: 'mapek-prometheus', isDefault: true, url: '$MAPEK_PROMETHEUS_URL' }),
    ]);
    const providers = parse(await readFile(deployPath(DeployPath.dashboardProvisioning), 'utf8')) as {
      apiVersion: number;
      providers: Array<{ type: string; folder: string; options: { path: string } }>;
    };
    expect(providers.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        folder: 'mapek',
        options: expect.objectContaining({ path: '/etc/grafana/dashboards/mapek' }),
      }),
    ]);
    for (const { json } of await committed())
      expect(json.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
  });
});
