import { InvalidDetectorStateError } from './anomaly.errors.js';
import { validateDetectorConfig, type DetectorConfig } from './detector.config.js';
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

const initialState = (config: DetectorConfig, context: SeriesContext): DetectorState => {
  const rangeKnown = context.min !== undefined && context.max !== undefined && Number.isFinite(context.min) && Number.isFinite(context.max);
  return {
    version: 1,
    count: 0,
    rangeMin: rangeKnown ? (context.min ?? 0) : 0,
    rangeMax: rangeKnown ? (context.max ?? 1) : 1,
    rangeKnown,
    seenMin: 0,
    seenMax: 0,
    ewmaMean: 0,
    ewmaVariance: 0,
    window: [],
    windowHead: 0,
    sorted: [],
    madScale: 0,
    histogram: new Array<number>(config.histogramBins).fill(0),
    transitions: new Array<number>(config.transitionBins * config.transitionBins).fill(0),
    previousCoarseBin: -1,
    seasonMean: new Array<number>(config.seasonSlots).fill(0),
    seasonCount: new Array<number>(config.seasonSlots).fill(0),
    seasonScale: 0,
    shortHistory: [],
    shortHead: 0,
    averagesSeen: 0,
    averageMean: 0,
    averageVariance: 0,
    restLeft: 0,
    alarmRate: 0,
    warmupSamples: context.warmupSamples ?? config.warmupSamples,
  };
};

/**
 * Streaming anomaly detector for one series. Each sample is scored once, in order, with no
 * look-ahead, into a score in [0, 1], in constant time and constant-size state. Stages: robust
 * deviation (EWMA z-score and rolling-median z-score, limited by a daily seasonal profile), level
 * and level-transition novelty give a raw score; an anomaly-likelihood stage tests the average of
 * the last few raw scores against the distribution of such averages; a value beyond the range seen
 * so far is a spatial anomaly; after an alarm, a rest period suppresses repeated alarms, and
 * (optionally) alarm-rate adaptation damps the likelihood score of series that keep alarming.
 *
 * `snapshot()` returns the whole state as plain JSON; `StreamingDetector.restore()` resumes it.
 */
export class StreamingDetector {
  private readonly config: DetectorConfig;
  private readonly state: DetectorState;

  /** A fresh detector; `state` is for `restore()`, which checks it first. */
  constructor(config: DetectorConfig, context: SeriesContext = {}, state?: DetectorState) {
    this.config = validateDetectorConfig(config);
    this.state = state ?? initialState(config, context);
  }

  /** Resumes a detector from a checkpoint taken with `snapshot()`. */
  static restore(config: DetectorConfig, state: DetectorState): StreamingDetector {
    if (state.version !== 1) throw new InvalidDetectorStateError(`unknown detector state version ${String(state.version)}`);
    if (
      state.histogram.length !== config.histogramBins ||
      state.transitions.length !== config.transitionBins * config.transitionBins ||
      state.seasonMean.length !== config.seasonSlots ||
      state.window.length > config.medianWindow ||
      state.shortHistory.length > config.likelihoodShortWindow
    ) {
      throw new InvalidDetectorStateError('detector state was taken with a different configuration');
    }
    const resumed = structuredClone(state);
    // Checkpoints from before alarm-rate adaptation have no alarm count: start it at zero.
    if (typeof resumed.alarmRate !== 'number') resumed.alarmRate = 0;
    return new StreamingDetector(config, {}, resumed);
  }

  /** A deep copy of the state, safe to serialise with `JSON.stringify`. */
  snapshot(): DetectorState {
    return structuredClone(this.state);
  }

