import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { LiveConfiguration } from '@mapek/config';
import {
  HeartbeatVia,
  StreamName,
  SubjectKind,
  parseEnvelope,
  subjectWildcard,
  type Envelope,
  type MapekConfiguration,
} from '@mapek/contracts';
import { MessagingRuntime } from '@mapek/messaging';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { followConfigurationFile } from '@mapek/service-kit';
import {
  closedPort,
  freePort,
  startNatsServer,
  startPostgresServer,
  startPrometheus,
  waitFor,
  type NatsServerProcess,
  type PostgresServerProcess,
  type PrometheusServer,
} from '@mapek/testing';
import { runProbe } from './adapters/health-probes.js';
import { HeartbeatFeed } from './adapters/heartbeat.feed.js';
import { monitorSources } from './domain/monitored-target.js';
import { defaultRules } from './domain/threshold-rules.js';
import { ScrapeScheduler } from './handlers/scrape.scheduler.js';

const PREFIX = 'mapek';

/**
 * The monitor's sources against the real things: a Prometheus it queries with PromQL, a
 * PostgreSQL it probes with `select 1`, a nats-server it connects to, heartbeats on the telemetry
 * stream, and a configuration file changed while it runs. Symptoms are read back from JetStream.
 */
describe('the monitor watching targets from the configuration file', () => {
  let dir: string;
  let file: string;
  let nats: NatsServerProcess;
  let postgres: PostgresServerProcess;
  let prometheus: PrometheusServer;
  let exporter: Server;
  let runtime: MessagingRuntime;
  let live: LiveConfiguration;
  let scheduler: ScrapeScheduler;
  let feed: ConsumerMessages;
  let refusedPort: number;
  const metrics = new ServiceMetrics('monitor');
  const logger = createLogger('monitor', 'silent');
  const symptoms: Envelope<'symptom'>[] = [];

  const symptomsOf = (target: string, rule: string, after = 0) =>
    symptoms.filter((event) => event.target === target && event.data.rule === rule && Date.parse(event.data.observedAt) > after);

  const write = (config: Omit<MapekConfiguration, 'sources' | 'remediation' | 'limits' | 'targets'> & { targets: unknown[] }) =>
    writeFile(file, JSON.stringify({ ...config, sources: { prometheus: { url: prometheus.url, timeoutMs: 2000 } } }));

  /** The targets every version of the file has: an always-failing TCP probe that marks the ticks. */
  const ticker = { name: 'ticker', probes: [{ kind: 'tcp', host: '127.0.0.1', port: 0 }] };

  /** Resolves once the ticker's symptoms show `ticks` more ticks after `after`. */
  const ticksAfter = (after: number, ticks: number) =>
    waitFor(() => symptomsOf('ticker', 'health-tcp', after).length >= ticks && symptomsOf('ticker', 'health-tcp', after), {
      timeoutMs: 10_000,
      what: `${ticks} ticks`,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapek-monitor-'));
    file = join(dir, 'mapek.yaml');
    refusedPort = await closedPort();
    ticker.probes[0]!.port = refusedPort;
    // A service's own exporter, which Prometheus scrapes: two queues, one too deep.
    exporter = createServer((_, response) => {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end('# TYPE queue_depth gauge\nqueue_depth{queue="orders"} 150\nqueue_depth{queue="refunds"} 3\n');
    });
    const exporterPort = await freePort();
    await new Promise<void>((resolve) => exporter.listen(exporterPort, '127.0.0.1', resolve));
    [nats, postgres, prometheus] = await Promise.all([
      startNatsServer(),
      startPostgresServer(),
      startPrometheus(
        `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: queues\n    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]\n`,
      ),
    ]);
    await waitFor(async () => (await prometheus.query('queue_depth')).length === 2, {
      timeoutMs: 30_000,
      what: 'Prometheus to scrape the exporter',
    });
    runtime = await MessagingRuntime.connect({
      servers: nats.url,
      service: 'monitor',
      instance: 'monitor-int',
      prefix: PREFIX,
      replicas: 1,
      logger,
      metrics,
      provision: true,
    });
    const reader = await runtime.js.consumers.get(StreamName.events, {
      filter_subjects: [subjectWildcard(SubjectKind.symptoms, PREFIX)],
      deliver_policy: DeliverPolicy.New,
    });
    feed = await reader.consume();
    void (async () => {
      for await (const msg of feed) {
        const parsed = parseEnvelope(msg.data);
        if (parsed.ok && parsed.envelope.type === 'symptom') symptoms.push(parsed.envelope as Envelope<'symptom'>);
      }
    })();
    const pgUrl = new URL(postgres.adminUrl);
    await write({
      version: 1,
      targets: [
        ticker,
        {
          name: 'orders',
          prometheus: [
            {
              name: 'queue-depth',
              query: 'queue_depth',
              threshold: 100,
              severity: 'warning',
              description: 'queue deeper than 100',
              metric: 'queue_depth',
            },
          ],
        },
        {
          name: 'orders-db',
          probes: [
            { kind: 'postgres', url: postgres.adminUrl },
            { kind: 'tcp', host: pgUrl.hostname, port: Number(pgUrl.port) },
          ],
        },
        { name: 'bus', probes: [{ kind: 'nats', url: nats.url }] },
        { name: 'batch-job', heartbeat: { timeoutMs: 1000 } },
      ],
    });
    live = await followConfigurationFile({ service: 'monitor', file, logger, metrics, intervalMs: 60_000 });
    let seen: MapekConfiguration | undefined;
    let sources = monitorSources([], live.current(), defaultRules);
    scheduler = new ScrapeScheduler(
      {
        sources: () => {
          if (live.current() !== seen) {
            seen = live.current();
            sources = monitorSources([], seen, defaultRules);
          }
          return sources;
        },
        intervalMs: 200,
        spread: true,
        timeoutMs: 1000,
        probeFailures: 1,
        batching: { partitions: 4, maxSamples: 4000, lingerMs: 20 },
        heartbeats: new HeartbeatFeed(runtime.js, PREFIX, logger, metrics, undefined),
      },
      runtime.publisher,
      logger,
      metrics,
    );
    await scheduler.onApplicationBootstrap();
  }, 90_000);

  afterAll(async () => {
    await scheduler?.onApplicationShutdown();
    live?.stop();
    feed?.stop();
    await runtime?.close();
    await Promise.allSettled([nats?.stop(), postgres?.stop(), prometheus?.stop(), new Promise((resolve) => exporter?.close(resolve))]);
    await rm(dir, { recursive: true, force: true });
  });

  it('turns each series of a PromQL answer that breaks the rule into a threshold symptom named by the rule metric', async () => {
    const [symptom] = await waitFor(() => symptomsOf('orders', 'queue-depth').length > 0 && symptomsOf('orders', 'queue-depth'), {
      what: 'a PromQL symptom',
    });
    expect(symptom?.data).toMatchObject({
      source: 'threshold',
      metric: 'queue_depth',
      value: 150,
      threshold: 100,
      severity: 'warning',
      labels: { queue: 'orders', job: 'queues' },
    });
    await ticksAfter(Date.parse(symptom!.data.observedAt), 2);
    expect(symptomsOf('orders', 'queue-depth').every((event) => event.data.labels['queue'] === 'orders')).toBe(true);
  });

  it('finds PostgreSQL, its port and NATS up, and raises health symptoms once PostgreSQL is gone', async () => {
    expect(await runProbe({ kind: 'postgres', url: postgres.adminUrl }, 2000)).toEqual({ ok: true, detail: 'select 1' });
    expect(await runProbe({ kind: 'nats', url: nats.url }, 2000)).toEqual({ ok: true, detail: 'PING answered' });
    expect((await runProbe({ kind: 'nats', url: `nats://127.0.0.1:${refusedPort}` }, 2000)).ok).toBe(false);
    const before = Date.now();
    await ticksAfter(before, 2);
    expect(symptoms.filter((event) => event.target === 'orders-db' || event.target === 'bus')).toEqual([]);

    await postgres.kill();
    const down = Date.now();
    await waitFor(
      () => symptomsOf('orders-db', 'health-postgres', down).length > 0 && symptomsOf('orders-db', 'health-tcp', down).length > 0,
      { what: 'PostgreSQL health symptoms' },
    );
    expect(symptomsOf('orders-db', 'health-postgres', down)[0]?.data).toMatchObject({
      source: 'health',
      metric: 'probe_success',
      value: 0,
      labels: { probe: 'postgres' },
    });
    expect(symptomsOf('bus', 'health-nats')).toEqual([]);
    await postgres.restart();
  });

  it('raises a heartbeat symptom for a silent target until it reports in again', async () => {
    const [silent] = await waitFor(() => symptomsOf('batch-job', 'heartbeat').length > 0 && symptomsOf('batch-job', 'heartbeat'), {
      what: 'a heartbeat symptom',
    });
    expect(silent?.data).toMatchObject({ source: 'health', metric: 'heartbeat_silence_seconds', threshold: 1 });
    expect(silent?.data.value).toBeGreaterThan(1);

    // The job reports in, and keeps reporting well inside its timeout, as a live job does: one
    // heartbeat alone would only hold the silence off for the timeout, which a slow machine's
    // ticks can outlast.
    const reportIn = () =>
      runtime.publisher.publish('heartbeat', {
        target: 'batch-job',
        data: { via: HeartbeatVia.gateway, reporter: 'cron', sentAt: new Date().toISOString() },
      });
    await reportIn();
    const reporting = setInterval(() => void reportIn().catch(() => undefined), 200);
    try {
      await waitFor(() => scheduler.heartbeatsSeen()['batch-job'], { what: 'the monitor to see the heartbeat' });
      // A tick that was already running may still report the silence; two ticks on none may.
      const ticks = await ticksAfter(Date.now(), 2);
      const settled = Date.parse(ticks[0]!.data.observedAt);
      expect(symptomsOf('batch-job', 'heartbeat', settled)).toEqual([]);
    } finally {
      clearInterval(reporting);
    }
  });

  it('watches a target added to the file at the next tick, stops watching a removed one, and refuses a bad file while the last good one stays', async () => {
    const added = { name: 'payments', probes: [{ kind: 'tcp', host: '127.0.0.1', port: refusedPort }] };
    await write({ version: 1, targets: [ticker, added] });
    await live.check();
    await waitFor(() => symptomsOf('payments', 'health-tcp').length > 0, { what: 'the added target to be probed' });

    await write({ version: 1, targets: [ticker] });
    await live.check();
    const ticks = await ticksAfter(Date.now(), 2);
    expect(symptomsOf('payments', 'health-tcp', Date.parse(ticks[0]!.data.observedAt))).toEqual([]);

    await writeFile(file, 'version: 1\ntargets: [{ name: "bad name" }]\n');
    await live.check();
    expect(live.status()).toMatchObject({ loads: 3, rejections: 1, lastError: { problems: [expect.stringContaining('targets.0.name')] } });
    const text = await metrics.text();
    expect(text).toMatch(/^mapek_configuration_loads_total\{service="monitor"\} 3$/m);
    expect(text).toMatch(/^mapek_configuration_rejections_total\{service="monitor"\} 1$/m);
    expect(text).toMatch(/^mapek_configuration_last_load_success\{service="monitor"\} 0$/m);
    const still = Date.now();
    await ticksAfter(still, 1);
    expect(live.current().targets.map((target) => target.name)).toEqual(['ticker']);
  });
});
