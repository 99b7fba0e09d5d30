import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, Counter, Histogram } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sample, SymptomV1 } from '@mapek/contracts';
import { EVENT_PUBLISHER, childTraceparent, type EventPublisherPort } from '@mapek/messaging';
import { LOGGER, METRICS, logContext, type Logger, type ServiceMetrics } from '@mapek/observability';
import { probeHttp, scrapeMetrics } from '../adapters/http-scraper.js';
import { ProbeTracker } from '../domain/probe-tracker.js';
import { evaluateRules, type ThresholdRule } from '../domain/threshold-rules.js';
import type { ScrapeTarget } from '../monitor.config.js';

export const MONITOR_SETTINGS = Symbol.for('mapek.monitor.settings');

/** How long a scrape's batch waits behind its symptoms (at most a quarter of the interval). */
const SYMPTOMS_FIRST_MS = 100;

export interface MonitorSettings {
  readonly targets: readonly ScrapeTarget[];
  readonly rules: readonly ThresholdRule[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly probeFailures: number;
}

/**
 * Every interval, scrapes each target's metrics and probes its health, publishes one sample batch
 * per target and one symptom per violated rule. Symptoms go out as soon as the rules are
 * evaluated, ahead of the batch (which then waits up to {@link SYMPTOMS_FIRST_MS}) and without
 * waiting for the probe. A tick never overlaps the previous one for the same target, so a slow
 * target cannot pile up work, and one tick's symptoms are acknowledged before the next tick's are
 * sent.
 */
@Injectable()
export class ScrapeScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<string>();
  private readonly probes: ProbeTracker;
  private readonly scrapes: Counter<'target' | 'result'>;
  private readonly scrapeSeconds: Histogram<'target'>;
  private readonly probeFailuresGauge: Gauge<'target'>;
  private readonly violations: Counter<'target' | 'rule'>;

  constructor(
    @Inject(MONITOR_SETTINGS) private readonly settings: MonitorSettings,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.probes = new ProbeTracker(settings.probeFailures);
    const registers = [metrics.registry];
    this.scrapes = new Counter({ name: 'mapek_monitor_scrapes_total', help: 'Scrapes by target and result', labelNames: ['target', 'result'], registers });
    this.scrapeSeconds = new Histogram({ name: 'mapek_monitor_scrape_duration_seconds', help: 'Scrape duration', labelNames: ['target'], registers, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    this.probeFailuresGauge = new Gauge({ name: 'mapek_monitor_probe_consecutive_failures', help: 'Consecutive failed health probes', labelNames: ['target'], registers });
    this.violations = new Counter({ name: 'mapek_monitor_violations_total', help: 'Threshold violations found', labelNames: ['target', 'rule'], registers });
  }

  onApplicationBootstrap(): void {
    this.logger.info({ targets: this.settings.targets.map((t) => t.name), rules: this.settings.rules.map((r) => r.name) }, 'monitoring');
    this.timer = setInterval(() => this.tick(), this.settings.intervalMs);
    this.tick();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    for (const target of this.settings.targets) {
      if (this.busy.has(target.name)) continue;
      this.busy.add(target.name);
      void this.observe(target)
        .catch((error: unknown) => this.logger.error({ err: error, target: target.name }, 'observation failed'))
        .finally(() => this.busy.delete(target.name));
    }
  }

  /** One tick for one target: the scrape and the health probe run side by side, and each publishes its symptoms as soon as it has them. */
  private async observe(target: ScrapeTarget): Promise<void> {
    await Promise.all([
      target.metricsUrl ? this.scrape(target, target.metricsUrl) : undefined,
      target.healthUrl ? this.probe(target, target.healthUrl) : undefined,
    ]);
  }

  private async scrape(target: ScrapeTarget, url: string): Promise<void> {
    const scrapedAt = new Date().toISOString();
    const started = performance.now();
    let samples: Sample[];
    try {
      samples = (await scrapeMetrics(url, this.settings.timeoutMs)).filter((sample) => Number.isFinite(sample.value));
    } catch (error) {
      this.scrapes.inc({ target: target.name, result: 'error' });
      this.logger.warn({ err: error, target: target.name }, 'scrape failed');
      return;
    }
    const durationMs = performance.now() - started;
    // The target computes its gauges while it answers, so a reading is dated when it arrived: the
    // request's start would date it too early by the whole scrape (a second when the target was busy).
    const observedAt = new Date().toISOString();
    this.scrapes.inc({ target: target.name, result: 'ok' });
    this.scrapeSeconds.observe({ target: target.name }, durationMs / 1000);
    const symptoms: SymptomV1[] = evaluateRules(this.settings.rules, samples).map((violation) => {
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
        await this.publishSymptoms(target, symptoms);
        await sleep(Math.min(SYMPTOMS_FIRST_MS, this.settings.intervalMs / 4));
      }
    } finally {
      // A symptom that could not be published (and is reported by the tick) does not cost the telemetry.
      await this.publisher.publish('sample.batch', {
        target: target.name,
        data: { target: target.name, scrapedAt, scrapeDurationMs: durationMs, samples },
      });
    }
  }

  private async probe(target: ScrapeTarget, url: string): Promise<void> {
    const probe = await probeHttp(url, this.settings.timeoutMs);
    const observedAt = new Date().toISOString();
    const failures = this.probes.record(`${target.name}:http`, probe.ok);
    this.probeFailuresGauge.set({ target: target.name }, this.probes.count(`${target.name}:http`));
    if (failures === undefined) return;
    await this.publishSymptoms(target, [
      {
        source: 'health',
        rule: 'health-http',
        severity: 'critical',
        metric: 'probe_success',
        value: 0,
        threshold: 1,
        labels: { ...target.labels, probe: 'http' },
        ...(target.component ? { component: target.component } : {}),
        description: `health probe ${url} failed ${failures} times in a row (${probe.detail})`,
        observedAt,
      },
    ]);
  }

  /**
   * Publishes symptoms pipelined: each is on the connection before the next is signed, so
   * JetStream stores them in this order; resolves when all are acknowledged.
   */
  private publishSymptoms(target: ScrapeTarget, symptoms: readonly SymptomV1[]): Promise<unknown> {
    // Each symptom starts a trace that follows its incident through the loop.
    return Promise.all(
      symptoms.map((data) =>
        logContext.run({ traceId: childTraceparent(undefined).traceId, target: target.name }, () =>
          this.publisher.publish('symptom', { target: target.name, data }),
        ),
      ),
    );
  }
}
