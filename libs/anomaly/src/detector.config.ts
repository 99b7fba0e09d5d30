import { InvalidAnomalyConfigError } from './anomaly.errors.js';

/** Parameters of the streaming detector; one set serves every series. */
export interface DetectorConfig {
  /** Smoothing factor of the EWMA mean and variance (weight of the newest sample). */
  readonly ewmaAlpha: number;
  /** A deviation starts to count as anomalous beyond this many standard deviations. */
  readonly sigmaThreshold: number;
  /** Standard deviations beyond the threshold over which the deviation score rises by 1 − 1/e. */
  readonly deviationScale: number;
  /** Samples in the rolling median window (robust centre; level shifts are absorbed within half of it). */
  readonly medianWindow: number;
  /** Smoothing factor of the EWMA absolute deviation from the median (the robust scale). */
  readonly madAlpha: number;
  /** Bins of the value histogram over the known range (rare levels are novel). */
  readonly histogramBins: number;
  /** Weight of the histogram novelty in the raw score. */
  readonly noveltyWeight: number;
  /** Bins of the coarse grid whose level-to-level transitions are counted (rare moves are novel). */
  readonly transitionBins: number;
  /** Weight of the transition novelty in the raw score. */
  readonly transitionWeight: number;
  /** Upper bound of the raw score before the likelihood stage. */
  readonly rawCap: number;
  /** Time-of-day slots of the daily seasonal profile (0 disables seasonality). */
  readonly seasonSlots: number;
  /** Smoothing factor of each seasonal slot's mean. */
  readonly seasonAlpha: number;
  /** A value beyond the range seen so far by this fraction of it is a spatial anomaly. */
  readonly spatialTolerance: number;
  /** Memory, in samples, of the exponentially weighted distribution of short-term raw-score averages. */
  readonly likelihoodWindow: number;
  /** Raw scores averaged for the short-term likelihood test. */
  readonly likelihoodShortWindow: number;
  /** Floor of the standard deviation of those averages in the likelihood test. */
  readonly likelihoodMinStd: number;
  /** Samples seen before any score above zero is emitted (defaults to the probationary hint). */
  readonly warmupSamples: number;
  /** Samples during which scores are suppressed after an alarm, as a fraction of the warm-up. */
  readonly restFraction: number;
  /** Output score at or above which an alarm starts the rest period. */
  readonly alarmLevel: number;
  /**
   * Alarm-rate adaptation: the likelihood score is divided by `1 + alarmRatePenalty × recent alarms`,
   * so a series that keeps raising alarms (noisy, heavy-tailed) needs a stronger surprise for the
   * next one. 0 disables it. Spatial anomalies (beyond the range seen so far) are not damped.
   */
  readonly alarmRatePenalty: number;
  /** Memory, in samples, of the alarm count used by the alarm-rate adaptation (exponential forgetting). */
  readonly alarmRateMemory: number;
  /**
   * Flatline: a run of identical values this many times longer than the longest run seen so far
   * (and at least `flatlineMinRun` samples) on a series that normally changes is an anomaly
   * (a stuck exporter, a hung process). 0 disables it.
   */
  readonly flatlineFactor: number;
  /** Shortest run of identical values that can be a flatline. */
  readonly flatlineMinRun: number;
  /** Completed runs (value changes) a series must have shown before a flatline can count. */
  readonly flatlineMinChanges: number;
  /** Smoothing factor of the level the shift detector compares against (slow: about 1/alpha samples). */
  readonly shiftAlpha: number;
  /** Smoothing factor of each time-of-day slot's offset from that level. */
  readonly shiftSeasonAlpha: number;
  /** Residuals are clipped to ± this many robust standard deviations (heavy tails move the CUSUM little). */
  readonly shiftClip: number;
  /** Allowance per sample, in standard deviations, subtracted before accumulating (CUSUM k). */
  readonly shiftSlack: number;
  /**
   * Level shift: a two-sided CUSUM of seasonally adjusted residuals that reaches this many robust
   * standard deviations is an anomaly (CUSUM h; 0 disables the stage). Catches drops, plateaus,
   * ramps and creeps that stay within the levels seen so far.
   */
  readonly shiftThreshold: number;
}

/**
 * The one configuration: what the live analyzer runs and what `tools/nab` reports on NAB and on the
 * generated service-metrics corpus, with no per-corpus tuning. Chosen on both corpora together, each
 * candidate scored with jointly perturbed neighbours (±5 % on every parameter, ±1 and ±3 histogram
 * bins) so that it sits on a plateau rather than a peak; figures and sensitivity in
 * `tools/nab/README.md`, the decision in ADR 0011.
 */
