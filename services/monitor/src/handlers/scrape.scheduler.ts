import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, Counter, Histogram } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Probe, PrometheusRule, Sample, SymptomV1, TargetScrape } from '@mapek/contracts';
import { EVENT_PUBLISHER, inNewTrace, type EventPublisherPort } from '@mapek/messaging';
import {
  LOGGER,
  METRICS,
  logContext,
  recordFinishedSpan,
  withSpan,
  type FinishedWork,
  type Logger,
  type ServiceMetrics,
} from '@mapek/observability';
import { ScrapeError, scrapeMetrics } from '../adapters/http-scraper.js';
import { runProbe, type ProbeResult } from '../adapters/health-probes.js';
import { queryPrometheus } from '../adapters/prometheus.client.js';
import { observationSpans, type CheckTiming } from '../adapters/observation-spans.js';
import { HeartbeatTracker } from '../domain/heartbeat-tracker.js';
import { probeEndpoint, probeKey, type MonitoredTarget, type MonitorSources } from '../domain/monitored-target.js';
import { ProbeTracker } from '../domain/probe-tracker.js';
import { SampleBatcher } from '../domain/sample-batcher.js';
import { cameDue, scrapeOffsetMs } from '../domain/scrape-phases.js';
import { evaluatePromqlRule } from '../domain/promql-rules.js';
import { SustainedViolations, evaluateRules } from '../domain/threshold-rules.js';

export const MONITOR_SETTINGS = Symbol.for('mapek.monitor.settings');

/** How long a scrape's batch waits behind its symptoms (at most a quarter of the interval). */
const SYMPTOMS_FIRST_MS = 100;

/** How often, per interval, the scheduler looks for targets that came due (at most every {@link MIN_WAKE_MS}). */
const WAKES_PER_INTERVAL = 50;
const MIN_WAKE_MS = 5;

/** Milliseconds since the epoch from the monotonic clock: a step of the wall clock neither skips nor repeats a round. */
const monotonicNow = (): number => performance.timeOrigin + performance.now();

export interface MonitorSettings {
  /** What to watch now: read at every tick, so a reloaded configuration file takes effect at the next one. */
  readonly sources: () => MonitorSources;
  readonly intervalMs: number;
  /** Each target observed at its own offset in the interval (see {@link scrapeOffsetMs}); false: all at the interval's start. */
  readonly spread: boolean;
  readonly timeoutMs: number;
  readonly probeFailures: number;
  /** How scrapes are gathered into signed sample batches (see {@link SampleBatcher}). */
  readonly batching: { readonly partitions: number; readonly maxSamples: number; readonly lingerMs: number };
  /** The heartbeats the monitor follows (none in unit tests). */
  readonly heartbeats?: { start(onHeartbeat: (heartbeat: { target: string; storedAtMs: number }) => void): Promise<void>; stop(): void };
}

/**
 * Every interval, for each target (all at once, or each at its own offset in the interval when
 * spread, see {@link scrapeOffsetMs}): scrapes its metrics, runs its probes and its PromQL rules side
 * by side, and checks its heartbeat; publishes one symptom per violation, and the scrapes of a
 * round gathered into a few sample batches (one signature per batch of targets). An HTTP probe of
 * the URL the target is scraped at is answered by the scrape itself. Symptoms go out as soon as they are known, ahead of the batch (which then waits up to
 * {@link SYMPTOMS_FIRST_MS}). A tick never overlaps the previous one for the same target, so a
 * slow target cannot pile up work, and one tick's symptoms are acknowledged before the next
 * tick's are sent. The targets are read at every tick: added and removed ones take effect without
 * a restart.
 */
