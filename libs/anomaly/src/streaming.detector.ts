import { InvalidDetectorStateError } from './anomaly.errors.js';
import { validateDetectorConfig, type DetectorConfig } from './detector.config.js';
import { DetectorMemory } from './detector.memory.js';
import type { DetectorState } from './detector.state.js';
import { gaussianTail } from './gaussian-tail.js';
import { insertSorted, removeSorted, sortedMedian } from './sorted-window.js';

/** What is known about a series before it starts (NAB allows its min and max). */
export interface SeriesContext {
  readonly min?: number;
  readonly max?: number;
  /** Samples to learn from before scoring; overrides the config's `warmupSamples`. */
  readonly warmupSamples?: number;
}

const dayMs = 86_400_000;
/** Smallest scale in normalised units, so flat series do not divide by zero. */
const minScale = 1e-3;
/** Tail probability that maps to a score of 1 in the log-likelihood stage. */
const tailFloor = 1e-10;

const initialState = (config: DetectorConfig, context: SeriesContext): DetectorMemory => {
  const rangeKnown = context.min !== undefined && context.max !== undefined && Number.isFinite(context.min) && Number.isFinite(context.max);
  return DetectorMemory.fresh(config, {
    rangeMin: rangeKnown ? (context.min ?? 0) : 0,
    rangeMax: rangeKnown ? (context.max ?? 1) : 1,
    rangeKnown,
    warmupSamples: context.warmupSamples ?? config.warmupSamples,
  });
};

/**
 * A version 1 checkpoint had one histogram grid and no flatline or level-shift state: the shifted
 * grid is rebuilt from the first (each bin's count split over the two shifted bins it overlaps), and
 * the flatline and level-shift stages learn for one warm-up before they may alarm (no run yet, no
 * level learned).
 */
const upgradeVersion1 = (state: DetectorState, config: DetectorConfig): DetectorState => ({
  ...state,
  version: 2,
  relearnUntil: state.count + state.warmupSamples,
  runValue: 0,
  runLength: 0,
  longestRun: 0,
  runsCompleted: 0,
  runAlarmed: false,
  shiftLevel: 0,
  shiftOffsets: new Array<number>(config.seasonSlots).fill(0),
  shiftScale: 0,
  shiftUp: 0,
  shiftDown: 0,
  shiftedHistogram: Array.from(
    { length: config.histogramBins + 1 },
    (_, j) => ((state.histogram[j - 1] ?? 0) + (state.histogram[j] ?? 0)) / 2,
  ),
});

/**
 * Streaming anomaly detector for one series. Each sample is scored once, in order, with no
 * look-ahead, into a score in [0, 1], in constant time and constant-size state. Stages: robust
 * deviation (EWMA z-score and rolling-median z-score, limited by a daily seasonal profile), level
 * novelty (two histogram grids offset by half a bin) and level-transition novelty give a raw score;
 * an anomaly-likelihood stage tests the average of the last few raw scores against the distribution
 * of such averages. Three direct alarms score 1: a value beyond the range seen so far (spatial), a
 * run of identical values far longer than any before (flatline), and a two-sided CUSUM of seasonally
 * adjusted, clipped residuals crossing its threshold (level shift: drops, plateaus, ramps, creeps).
 * After an alarm a rest period suppresses repeated alarms, and alarm-rate adaptation damps the
 * likelihood score of series that keep alarming.
 *
 * `snapshot()` returns the whole state as plain JSON; `StreamingDetector.restore()` resumes it.
 */
export class StreamingDetector {
  private readonly config: DetectorConfig;
  private readonly state: DetectorMemory;

  /** A fresh detector; `state` is for `restore()`, which checks it first. */
  constructor(config: DetectorConfig, context: SeriesContext = {}, state?: DetectorState) {
    this.config = validateDetectorConfig(config);
    this.state = state ? DetectorMemory.fromState(this.config, state) : initialState(this.config, context);
  }