export const detectorConfig: DetectorConfig = {
  ewmaAlpha: 0.03,
  sigmaThreshold: 6.25,
  deviationScale: 19,
  medianWindow: 12,
  madAlpha: 0.0027,
  histogramBins: 77,
  noveltyWeight: 1.25,
  transitionBins: 8,
  transitionWeight: 0.25,
  rawCap: 2.34,
  seasonSlots: 48,
  seasonAlpha: 0.0015,
  spatialTolerance: 0.05,
  likelihoodWindow: 22_500,
  likelihoodShortWindow: 4,
  likelihoodMinStd: 0.014,
  warmupSamples: 150,
  restFraction: 0.19,
  alarmLevel: 0.24,
  alarmRatePenalty: 0.3,
  alarmRateMemory: 50_000,
  flatlineFactor: 2,
  flatlineMinRun: 3,
  flatlineMinChanges: 10,
  shiftAlpha: 0.01,
  shiftSeasonAlpha: 0.15,
  shiftClip: 3.2,
  shiftSlack: 1.6,
  shiftThreshold: 40,
};

/** @deprecated One configuration serves the live loop and both benchmarks: use `detectorConfig`. */
export const defaultDetectorConfig: DetectorConfig = detectorConfig;

/** @deprecated One configuration serves the live loop and both benchmarks: use `detectorConfig`. */
export const nabDetectorConfig: DetectorConfig = detectorConfig;

/** Rejects parameters the detector cannot work with. */
export const validateDetectorConfig = (config: DetectorConfig): DetectorConfig => {
  const positiveIntegers = ['medianWindow', 'histogramBins', 'transitionBins', 'likelihoodWindow', 'likelihoodShortWindow'] as const;
  for (const key of positiveIntegers) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new InvalidAnomalyConfigError(`${key} must be a positive integer, got ${config[key]}`);
    }
  }
  const unitIntervals = ['ewmaAlpha', 'madAlpha', 'seasonAlpha'] as const;
  for (const key of unitIntervals) {
    if (!(config[key] > 0 && config[key] <= 1)) {
      throw new InvalidAnomalyConfigError(`${key} must be in (0, 1], got ${config[key]}`);
    }
  }
  if (!(config.sigmaThreshold > 0 && config.deviationScale > 0)) {
    throw new InvalidAnomalyConfigError('sigmaThreshold and deviationScale must be positive');
  }
  if (!Number.isInteger(config.seasonSlots) || config.seasonSlots < 0) {
    throw new InvalidAnomalyConfigError('seasonSlots must be a non-negative integer');
  }
  if (config.likelihoodShortWindow > config.likelihoodWindow) {
    throw new InvalidAnomalyConfigError('likelihoodShortWindow must not exceed likelihoodWindow');
  }
  if (!(config.alarmRatePenalty >= 0 && config.alarmRateMemory >= 1)) {
    throw new InvalidAnomalyConfigError('alarmRatePenalty must be non-negative and alarmRateMemory at least 1');
  }
  if (!(config.flatlineFactor >= 0 && config.flatlineMinRun >= 2 && config.flatlineMinChanges >= 0)) {
    throw new InvalidAnomalyConfigError('flatlineFactor and flatlineMinChanges must be non-negative, flatlineMinRun at least 2');
  }
  if (!(config.shiftAlpha > 0 && config.shiftAlpha <= 1 && config.shiftSeasonAlpha > 0 && config.shiftSeasonAlpha <= 1)) {
    throw new InvalidAnomalyConfigError('shiftAlpha and shiftSeasonAlpha must be in (0, 1]');
  }
  if (!(config.shiftClip > 0 && config.shiftSlack >= 0 && config.shiftThreshold >= 0)) {
    throw new InvalidAnomalyConfigError('shiftClip must be positive, shiftSlack and shiftThreshold non-negative');
  }
  if (!(config.spatialTolerance >= 0)) {
    throw new InvalidAnomalyConfigError('spatialTolerance must be non-negative');
  }
  if (!(config.rawCap > 0 && config.restFraction >= 0 && config.alarmLevel > 0)) {
    throw new InvalidAnomalyConfigError('rawCap and alarmLevel must be positive, restFraction non-negative');
  }
  return config;
};
