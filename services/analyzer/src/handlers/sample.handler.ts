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
  type HandlerContext,
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
  /** The least time between two writes of the checkpoints (CheckpointBatchOptions.intervalMs); default 0. */
  readonly checkpointIntervalMs?: number;
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
  /**
   * Set when a scrape scored into these detectors could not raise its symptom: they are never
   * stored, or that scrape would be skipped when its batch comes again (the checkpoints of the
   * target's other batches waiting for the interval then fail, and those come again too).
   */
  discarded?: boolean;
}

/** One target's scrape as much as scoring it (again) needs: the batch's samples are not kept. */
interface ToScore {
  readonly eventId: string;
  readonly target: string;
  readonly scrapedAt: number;
  /** The scrape's time as sent, a symptom's `observedAt`. */
  readonly observedAt: string;
  /** The watched series' values (pickValues). */
  readonly values: ReadonlyMap<string, number>;
}

/** Settles once every commit has; rejects with the first failure. Each is waited for by the batch's acknowledgement, or only settled when the batch fails anyway. */
function allStored(commits: ReadonlyArray<Promise<void>>): Promise<void> {
  return Promise.allSettled(commits).then((settled) => {
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  });
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
          if (state.discarded) throw new Error(`the detectors of ${target} were discarded after a failed symptom publish`);
          const key = detectorsKey(target);
          state.revision =
            state.revision === undefined ? await this.kv.create(key, serialized) : await this.kv.update(key, serialized, state.revision);
          flushed.inc();
        },
      },
      // Each slice of a flush after the first waits for the loop's work (symptoms) in flight.
      { pause: () => this.loopFirst.clear(), intervalMs: settings.checkpointIntervalMs ?? 0 },
    );
  }

  /**
   * Scores every target's scrape of the batch (a symptom goes out as soon as its scrape is scored)
   * and acknowledges the batch once every target's checkpoint that includes it is stored: through
   * the consumer's `acknowledgeWhen`, so the checkpoints' interval does not hold one of its slots,
   * nor the batch's samples (what a scrape is scored again from after a conflict is its target,
   * time and watched values). Without a context it waits for the checkpoints. When one target
   * fails, the batch is redelivered: the targets already checkpointed skip it (their last scrape
   * time), the others are scored again.
   */
  @OnEvent('sample.batch')
  async onBatch(event: Envelope<'sample.batch'>, context?: Pick<HandlerContext, 'acknowledgeWhen'>): Promise<void> {
    const commits: Array<Promise<void>> = [];
    // What is scored is picked from every scrape at once, before the first wait, and no closure
    // made here refers to the event: the batch's parsed samples are garbage once this returns,
    // not held (in this function's closure context) until the checkpoints are stored, up to the
    // checkpoints' interval later, long enough to be promoted to V8's old space on the way.
    const items = event.data.scrapes.map((scrape) => this.toScore(event.id, scrape));
    const results = await Promise.allSettled(items.map((item) => this.scoreAndCommit(item, commits)));
    const stored = allStored(commits);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      stored.catch(() => undefined);
      throw failed.reason;
    }
    if (context) context.acknowledgeWhen(stored);
    else await stored;
  }

  private async scoreAndCommit(item: ToScore, commits: Array<Promise<void>>): Promise<void> {
    const state = await this.scoreInTurn(item);
    if (state !== undefined) commits.push(this.checkpoint(item, state));
  }

  private toScore(eventId: string, scrape: TargetScrape): ToScore {
    return {
      eventId,
      target: scrape.target,
      scrapedAt: Date.parse(scrape.scrapedAt),
      observedAt: scrape.scrapedAt,
      values: pickValues(this.settings.series, scrape.samples),
    };
  }

  /** Scores after the loop's work in flight (LoopFirst), in turn with the target's other batches. */
  private async scoreInTurn(item: ToScore): Promise<LiveTarget | undefined> {
    const loopWork = this.loopFirst.clear();
    if (loopWork) await loopWork;
    return this.lanes.run(item.target, () => this.score(item));
  }

  /** Stores a checkpoint that includes the scrape; after another replica wrote the target, scores it again from there. */
  private async checkpoint(item: ToScore, scored: LiveTarget): Promise<void> {
    const target = item.target;
    let state = scored;
    for (let attempt = 0; ; attempt++) {
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
      const again = await this.scoreInTurn(item);
      if (again === undefined) return; // the stored checkpoint has it already
      state = again;
    }
  }

  /** Scores one target's scrape into its live detectors; undefined when it was scored before. */
  private async score(item: ToScore): Promise<LiveTarget | undefined> {
    const { target, scrapedAt, values } = item;
    const state = this.live.get(target) ?? (await this.load(target));
    if (scrapedAt <= state.lastScrapedAt) return undefined;
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
          id: deriveEventId(item.eventId, `anomaly:${target}:${alarm.watched.metric}`),
          target,
          causationId: item.eventId,
          data: {
            source: 'anomaly',
            rule: `anomaly:${alarm.watched.metric}`,
            severity: 'warning',
            metric: alarm.watched.metric,
            value: alarm.value,
            threshold: alarm.watched.floor,
            labels: { score: alarm.score.toFixed(3) },
            description: `${alarm.watched.metric}=${alarm.value} is anomalous for ${target} (score ${alarm.score.toFixed(2)}), before any static threshold`,
            observedAt: item.observedAt,
          },
        });
      }
    } catch (error) {
      // The batch is redelivered and scored again from the last stored checkpoint.
      state.discarded = true;
      if (this.live.get(target) === state) this.live.delete(target);
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