  /** Resumes a detector from a checkpoint taken with `snapshot()`. */
  static restore(config: DetectorConfig, state: DetectorState): StreamingDetector {
    if (state.version !== 1 && state.version !== 2)
      throw new InvalidDetectorStateError(`unknown detector state version ${String(state.version)}`);
    if (
      (state.version === 2 &&
        (state.shiftOffsets.length !== config.seasonSlots || state.shiftedHistogram.length !== config.histogramBins + 1)) ||
      state.histogram.length !== config.histogramBins ||
      state.transitions.length !== config.transitionBins * config.transitionBins ||
      state.seasonMean.length !== config.seasonSlots ||
      state.seasonCount.length !== config.seasonSlots ||
      state.window.length > config.medianWindow ||
      state.shortHistory.length > config.likelihoodShortWindow
    ) {
      throw new InvalidDetectorStateError('detector state was taken with a different configuration');
    }
    // Version 1 checkpoints have no flatline or level-shift state: both start fresh. The state is
    // copied into the detector's own memory, so the checkpoint is not kept.
    return new StreamingDetector(config, {}, state.version === 1 ? upgradeVersion1(state, config) : state);
  }

  /** A copy of the state, safe to serialise with `JSON.stringify`. */
  snapshot(): DetectorState {
    return this.state.toState();
  }

  /**
   * The state as JSON, the same as `JSON.stringify(snapshot())` without the deep copy in between
   * (a checkpoint writer that only needs the text saves the clone: two thirds of the time).
   */
  snapshotJson(): string {
    return this.state.toJson();
  }

