import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { StreamingDetector, type DetectorConfig, type DetectorState } from '@mapek/anomaly';
import { deriveEventId, type Envelope, type TargetScrape } from '@mapek/contracts';
import {
  EVENT_PUBLISHER,
  KeyedSequence,
  OnEvent,
  getJson,
  isKvConflict,
  kvKey,
  type EventPublisherPort,
  type KvBucket,
} from '@mapek/messaging';
import { LOGGER, METRICS, type Logger, type ServiceMetrics } from '@mapek/observability';
import type { ThresholdStore } from '../adapters/threshold.store.js';
import { CheckpointBatch } from '../domain/checkpoint-batch.js';
import { LoopFirst } from './loop-first.js';
import { isAlarm, pickValues, type WatchedSeries } from '../domain/watched-series.js';
import { ANALYZER_KV } from './symptom.handler.js';

export const DETECTION_SETTINGS = Symbol.for('mapek.analyzer.detection');
export const THRESHOLDS = Symbol.for('mapek.analyzer.thresholds');

export interface DetectionSettings {
  readonly series: readonly WatchedSeries[];
  readonly detector: DetectorConfig;
}

/** Every watched series of one target, as checkpointed in KV (`detectors.<target>`). */
interface TargetDetectors {
  /** Scrape time of the last batch scored: a redelivered batch is not scored twice. */
  readonly lastScrapedAt: number;
  readonly series: Record<string, DetectorState>;
}

/** A target's detectors, live in memory between batches, and the KV revision they were stored at. */
interface LiveTarget {
  /** undefined: not in KV yet (the first checkpoint creates it). */
  revision: number | undefined;
  lastScrapedAt: number;
  readonly detectors: Map<string, StreamingDetector>;
}

/** How often a batch is scored again from the stored checkpoint after another replica wrote it first. */
const CONFLICT_RETRIES = 3;

/**
 * Scores each target's scrape in a sample batch (a batch carries the scrapes of many targets) with
 * a streaming detector per watched series, and raises an anomaly
 * symptom when a series turns anomalous beyond its floor — so a slow leak or a latency creep is
 * caught before its static threshold.
 *
 * The detectors stay live in memory between batches (no restore from JSON per batch), and their
 * checkpoints are group-committed ({@link CheckpointBatch}): a batch is acknowledged only after a
 * checkpoint that includes it is stored in KV, but one checkpoint per target covers every batch
 * scored since the last flush, and one flush writes every target at once. The write is a
 * compare-and-set on the revision this replica last stored or read: when another replica wrote
 * the target meanwhile, the batch is scored again from that checkpoint.
 */
@Injectable()
export class SampleHandler {
  private readonly scored: Counter<'metric'>;
  private readonly alarms: Counter<'metric'>;
  private readonly live = new Map<string, LiveTarget>();
  /** Batches of one target are scored one after the other (their checkpoint is awaited apart). */
  private readonly lanes = new KeyedSequence();
  private readonly checkpoints: CheckpointBatch<LiveTarget>;

  constructor(
    @Inject(DETECTION_SETTINGS) private readonly settings: DetectionSettings,
    @Inject(ANALYZER_KV) private readonly kv: KvBucket,
    @Inject(THRESHOLDS) private readonly thresholds: ThresholdStore,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: ServiceMetrics,
    @Inject(LoopFirst) private readonly loopFirst: LoopFirst,
  ) {
    this.scored = new Counter({
      name: 'mapek_analyzer_samples_scored_total',
      help: 'Samples scored by the streaming detector',
      labelNames: ['metric'],
      registers: [metrics.registry],
    });
    this.alarms = new Counter({
      name: 'mapek_analyzer_anomalies_total',
      help: 'Anomaly symptoms raised',
      labelNames: ['metric'],
      registers: [metrics.registry],
    });
    const flushed = new Counter({
      name: 'mapek_analyzer_checkpoints_written_total',
      help: 'Detector checkpoints written (one per target per flush)',
      registers: [metrics.registry],
    });
    this.checkpoints = new CheckpointBatch<LiveTarget>(
      {
        // The JSON of TargetDetectors, written from the live detectors without a copy of their state.
        serialize: (_target, state) => {
          let series = '';
          for (const [metric, detector] of state.detectors)
            series += `${series === '' ? '' : ','}${JSON.stringify(metric)}:${detector.snapshotJson()}`;
          return `{"lastScrapedAt":${JSON.stringify(state.lastScrapedAt)},"series":{${series}}}`;
        },
        persist: async (target, state, serialized) => {
          const key = detectorsKey(target);
          state.revision =
            state.revision === undefined ? await this.kv.create(key, serialized) : await this.kv.update(key, serialized, state.revision);
          flushed.inc();
        },
      },
      // Each slice of a flush after the first waits for the loop's work (symptoms) in flight.
      { pause: () => this.loopFirst.clear() },
    );
  }