  /** Scores one sample (value, epoch milliseconds) and learns from it; a non-finite value scores 0 and is skipped. */
  score(value: number, time: number): number {
    if (!Number.isFinite(value)) return 0;
    const s = this.state;
    const c = this.config;
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
    const median = s.sorted.length > 0 ? sortedMedian(s.sorted) : v;
    const medianDeviation = Math.abs(v - median) / Math.max(1.25 * s.madScale, minScale);
    let deviation = Math.max(ewmaDeviation, medianDeviation);
    const slot = c.seasonSlots > 0 ? Math.floor(((((time % dayMs) + dayMs) % dayMs) / dayMs) * c.seasonSlots) : 0;
    if (c.seasonSlots > 0 && (s.seasonCount[slot] ?? 0) >= 3) {
      const seasonalDeviation = Math.abs(v - (s.seasonMean[slot] ?? 0)) / Math.max(1.25 * s.seasonScale, minScale);
      deviation = Math.min(deviation, seasonalDeviation);
    }
    const excess = Math.max(0, deviation - c.sigmaThreshold) / c.deviationScale;
    const deviationScore = 1 - Math.exp(-excess);
    const bin = Math.min(c.histogramBins - 1, Math.max(0, Math.floor(v * c.histogramBins)));
    const novelty = 1 / (1 + (s.histogram[bin] ?? 0));
    const coarse = Math.min(c.transitionBins - 1, Math.max(0, Math.floor(v * c.transitionBins)));
    const transition = s.previousCoarseBin < 0 ? 0 : s.previousCoarseBin * c.transitionBins + coarse;
    const transitionNovelty = s.previousCoarseBin < 0 ? 0 : 1 / (1 + (s.transitions[transition] ?? 0));
    const raw = Math.min(
      c.rawCap,
      Math.max(deviationScore, c.noveltyWeight * novelty, c.transitionWeight * transitionNovelty),
    );

    // Anomaly likelihood: is the average of the last few raw scores unusually high compared with
    // the distribution of such averages over a longer history of this series?
    const k = c.likelihoodShortWindow;
    if (s.shortHistory.length < k) s.shortHistory.push(raw);
    else s.shortHistory[s.shortHead] = raw;
    s.shortHead = (s.shortHead + 1) % k;
    let likelihoodScore = 0;
    if (s.shortHistory.length === k) {
      let shortSum = 0;
      for (const recent of s.shortHistory) shortSum += recent;
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
    let output = spatial ? 1 : likelihoodScore;
    const adapting = c.alarmRatePenalty > 0;
    if (adapting) {
      s.alarmRate *= 1 - 1 / c.alarmRateMemory;
      if (!spatial) output /= 1 + c.alarmRatePenalty * s.alarmRate;
    }
    if (s.count < s.warmupSamples) output = 0;
    if (s.restLeft > 0) {
      s.restLeft--;
      output = 0;
    } else if (output >= c.alarmLevel) {
      s.restLeft = Math.round(c.restFraction * s.warmupSamples);
      if (adapting) s.alarmRate++;
    }

    if (s.previousCoarseBin >= 0) s.transitions[transition] = (s.transitions[transition] ?? 0) + 1;
    s.previousCoarseBin = coarse;
    this.learn(v, median, bin, slot);
    return output;
  }

  private learn(v: number, median: number, bin: number, slot: number): void {
    const s = this.state;
    const c = this.config;
    s.count++;
    if (v < s.seenMin) s.seenMin = v;
    if (v > s.seenMax) s.seenMax = v;

    const diff = v - s.ewmaMean;
    s.ewmaMean += c.ewmaAlpha * diff;
    s.ewmaVariance = (1 - c.ewmaAlpha) * (s.ewmaVariance + c.ewmaAlpha * diff * diff);

    s.madScale += c.madAlpha * (Math.abs(v - median) - s.madScale);
    if (s.window.length < c.medianWindow) {
      s.window.push(v);
    } else {
      removeSorted(s.sorted, s.window[s.windowHead] ?? 0);
      s.window[s.windowHead] = v;
      s.windowHead = (s.windowHead + 1) % c.medianWindow;
    }
    insertSorted(s.sorted, v);

    s.histogram[bin] = (s.histogram[bin] ?? 0) + 1;

    if (c.seasonSlots > 0) {
      const count = s.seasonCount[slot] ?? 0;
      const mean = s.seasonMean[slot] ?? 0;
      if (count >= 3) s.seasonScale += c.madAlpha * (Math.abs(v - mean) - s.seasonScale);
      s.seasonMean[slot] = count === 0 ? v : mean + c.seasonAlpha * (v - mean);
      s.seasonCount[slot] = count + 1;
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