  /** Scores one sample (value, epoch milliseconds) and learns from it; a non-finite value scores 0 and is skipped. */
  score(value: number, time: number): number {
    if (!Number.isFinite(value)) return 0;
    const s = this.state;
    const c = this.config;
    const { numbers, counts, layout } = s;
    if (!s.rangeKnown && s.count === 0) {
      // Unknown range: fix the scale from the first sample so learned statistics stay comparable.
      s.rangeMin = value;
      s.rangeMax = value + Math.max(Math.abs(value), 1);
    }
    const span = s.rangeMax - s.rangeMin;
    const v = span > 0 ? (value - s.rangeMin) / span : 0;

    if (s.count === 0) {
      s.seenMin = v;
      s.seenMax = v;
      s.ewmaMean = v;
      s.madScale = 0;
    }

    // Robust deviation from the recent level, in standard deviations.
    const ewmaDeviation = Math.abs(v - s.ewmaMean) / Math.max(Math.sqrt(s.ewmaVariance), minScale);
    const median = s.sortedLength > 0 ? sortedMedian(numbers, layout.sorted, s.sortedLength) : v;
    const medianDeviation = Math.abs(v - median) / Math.max(1.25 * s.madScale, minScale);
    let deviation = Math.max(ewmaDeviation, medianDeviation);
    const slot = c.seasonSlots > 0 ? Math.floor(((((time % dayMs) + dayMs) % dayMs) / dayMs) * c.seasonSlots) : 0;
    if (c.seasonSlots > 0 && (counts[layout.seasonCount + slot] ?? 0) >= 3) {
      const seasonalDeviation = Math.abs(v - (numbers[layout.seasonMean + slot] ?? 0)) / Math.max(1.25 * s.seasonScale, minScale);
      deviation = Math.min(deviation, seasonalDeviation);
    }
    const excess = Math.max(0, deviation - c.sigmaThreshold) / c.deviationScale;
    const deviationScore = 1 - Math.exp(-excess);
    const bin = Math.min(c.histogramBins - 1, Math.max(0, Math.floor(v * c.histogramBins)));
    // Two grids, the second offset by half a bin: a level is as novel as the rarer of its two bins,
    // so a value's novelty does not hinge on where the bin edges fall.
    const shiftedBin = Math.min(c.histogramBins, Math.max(0, Math.floor(v * c.histogramBins + 0.5)));
    const novelty = 1 / (1 + Math.min(counts[layout.histogram + bin] ?? 0, numbers[layout.shiftedHistogram + shiftedBin] ?? 0));
    const coarse = Math.min(c.transitionBins - 1, Math.max(0, Math.floor(v * c.transitionBins)));
    const transition = s.previousCoarseBin < 0 ? 0 : s.previousCoarseBin * c.transitionBins + coarse;
    const transitionNovelty = s.previousCoarseBin < 0 ? 0 : 1 / (1 + (counts[layout.transitions + transition] ?? 0));
    const relearnt = s.count >= s.relearnUntil;
    const flat = this.flatline(value) && v > s.seenMin && relearnt;
    const shifted = c.shiftThreshold > 0 && this.levelShift(v, slot) && relearnt;
    const raw = Math.min(c.rawCap, Math.max(deviationScore, c.noveltyWeight * novelty, c.transitionWeight * transitionNovelty));

    // Anomaly likelihood: is the average of the last few raw scores unusually high compared with
    // the distribution of such averages over a longer history of this series?
    const k = c.likelihoodShortWindow;
    if (s.shortLength < k) numbers[layout.shortHistory + s.shortLength++] = raw;
    else numbers[layout.shortHistory + s.shortHead] = raw;
    s.shortHead = (s.shortHead + 1) % k;
    let likelihoodScore = 0;
    if (s.shortLength === k) {
      let shortSum = 0;
      for (let i = 0; i < k; i++) shortSum += numbers[layout.shortHistory + i] ?? 0;
      const average = shortSum / k;
      if (s.averagesSeen >= k) {
        const std = Math.max(Math.sqrt(s.averageVariance), c.likelihoodMinStd);
        const tail = gaussianTail((average - s.averageMean) / std);
        likelihoodScore = Math.min(1, Math.log(Math.max(tail, tailFloor)) / Math.log(tailFloor));
      }
      this.rememberAverage(average);
    }

    // Spatial anomaly: outside the range seen so far by more than the tolerance.
    const tolerance = (s.seenMax - s.seenMin) * c.spatialTolerance;
    const spatial = s.seenMax > s.seenMin && (v > s.seenMax + tolerance || v < s.seenMin - tolerance);

    // Alarm-rate adaptation: the more alarms this series raised recently, the stronger the
    // surprise its next likelihood alarm needs (a value beyond the range seen is never damped).
    let output = spatial || flat || shifted ? 1 : likelihoodScore;
    const adapting = c.alarmRatePenalty > 0;
    if (adapting) {
      s.alarmRate *= 1 - 1 / c.alarmRateMemory;
      if (!spatial && !flat && !shifted) output /= 1 + c.alarmRatePenalty * s.alarmRate;
    }
    if (s.count < s.warmupSamples) output = 0;
    if (s.count < s.warmupSamples || !relearnt) {
      s.shiftUp = 0;
      s.shiftDown = 0;
    }
    if (s.restLeft > 0) {
      s.restLeft--;
      output = 0;
    } else if (output >= c.alarmLevel) {
      s.restLeft = Math.round(c.restFraction * s.warmupSamples);
      if (adapting) s.alarmRate++;
      if (flat) s.runAlarmed = true;
      // One shift, one alarm: accumulate afresh from the new level.
      s.shiftUp = 0;
      s.shiftDown = 0;
    }

    if (s.previousCoarseBin >= 0) counts[layout.transitions + transition] = (counts[layout.transitions + transition] ?? 0) + 1;
    s.previousCoarseBin = coarse;
    this.learn(v, median, bin, shiftedBin, slot);
    return output;
  }

  /**
   * Flatline: is the current run of identical values (this one included) far longer than any run
   * this series has completed? Only on a series that has changed value often enough, and at most
   * one alarm per run.
   */
  private flatline(value: number): boolean {
    const s = this.state;
    const c = this.config;
    if (s.runLength > 0 && value === s.runValue) {
      s.runLength++;
    } else {
      if (s.runLength > 0) {
        s.longestRun = Math.max(s.longestRun, s.runLength);
        s.runsCompleted++;
      }
      s.runValue = value;
      s.runLength = 1;
      s.runAlarmed = false;
    }
    return (
      c.flatlineFactor > 0 &&
      !s.runAlarmed &&
      s.runsCompleted >= c.flatlineMinChanges &&
      s.runLength >= Math.max(c.flatlineMinRun, c.flatlineFactor * s.longestRun)
    );
  }

