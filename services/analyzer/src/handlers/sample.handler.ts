import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { StreamingDetector, type DetectorConfig, type DetectorState } from '@mapek/anomaly';
import { deriveEventId, type Envelope } from '@mapek/contracts';
import { EVENT_PUBLISHER, OnEvent, getJson, kvKey, type EventPublisherPort, type KvBucket } from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { ThresholdStore } from '../adapters/threshold.store.js';
import { isAlarm, pickValues, type WatchedSeries } from '../domain/watched-series.js';
import { ANALYZER_KV } from './symptom.handler.js';

export const DETECTION_SETTINGS = Symbol.for('mapek.analyzer.detection');
export const THRESHOLDS = Symbol.for('mapek.analyzer.thresholds');

export interface DetectionSettings {
  readonly series: readonly WatchedSeries[];
  readonly detector: DetectorConfig;
}

/** Every watched series of one target, checkpointed together after each batch. */
interface TargetDetectors {
  /** Scrape time of the last batch scored: a redelivered batch is not scored twice. */
  readonly lastScrapedAt: number;
  readonly series: Record<string, DetectorState>;
}

/**
 * Scores each sample batch with a streaming detector per watched series, and raises an anomaly
 * symptom when a series turns anomalous beyond its floor — so a slow leak or a latency creep is
 * caught before its static threshold. Detector state is checkpointed in KV per target with an
 * optimistic revision check, so any replica continues where another stopped.
 */
@Injectable()
export class SampleHandler {
  private readonly scored: Counter<'metric'>;
  private readonly alarms: Counter<'metric'>;

  constructor(
    @Inject(DETECTION_SETTINGS) private readonly settings: DetectionSettings,
    @Inject(ANALYZER_KV) private readonly kv: KvBucket,
    @Inject(THRESHOLDS) private readonly thresholds: ThresholdStore,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.scored = new Counter({ name: 'mapek_analyzer_samples_scored_total', help: 'Samples scored by the streaming detector', labelNames: ['metric'], registers: [metrics.registry] });
    this.alarms = new Counter({ name: 'mapek_analyzer_anomalies_total', help: 'Anomaly symptoms raised', labelNames: ['metric'], registers: [metrics.registry] });
  }

  @OnEvent('sample.batch')
  async onBatch(event: Envelope<'sample.batch'>): Promise<void> {
    const key = `detectors.${kvKey(event.target)}`;
    const scrapedAt = Date.parse(event.data.scrapedAt);
    const stored = await getJson<TargetDetectors>(this.kv, key);
    if (stored && scrapedAt <= stored.value.lastScrapedAt) return;
    const values = pickValues(this.settings.series, event.data.samples);
    const next: Record<string, DetectorState> = { ...(stored?.value.series ?? {}) };
    const alarms: Array<{ watched: WatchedSeries; value: number; score: number }> = [];
    const learned = await this.thresholds.current();
    for (const watched of this.settings.series) {
      const value = values.get(watched.metric);
      if (value === undefined) continue;
      const previous = next[watched.metric];
      const detector = previous
        ? StreamingDetector.restore(this.settings.detector, previous)
        : new StreamingDetector(this.settings.detector, { min: watched.min, max: watched.max });
      const score = detector.score(value, scrapedAt);
      next[watched.metric] = detector.snapshot();
      this.scored.inc({ metric: watched.metric });
      const sigma = learned.thresholdFor(`${event.target}/${watched.metric}`);
      if (isAlarm(watched, value, score, this.settings.detector.alarmLevel, sigma)) alarms.push({ watched, value, score });
    }
    for (const alarm of alarms) {
      this.alarms.inc({ metric: alarm.watched.metric });
      this.logger.info({ metric: alarm.watched.metric, value: alarm.value, score: alarm.score }, 'anomaly');
      await this.publisher.publish('symptom', {
        id: deriveEventId(event.id, `anomaly:${alarm.watched.metric}`),
        target: event.target,
        causationId: event.id,
        data: {
          source: 'anomaly',
          rule: `anomaly:${alarm.watched.metric}`,
          severity: 'warning',
          metric: alarm.watched.metric,
          value: alarm.value,
          threshold: alarm.watched.floor,
          labels: { score: alarm.score.toFixed(3) },
          description: `${alarm.watched.metric}=${alarm.value} is anomalous for ${event.target} (score ${alarm.score.toFixed(2)}), before any static threshold`,
          observedAt: event.data.scrapedAt,
        },
      });
    }
    const checkpoint: TargetDetectors = { lastScrapedAt: scrapedAt, series: next };
    try {
      if (stored) await this.kv.update(key, JSON.stringify(checkpoint), stored.revision);
      else await this.kv.create(key, JSON.stringify(checkpoint));
    } catch (error) {
      // Another replica scored a batch of this target meanwhile; its checkpoint stands.
      this.logger.debug({ err: error, target: event.target }, 'detector checkpoint lost a race');
    }
  }
}