@Injectable()
export class ScrapeScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<string>();
  private readonly probes: ProbeTracker;
  private readonly heartbeats = new HeartbeatTracker();
  /** Violations of rules with a `forMs`, until they have lasted that long. */
  private readonly sustained = new SustainedViolations();
  /** Targets whose silence was reported, so that their return is logged once. */
  private readonly silent = new Set<string>();
  private watched = '';
  /** The sources the targets' offsets were computed for, and the offsets (when spread). */
  private followed: MonitorSources | undefined;
  private offsets = new Map<string, number>();
  /** When the scheduler last looked for targets that came due (when spread). */
  private lastWake = 0;
  private readonly scrapes: Counter<'target' | 'result'>;
  private readonly scrapeSeconds: Histogram<'target'>;
  private readonly probeFailuresGauge: Gauge<'target' | 'probe'>;
  private readonly violations: Counter<'target' | 'rule'>;
  private readonly queries: Counter<'target' | 'rule' | 'result'>;
  private readonly heartbeatAge: Gauge<'target'>;
  private readonly skipped: Counter;
  private readonly batcher: SampleBatcher;

  constructor(
    @Inject(MONITOR_SETTINGS) private readonly settings: MonitorSettings,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.probes = new ProbeTracker(settings.probeFailures);
    this.batcher = new SampleBatcher({
      ...settings.batching,
      // The batch's envelope and subject are keyed by its partition, not by a target.
      send: async (partitionKey, scrapes) => {
        await this.publisher.publish('sample.batch', { target: partitionKey, data: { scrapes: [...scrapes] } });
      },
    });
    const registers = [metrics.registry];
    this.scrapes = new Counter({
      name: 'mapek_monitor_scrapes_total',
      help: 'Scrapes by target and result',
      labelNames: ['target', 'result'],
      registers,
    });
    this.scrapeSeconds = new Histogram({
      name: 'mapek_monitor_scrape_duration_seconds',
      help: 'Scrape duration',
      labelNames: ['target'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.probeFailuresGauge = new Gauge({
      name: 'mapek_monitor_probe_consecutive_failures',
      help: 'Consecutive failed health probes, by target and probe kind',
      labelNames: ['target', 'probe'],
      registers,
    });
    this.violations = new Counter({
      name: 'mapek_monitor_violations_total',
      help: 'Threshold violations found',
      labelNames: ['target', 'rule'],
      registers,
    });
    this.queries = new Counter({
      name: 'mapek_monitor_promql_queries_total',
      help: 'PromQL rule queries by target, rule and result (ok, error)',
      labelNames: ['target', 'rule', 'result'],
      registers,
    });
    this.skipped = new Counter({
      name: 'mapek_monitor_ticks_skipped_total',
      help: "Targets left out of a tick because their previous tick was still running (scrape, probes, symptoms or the sample batch's acknowledgement)",
      registers,
    });
    this.heartbeatAge = new Gauge({
      name: 'mapek_monitor_heartbeat_age_seconds',
      help: 'Time since the target last reported in (targets with a heartbeat timeout)',
      labelNames: ['target'],
      registers,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.settings.heartbeats?.start((heartbeat) => this.heartbeats.record(heartbeat.target, heartbeat.storedAtMs));
    } catch (error) {
      // Scrapes and probes do not need the heartbeats; a target that expects them shows as silent.
      this.logger.error(
        { err: error },
        'cannot follow heartbeats (a telemetry stream provisioned by an earlier version? run `./mapek provision`)',
      );
    }
    const { intervalMs, spread } = this.settings;
    if (!spread) {
      // Every target at once, at start and every interval after.
      this.timer = setInterval(() => this.tick(), intervalMs);
      this.tick();
      return;
    }
    // Every target is first observed at its offset within the first interval.
    this.lastWake = monotonicNow();
    this.timer = setInterval(() => this.tick(), Math.max(MIN_WAKE_MS, intervalMs / WAKES_PER_INTERVAL));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.settings.heartbeats?.stop();
    await this.batcher.flush();
  }

  /** The last time each watched target reported in (for /status). */
  heartbeatsSeen(): Record<string, string | null> {
    return Object.fromEntries(
      this.settings
        .sources()
        .targets.filter((target) => target.heartbeat !== undefined)
        .map((target) => {
          const at = this.heartbeats.lastSeenAt(target.name);
          return [target.name, at === undefined ? null : new Date(at).toISOString()];
        }),
    );
  }

  /** Observes every target, or when spread, those that came due since the last wake. */
  private tick(): void {
    const now = monotonicNow();
    const after = this.lastWake;
    this.lastWake = now;
    const sources = this.settings.sources();
    this.follow(sources);
    for (const target of sources.targets) {
      if (this.settings.spread && !cameDue(this.offsets.get(target.name) ?? 0, this.settings.intervalMs, after, now)) continue;
      if (this.busy.has(target.name)) {
        this.skipped.inc();
        continue;
      }
      this.busy.add(target.name);
      void this.observe(target, sources)
        .catch((error: unknown) => this.logger.error({ err: error, target: target.name }, 'observation failed'))
        .finally(() => this.busy.delete(target.name));
    }
  }

  /** Takes a changed target list into account: clocks for new heartbeats, state of removed targets dropped. */
  private follow(sources: MonitorSources): void {
    if (sources === this.followed) return;
    this.followed = sources;
    const { intervalMs, spread } = this.settings;
    if (spread) this.offsets = new Map(sources.targets.map((target) => [target.name, scrapeOffsetMs(target.name, intervalMs)]));
    const watched = JSON.stringify(sources.targets.map((target) => target.name));
    if (watched === this.watched) return;
    const previous = new Set(this.watched === '' ? [] : (JSON.parse(this.watched) as string[]));
    this.watched = watched;
    this.logger.info({ targets: sources.targets.map((target) => target.name), prometheus: sources.prometheus?.url }, 'monitoring');
    this.heartbeats.watch(
      sources.targets.filter((target) => target.heartbeat !== undefined).map((target) => target.name),
      Date.now(),
    );
    this.probes.retain(
      new Set(sources.targets.flatMap((target) => target.probes.map((probe, index) => probeKey(target.name, probe, index)))),
    );
    const names = new Set(sources.targets.map((target) => target.name));
    for (const name of previous) {
      if (names.has(name)) continue;
      this.silent.delete(name);
      this.sustained.forget(name);
      this.heartbeatAge.remove({ target: name });
      for (const kind of ['http', 'tcp', 'postgres', 'nats']) this.probeFailuresGauge.remove({ target: name, probe: kind });
    }
  }

  /** One tick for one target: scrape, probes, PromQL rules and the heartbeat check run side by side, each publishing its symptoms as soon as it has them. */
  private async observe(target: MonitoredTarget, sources: MonitorSources): Promise<void> {
    const prometheus = sources.prometheus;
    const metricsUrl = target.metricsUrl;
    await Promise.all([
      metricsUrl ? this.scrape(target, metricsUrl) : undefined,
      ...target.probes.map((probe, index) => (answeredByScrape(probe, metricsUrl) ? undefined : this.probe(target, probe, index))),
      ...(prometheus ? target.prometheus.map((rule) => this.query(target, rule, prometheus)) : []),
      target.heartbeat ? this.checkHeartbeat(target, target.heartbeat.timeoutMs) : undefined,
    ]);
  }

  private async scrape(target: MonitoredTarget, url: string): Promise<void> {
    const scrapedAt = new Date().toISOString();
    const started = performance.now();
    let samples: Sample[];
    try {
      samples = await scrapeMetrics(url, this.settings.timeoutMs);
    } catch (error) {
      this.sustained.forget(target.name);
      this.scrapes.inc({ target: target.name, result: 'error' });
      this.logger.warn({ err: error, target: target.name }, 'scrape failed');
      const timing = { started, ended: performance.now() };
      await this.recordScrapeAsProbes(target, url, probeResultOfScrapeError(error), () =>
        observationSpans.scrape(target.name, url, timing, { error }),
      );
      return;
    }
    const ended = performance.now();
    const durationMs = ended - started;
    const scraped = () => observationSpans.scrape(target.name, url, { started, ended }, { status: 200, samples: samples.length });
    const probed = this.recordScrapeAsProbes(target, url, { ok: true, detail: 'HTTP 2xx' }, scraped);
    // The target computes its gauges while it answers, so a reading is dated when it arrived: the
    // request's start would date it too early by the whole scrape (a second when the target was busy).
    const observedAt = new Date().toISOString();
    this.scrapes.inc({ target: target.name, result: 'ok' });
    this.scrapeSeconds.observe({ target: target.name }, durationMs / 1000);
    const violations = this.sustained.due(target.name, evaluateRules(target.rules, samples), Date.parse(observedAt));
    const symptoms: SymptomV1[] = violations.map((violation) => {
      this.violations.inc({ target: target.name, rule: violation.rule.name });
      return {
        source: 'threshold',
        rule: violation.rule.name,
        severity: violation.severity,
        metric: violation.sample.metric,
        value: violation.sample.value,
        threshold: violation.rule.threshold,
        labels: { ...target.labels, ...violation.sample.labels },
        ...(target.component ? { component: target.component } : {}),
        description: `${violation.rule.description}: ${violation.sample.metric}=${violation.sample.value}`,
        observedAt,
      };
    });
    // The loop waits for the symptoms, not for the batch: they are signed and published first.
    // When there are some, the batch follows once they are stored and the analyzer had a moment
    // with them: scoring a batch (parse, signature check, anomaly detection) shares the analyzer's
    // event loop and would hold the analysis back, while a batch that comes a little later costs
    // the anomaly detector nothing (the symptoms are already out).
    try {
      if (symptoms.length > 0) {
        await this.publishSymptoms(target, symptoms, scraped());
        await sleep(Math.min(SYMPTOMS_FIRST_MS, this.settings.intervalMs / 4));
      }
    } finally {
      // A symptom that could not be published (and is reported by the tick) does not cost the telemetry.
      // Keys in canonical order, as the samples' (see samplesOfText).
      const scrape: TargetScrape = { samples, scrapeDurationMs: durationMs, scrapedAt, target: target.name };
      await Promise.all([this.batcher.add(scrape), probed]);
    }
  }

  /** The HTTP probes of the scraped URL take the scrape's answer as theirs (2xx: up); the scrape is their symptoms' check. */
  private async recordScrapeAsProbes(target: MonitoredTarget, url: string, result: ProbeResult, check: () => FinishedWork): Promise<void> {
    const recorded: Promise<void>[] = [];
    target.probes.forEach((probe, index) => {
      if (answeredByScrape(probe, url)) recorded.push(this.recordProbe(target, probe, index, result, check));
    });
    await Promise.all(recorded);
  }

  private async probe(target: MonitoredTarget, probe: Probe, index: number): Promise<void> {
    const started = performance.now();
    const result = await runProbe(probe, this.settings.timeoutMs);
    const timing: CheckTiming = { started, ended: performance.now() };
    await this.recordProbe(target, probe, index, result, () => observationSpans.probe(target.name, probe, timing, result));
  }

  /** `check` describes the check that found the result, for the span its symptom's trace starts with. */
  private async recordProbe(
    target: MonitoredTarget,
    probe: Probe,
    index: number,
    result: ProbeResult,
    check: () => FinishedWork,
  ): Promise<void> {
    const observedAt = new Date().toISOString();
    const key = probeKey(target.name, probe, index);
    const failures = this.probes.record(key, result.ok);
    this.probeFailuresGauge.set({ target: target.name, probe: probe.kind }, this.probes.count(key));
    if (failures === undefined) return;
    await this.publishSymptoms(
      target,
      [
        {
          source: 'health',
          rule: `health-${probe.kind}`,
          severity: 'critical',
          metric: 'probe_success',
          value: 0,
          threshold: 1,
          labels: { ...target.labels, probe: probe.kind },
          ...(target.component ? { component: target.component } : {}),
          description: `${probe.kind} health probe ${probeEndpoint(probe)} failed ${failures} times in a row (${result.detail})`.slice(
            0,
            2000,
          ),
          observedAt,
        },
      ],
      check(),
    );
  }

  private async query(target: MonitoredTarget, rule: PrometheusRule, prometheus: NonNullable<MonitorSources['prometheus']>): Promise<void> {
    let answer;
    const started = performance.now();
    try {
      answer = await queryPrometheus(prometheus.url, rule.query, Math.min(prometheus.timeoutMs, this.settings.intervalMs * 10));
    } catch (error) {
      this.queries.inc({ target: target.name, rule: rule.name, result: 'error' });
      this.logger.warn({ err: error, target: target.name, rule: rule.name }, 'PromQL query failed');
      return;
    }
    const timing: CheckTiming = { started, ended: performance.now() };
    const observedAt = new Date().toISOString();
    this.queries.inc({ target: target.name, rule: rule.name, result: 'ok' });
    const symptoms: SymptomV1[] = evaluatePromqlRule(rule, answer).map((violation) => {
      this.violations.inc({ target: target.name, rule: rule.name });
      return {
        source: 'threshold',
        rule: rule.name,
        severity: violation.severity,
        metric: violation.metric,
        value: violation.series.value,
        threshold: rule.threshold,
        labels: { ...target.labels, ...violation.series.labels },
        ...(target.component ? { component: target.component } : {}),
        description: `${rule.description}: ${rule.query} = ${violation.series.value}`.slice(0, 2000),
        observedAt,
      };
    });
    if (symptoms.length > 0)
      await this.publishSymptoms(target, symptoms, observationSpans.promql(target.name, prometheus.url, rule.name, timing));
  }

  /** A target silent longer than its timeout is a symptom at every tick until it reports again. */
  private async checkHeartbeat(target: MonitoredTarget, timeoutMs: number): Promise<void> {
    const now = Date.now();
    const last = this.heartbeats.lastSeenAt(target.name);
    if (last !== undefined) this.heartbeatAge.set({ target: target.name }, Math.max(0, now - last) / 1000);
    const silence = this.heartbeats.silentFor(target.name, timeoutMs, now);
    if (silence === undefined) {
      if (this.silent.delete(target.name)) this.logger.info({ target: target.name }, 'heartbeat resumed');
      return;
    }
    this.silent.add(target.name);
    await this.publishSymptoms(target, [
      {
        source: 'health',
        rule: 'heartbeat',
        severity: 'critical',
        metric: 'heartbeat_silence_seconds',
        value: silence / 1000,
        threshold: timeoutMs / 1000,
        labels: { ...target.labels, probe: 'heartbeat' },
        ...(target.component ? { component: target.component } : {}),
        description:
          last === undefined
            ? `no heartbeat for ${Math.round(silence / 1000)} s since the monitor began to watch (timeout ${timeoutMs / 1000} s)`
            : `no heartbeat for ${Math.round(silence / 1000)} s (timeout ${timeoutMs / 1000} s; last at ${new Date(last).toISOString()})`,
        observedAt: new Date(now).toISOString(),
      },
    ]);
  }

  /**
   * Publishes symptoms pipelined: each is on the connection before the next is signed, so
   * JetStream stores them in this order; resolves when all are acknowledged.
   *
   * Symptoms start the traces that follow their incidents through the loop. Those of one check
   * (`check`: the scrape, probe or query that found them) share a trace whose root is that
   * check's span; a heartbeat's silence, found by no request, starts one with its publish.
   */
  private publishSymptoms(target: MonitoredTarget, symptoms: readonly SymptomV1[], check?: FinishedWork): Promise<unknown> {
    const publish = (data: SymptomV1) => this.publisher.publish('symptom', { target: target.name, data });
    return logContext.run({ target: target.name }, () =>
      inNewTrace(() => {
        if (!check) return Promise.all(symptoms.map((data) => inNewTrace(() => publish(data))));
        return withSpan(recordFinishedSpan(check), () => Promise.all(symptoms.map(publish)));
      }),
    );
  }
}

/** An HTTP probe of the very URL the target is scraped at, expecting 2xx: the scrape answers it. */
export function answeredByScrape(probe: Probe, metricsUrl: string | undefined): boolean {
  return probe.kind === 'http' && metricsUrl !== undefined && probe.expectStatus === undefined && probe.url === metricsUrl;
}

/** What a failed scrape says about the target's health, as an HTTP probe of its URL would have found it. */
export function probeResultOfScrapeError(error: unknown): ProbeResult {
  if (error instanceof ScrapeError && error.status !== undefined) return { ok: false, detail: `HTTP ${error.status}` };
  // It answered 2xx, with a body the monitor cannot use: up.
  if (error instanceof ScrapeError && (error.code === 'unparsable' || error.code === 'too_large')) return { ok: true, detail: 'HTTP 2xx' };
  return { ok: false, detail: error instanceof Error ? error.message : String(error) };
}