  /**
   * Level shift: a two-sided CUSUM of residuals from a slow level plus a time-of-day offset
   * (additive Holt–Winters without trend), in robust standard deviations and clipped so that a
   * heavy-tailed spike moves it by little. True when either CUSUM reaches its threshold; then
   * learns the sample.
   */
  private levelShift(v: number, slot: number): boolean {
    const s = this.state;
    const c = this.config;
    if (s.count === 0) s.shiftLevel = v;
    const offsetAt = s.layout.shiftOffsets + slot;
    const offset = c.seasonSlots > 0 ? (s.numbers[offsetAt] ?? 0) : 0;
    const residual = v - s.shiftLevel - offset;
    const z = residual / Math.max(1.25 * s.shiftScale, minScale);
    const clipped = Math.max(-c.shiftClip, Math.min(c.shiftClip, z));
    s.shiftUp = Math.max(0, s.shiftUp + clipped - c.shiftSlack);
    s.shiftDown = Math.max(0, s.shiftDown - clipped - c.shiftSlack);
    s.shiftScale += c.madAlpha * (Math.abs(residual) - s.shiftScale);
    s.shiftLevel += c.shiftAlpha * (v - offset - s.shiftLevel);
    if (c.seasonSlots > 0) s.numbers[offsetAt] = offset + c.shiftSeasonAlpha * (v - s.shiftLevel - offset);
    return Math.max(s.shiftUp, s.shiftDown) >= c.shiftThreshold;
  }

  private learn(v: number, median: number, bin: number, shiftedBin: number, slot: number): void {
    const s = this.state;
    const c = this.config;
    s.count++;
    if (v < s.seenMin) s.seenMin = v;
    if (v > s.seenMax) s.seenMax = v;

    const diff = v - s.ewmaMean;
    s.ewmaMean += c.ewmaAlpha * diff;
    s.ewmaVariance = (1 - c.ewmaAlpha) * (s.ewmaVariance + c.ewmaAlpha * diff * diff);

    s.madScale += c.madAlpha * (Math.abs(v - median) - s.madScale);
    const { numbers, counts, layout } = s;
    if (s.windowLength < c.medianWindow) {
      numbers[layout.window + s.windowLength++] = v;
    } else {
      if (removeSorted(numbers, layout.sorted, s.sortedLength, numbers[layout.window + s.windowHead] ?? 0)) s.sortedLength--;
      numbers[layout.window + s.windowHead] = v;
      s.windowHead = (s.windowHead + 1) % c.medianWindow;
    }
    insertSorted(numbers, layout.sorted, s.sortedLength++, v);

    counts[layout.histogram + bin] = (counts[layout.histogram + bin] ?? 0) + 1;
    numbers[layout.shiftedHistogram + shiftedBin] = (numbers[layout.shiftedHistogram + shiftedBin] ?? 0) + 1;

    if (c.seasonSlots > 0) {
      const count = counts[layout.seasonCount + slot] ?? 0;
      const mean = numbers[layout.seasonMean + slot] ?? 0;
      if (count >= 3) s.seasonScale += c.madAlpha * (Math.abs(v - mean) - s.seasonScale);
      numbers[layout.seasonMean + slot] = count === 0 ? v : mean + c.seasonAlpha * (v - mean);
      counts[layout.seasonCount + slot] = count + 1;
    }
  }

  /**
   * Folds a short-term average into the exponentially weighted mean and variance of averages: a
   * cumulative average at first, then a memory of about `likelihoodWindow` averages, in O(1) state.
   */
  private rememberAverage(average: number): void {
    const s = this.state;
    s.averagesSeen++;
    const alpha = Math.max(2 / (this.config.likelihoodWindow + 1), 1 / s.averagesSeen);
    const diff = average - s.averageMean;
    s.averageMean += alpha * diff;
    s.averageVariance = (1 - alpha) * (s.averageVariance + alpha * diff * diff);
  }
}
