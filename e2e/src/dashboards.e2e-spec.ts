import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { newEventId } from '@mapek/contracts';
import {
  DeployPath,
  builtinVariables,
  deployPath,
  grafanaDashboardValidator,
  mapekDashboards,
  panelQueries,
  prometheusConfig,
  substituteVariables,
  variableQueries,
  type PanelQuery,
} from '@mapek/dashboards';
import type { Stack } from '@mapek/stack';
import { startPrometheus, waitFor, type PrometheusServer } from '@mapek/testing';
import type { LoopClient } from './loop-client.js';
import { startLoopStack, type LoopStack } from './loop-stack.js';

const SERVICES = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway'] as const;

interface DashboardJson {
  readonly title: string;
  readonly panels: ReadonlyArray<{ readonly title?: string }>;
  readonly templating: {
    readonly list: ReadonlyArray<{ readonly name: string; readonly type: string; readonly allValue?: string; readonly query?: unknown }>;
  };
}

/** The committed dashboards, as Grafana would load them from deploy/grafana/dashboards. */
async function committedDashboards(): Promise<DashboardJson[]> {
  return Promise.all(
    mapekDashboards.map(
      async ({ file }) => JSON.parse(await readFile(deployPath(join(DeployPath.dashboards, file)), 'utf8')) as DashboardJson,
    ),
  );
}

/**
 * Every panel's query with Grafana's variables substituted: `$__rate_interval` as Grafana makes it
 * for a 1 s scrape interval and a short range (at least four scrapes; 30 s leaves room), the range
 * as a dashboard opened on the test's last 15 minutes, and each template variable as "All".
 */
function runnableQueries(dashboards: readonly DashboardJson[]): Array<PanelQuery & { readonly promql: string }> {
  const builtins = builtinVariables({ rateInterval: '30s', interval: '2s', range: '15m' });
  return dashboards.flatMap((dashboard) => {
    const values: Record<string, string> = { ...builtins };
    for (const variable of dashboard.templating.list) if (variable.type === 'query') values[variable.name] = variable.allValue ?? '.*';
    return panelQueries(dashboard).map((query) => ({ ...query, promql: substituteVariables(query.expr, values) }));
  });
}