  /**
   * The batch is acknowledged once every target's scrape in it is scored and checkpointed. When
   * one target fails, the batch is redelivered: the targets already checkpointed skip it (their
   * last scrape time), the others are scored again.
   */
  @OnEvent('sample.batch')
  async onBatch(event: Envelope<'sample.batch'>): Promise<void> {
    const results = await Promise.allSettled(event.data.scrapes.map((scrape) => this.onScrape(event, scrape)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async onScrape(event: Envelope<'sample.batch'>, scrape: TargetScrape): Promise<void> {
    const target = scrape.target;
    for (let attempt = 0; ; attempt++) {
      // A symptom being handled goes first (see LoopFirst).
      const loopWork = this.loopFirst.clear();
      if (loopWork) await loopWork;
      const state = await this.lanes.run(target, () => this.score(event, scrape));
      if (state === undefined) return; // already scored
      try {
        await this.checkpoints.commit(target, state);
        return;
      } catch (error) {
        // Scored again from the stored checkpoint: another replica's (a conflict), or the last one
        // this replica stored (a failed write, retried by redelivery).
        if (this.live.get(target) === state) this.live.delete(target);
        if (!isKvConflict(error)) throw error;
        if (attempt >= CONFLICT_RETRIES) {
          this.logger.debug({ err: error, target }, "detector checkpoint lost a race; the other replica's stands");
          return;
        }
      }
    }
  }

  /** Scores one target's scrape into its live detectors; undefined when it was scored before. */
  private async score(event: Envelope<'sample.batch'>, scrape: TargetScrape): Promise<LiveTarget | undefined> {
    const target = scrape.target;
    const scrapedAt = Date.parse(scrape.scrapedAt);
    const state = this.live.get(target) ?? (await this.load(target));
    if (scrapedAt <= state.lastScrapedAt) return undefined;
    const values = pickValues(this.settings.series, scrape.samples);
    const alarms: Array<{ watched: WatchedSeries; value: number; score: number }> = [];
    const learned = await this.thresholds.current();
    for (const watched of this.settings.series) {
      const value = values.get(watched.metric);
      if (value === undefined) continue;
      let detector = state.detectors.get(watched.metric);
      if (!detector) {
        detector = new StreamingDetector(this.settings.detector, { min: watched.min, max: watched.max });
        state.detectors.set(watched.metric, detector);
      }
      const score = detector.score(value, scrapedAt);
      this.scored.inc({ metric: watched.metric });
      const sigma = learned.thresholdFor(`${target}/${watched.metric}`);
      if (isAlarm(watched, value, score, this.settings.detector.alarmLevel, sigma)) alarms.push({ watched, value, score });
    }
    state.lastScrapedAt = scrapedAt;
    try {
      for (const alarm of alarms) {
        this.alarms.inc({ metric: alarm.watched.metric });
        this.logger.info({ target, metric: alarm.watched.metric, value: alarm.value, score: alarm.score }, 'anomaly');
        await this.publisher.publish('symptom', {
          // One batch carries many targets: the target is part of what the id is derived from.
          id: deriveEventId(event.id, `anomaly:${target}:${alarm.watched.metric}`),
          target,
          causationId: event.id,
          data: {
            source: 'anomaly',
            rule: `anomaly:${alarm.watched.metric}`,
            severity: 'warning',
            metric: alarm.watched.metric,
            value: alarm.value,
            threshold: alarm.watched.floor,
            labels: { score: alarm.score.toFixed(3) },
            description: `${alarm.watched.metric}=${alarm.value} is anomalous for ${target} (score ${alarm.score.toFixed(2)}), before any static threshold`,
            observedAt: scrape.scrapedAt,
          },
        });
      }
    } catch (error) {
      // The batch is redelivered and scored again from the last stored checkpoint.
      this.live.delete(target);
      throw error;
    }
    return state;
  }

  private async load(target: string): Promise<LiveTarget> {
    const stored = await getJson<TargetDetectors>(this.kv, detectorsKey(target));
    const detectors = new Map<string, StreamingDetector>();
    for (const [metric, snapshot] of Object.entries(stored?.value.series ?? {}))
      detectors.set(metric, StreamingDetector.restore(this.settings.detector, snapshot));
    const state: LiveTarget = { revision: stored?.revision, lastScrapedAt: stored?.value.lastScrapedAt ?? -Infinity, detectors };
    this.live.set(target, state);
    return state;
  }
}

function detectorsKey(target: string): string {
  return `detectors.${kvKey(target)}`;
}