describe('the dashboards and rules against a real Prometheus scraping the whole stack', () => {
  let running: LoopStack;
  let stack: Stack;
  let loop: LoopClient;
  let prometheus: PrometheusServer;
  const started = Date.now();

  beforeAll(async () => {
    running = await startLoopStack('dashboards', {
      executor: { MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS: '4000', MAPEK_EXECUTOR_VERIFICATION_GRACE_MS: '1000' },
      planner: { MAPEK_PLANNER_COOLDOWN_MS: '0' },
      // The second leak must open an incident of its own, not extend the first one.
      analyzer: { MAPEK_ANALYZER_INCIDENT_QUIET_MS: '2000' },
    });
    ({ stack, loop } = running);
    prometheus = await startPrometheus(
      prometheusConfig({
        targets: SERVICES.map((service) => ({ service, url: stack.serviceUrl(service) })),
        ...(stack.caFile !== undefined ? { caFile: stack.caFile } : {}),
        ruleFiles: [deployPath(join(DeployPath.rules, 'mapek.rules.yml'))],
        scrapeInterval: '1s',
        evaluationInterval: '1s',
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await running?.stop();
  });

  it("validates every committed dashboard against Grafana's dashboard schema", async () => {
    const validator = grafanaDashboardValidator();
    for (const dashboard of await committedDashboards())
      expect({ dashboard: dashboard.title, problems: validator.validate(dashboard) }).toEqual({ dashboard: dashboard.title, problems: [] });
  }, 120_000);

  it('scrapes every service, the gateway over HTTPS with the development CA and without an API key', async () => {
    expect(stack.security).toBe('on');
    const targets = await waitFor(
      async () => {
        const active = await prometheus.targets();
        return active.length === SERVICES.length && active.every((target) => target.health === 'up') && active;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'every mapek target up in Prometheus' },
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${JSON.stringify(await prometheus.targets(), null, 2)}\n${prometheus.output()}`, { cause: error });
    });
    expect(targets.map((target) => target.labels.job).sort()).toEqual(SERVICES.map((service) => `mapek-${service}`).sort());
    expect(targets.find((target) => target.labels.job === 'mapek-gateway')?.scrapeUrl).toMatch(/^https:/);
  });

  it('heals the demo memory leak twice while Prometheus watches, after refused events and refused API requests', async () => {
    // A malformed symptom (rejected and dead-lettered) and one the monitor did not sign (bad_signature), as the monitor identity.
    const nc = await connect(stack.natsConnectOptions('monitor'));
    await nc.request('mapek.symptoms.demo-app', '{"id":"not-a-uuid","type":"symptom"}', { timeout: 2000 }).catch(() => undefined);
    const now = new Date().toISOString();
    const forged = {
      id: newEventId(),
      type: 'symptom',
      version: 1,
      source: 'monitor',
      time: now,
      target: 'forged-target',
      data: {
        source: 'threshold',
        rule: 'memory',
        severity: 'critical',
        metric: 'process_resident_memory_bytes',
        value: 9e9,
        threshold: 4e8,
        labels: {},
        description: 'forged',
        observedAt: now,
      },
    };
    await jetstream(nc).publish('mapek.symptoms.forged-target', JSON.stringify(forged));
    await nc.close();
    // A request without an API key (401, reason missing) and one with a key that does not exist (401, unknown).
    expect((await loop.json(`${stack.gatewayUrl}/api/v1/incidents`, { headers: { authorization: 'Bearer none' } })).status).toBe(401);
    expect(
      (
        await loop.json(`${stack.gatewayUrl}/api/v1/incidents`, {
          headers: { authorization: 'Bearer mapek_0000000000000000_0000000000000000000000000000000000000000000' },
        })
      ).status,
    ).toBe(401);

    // Twice, so the outcome counters (created at their first increment) increase while Prometheus scrapes them.
    for (const round of [1, 2]) {
      const since = Date.now();
      await loop.fault('/demo/memory-leak?size_mb=100&count=5');
      const healed = await loop.waitForIncident(
        since,
        (incident) => incident.cause === 'memory_leak' && incident.outcome !== null,
        60_000,
        `memory-leak incident ${round} to reach an outcome`,
      );
      expect(healed.outcome).toBe('success');
    }
  }, 240_000);

  it("answers every panel's query with data, its variables substituted as Grafana would", async () => {
    const queries = runnableQueries(await committedDashboards());
    expect(queries.length).toBeGreaterThan(40);
    const emptyQueries = async () => {
      const results = await Promise.all(queries.map(async (query) => ({ query, result: await prometheus.query(query.promql) })));
      return results
        .filter(({ result }) => result.length === 0)
        .map(({ query }) => `${query.dashboard} / ${query.panel} (${query.refId}): ${query.promql}`);
    };
    // Rates need a few scrapes of the counters the heals created: wait for the real signal, the answers.
    await waitFor(async () => (await emptyQueries()).length === 0, {
      timeoutMs: 90_000,
      intervalMs: 1000,
      what: 'every panel query to return data',
    }).catch(() => undefined);
    expect(await emptyQueries()).toEqual([]);

    // And the figures are the ones the loop produced.
    const value = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1]);
    // Open incidents as the gateway's API lists them (other kinds of trouble on the demo app may be open too).
    const openInApi = async () =>
      (await loop.json<{ incidents: unknown[] }>(`${stack.gatewayUrl}/api/v1/incidents?status=open&limit=500`)).body.incidents.length;
    await waitFor(async () => (await value('max(mapek_incidents_open)')) === (await openInApi()), {
      timeoutMs: 10_000,
      intervalMs: 500,
      what: 'the open-incidents gauge to match the API',
    }).catch(() => undefined);
    expect(await value('max(mapek_incidents_open)')).toBe(await openInApi());
    expect(await value('max(mapek_plans_pending_approval)')).toBe(0);
    // The counters themselves: both heals may land before Prometheus first scrapes the series, and
    // increase() over a series first seen at its final value is 0 (a ratio of 0/0).
    expect(await value('sum(mapek_executor_outcomes_total{outcome="success"}) / sum(mapek_executor_outcomes_total)')).toBe(1);
    const outcomes = await prometheus.query('sum by (cause, remedy, outcome) (mapek_executor_outcomes_total)');
    expect(outcomes.map((sample) => sample.metric)).toContainEqual({
      cause: 'memory_leak',
      remedy: 'clear_cache+collect_garbage',
      outcome: 'success',
    });
    const rejected = (await prometheus.query('sum by (reason) (mapek_events_rejected_total)')).map((sample) => sample.metric.reason);
    expect(rejected).toEqual(expect.arrayContaining(['malformed', 'bad_signature']));
    const denied = (await prometheus.query('sum by (reason) (mapek_gateway_requests_denied_total)')).map((sample) => sample.metric.reason);
    expect(denied.length).toBeGreaterThan(0);
    expect(
      await value('count(histogram_quantile(0.95, sum by (le) (rate(mapek_executor_incident_to_remedy_seconds_bucket[15m]))) > 0)'),
    ).toBe(1);
  }, 150_000);

  it('resolves every template variable of every dashboard to values', async () => {
    for (const dashboard of await committedDashboards()) {
      for (const variable of variableQueries(dashboard)) {
        const match = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query);
        if (!match) throw new Error(`${dashboard.title}: ${variable.name} is not a label_values(metric, label) query`);
        const values = await prometheus.labelValues(match[2] as string, match[1] as string);
        expect({ dashboard: dashboard.title, variable: variable.name, some: values.length > 0 }).toEqual({
          dashboard: dashboard.title,
          variable: variable.name,
          some: true,
        });
      }
    }
    expect(await prometheus.labelValues('service', 'mapek_service_up')).toEqual(expect.arrayContaining([...SERVICES]));
  });

  it('evaluates every rule without error; recording rules have data; the forged event and the dead letters fire their alerts', async () => {
    // A rule's health is `unknown` until its group first runs (the recording group every 30 s).
    const rules = await waitFor(
      async () => {
        const all = await prometheus.rules();
        return all.length > 0 && all.every((rule) => rule.health !== 'unknown') && all;
      },
      { timeoutMs: 70_000, intervalMs: 1000, what: 'every rule group to have run once' },
    );
    expect(rules.length).toBeGreaterThan(20);
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`)).toEqual([]);
    const recorded = rules.filter((rule) => rule.type === 'recording').map((rule) => rule.name);
    const unrecorded = async () =>
      (await Promise.all(recorded.map(async (name) => ((await prometheus.query(name)).length === 0 ? [name] : [])))).flat();
    // The recording group runs every 30 s.
    await waitFor(async () => (await unrecorded()).length === 0, {
      timeoutMs: 70_000,
      intervalMs: 1000,
      what: 'every recording rule to have data',
    }).catch(() => undefined);
    expect(await unrecorded()).toEqual([]);

    const firing = async () => (await prometheus.rules()).filter((rule) => rule.type === 'alerting' && rule.state === 'firing');
    const expected = ['MapekForgedEvents', 'MapekDeadLetters'];
    await waitFor(
      async () => {
        const names = (await firing()).map((rule) => rule.name);
        return expected.every((name) => names.includes(name));
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the alerts on the forged event and the dead letters to fire' },
    ).catch(() => undefined);
    const alerts = await firing();
    const forged = alerts.find((rule) => rule.name === 'MapekForgedEvents');
    expect(forged?.alerts?.map((alert) => alert.labels.reason)).toContain('bad_signature');
    expect(alerts.map((rule) => rule.name)).toContain('MapekDeadLetters');
    // A healthy, healed stack raises none of the alerts about the loop itself.
    expect(
      alerts
        .map((rule) => rule.name)
        .filter((name) =>
          ['MapekServiceDown', 'MapekLoopStalled', 'MapekTelemetryStalled', 'MapekConsumerLagGrowing', 'MapekApprovalsWaiting'].includes(
            name,
          ),
        ),
    ).toEqual([]);
    console.info(`dashboards e2e: ${Math.round((Date.now() - started) / 1000)} s since the suite started`);
  }, 120_000);
});
