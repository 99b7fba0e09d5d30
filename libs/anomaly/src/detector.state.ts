/**
 * Everything a detector remembers about one series, as plain JSON (numbers and arrays only), so it
 * can be checkpointed (e.g. to NATS KV) and restored by another replica.
 */
export interface DetectorState {
  /** 2 since flatline and level-shift detection; a version 1 checkpoint is restored with both fresh. */
  readonly version: 1 | 2;
  /** Samples scored so far. */
  count: number;
  /** Value range used to normalise (known up front, or fixed from the first sample). */
  rangeMin: number;
  rangeMax: number;
  rangeKnown: boolean;
  /** Extremes seen so far (normalised), for spatial anomalies. */
  seenMin: number;
  seenMax: number;
  ewmaMean: number;
  ewmaVariance: number;
  /** Rolling window in arrival order (ring buffer) and the same values sorted. */
  window: number[];
  windowHead: number;
  sorted: number[];
  /** EWMA of the absolute deviation from the rolling median. */
  madScale: number;
  histogram: number[];
  /** Counts of level-to-level transitions on a coarser grid (row-major, from × to). */
  transitions: number[];
  /** The previous sample's coarse bin (−1 before the first sample). */
  previousCoarseBin: number;
  /** Daily seasonal profile: EWMA of the value per time-of-day slot, and per-slot sample counts. */
  seasonMean: number[];
  seasonCount: number[];
  seasonScale: number;
  /** The last `likelihoodShortWindow` raw scores (ring buffer). */
  shortHistory: number[];
  shortHead: number;
  /** Short-term averages seen, and their exponentially weighted mean and variance. */
  averagesSeen: number;
  averageMean: number;
  averageVariance: number;
  /** Samples left in the current rest period after an alarm. */
  restLeft: number;
  /**
   * Exponentially forgotten count of alarms raised (alarm-rate adaptation). Absent in checkpoints
   * taken before it existed; restored as 0.
   */
  alarmRate: number;
  warmupSamples: number;
  /** Flatline: the current run's value and length, the longest completed run, runs completed, and whether this run alarmed. */
  runValue: number;
  runLength: number;
  longestRun: number;
  runsCompleted: number;
  runAlarmed: boolean;
  /** Level shift: the slow level, each time-of-day slot's offset from it, the robust residual scale, and the two CUSUMs. */
  shiftLevel: number;
  shiftOffsets: number[];
  shiftScale: number;
  shiftUp: number;
  shiftDown: number;
  /** The value histogram on a second grid offset by half a bin (`histogramBins + 1` bins). */
  shiftedHistogram: number[];
  /** Flatline and level-shift alarms wait until `count` reaches this (a checkpoint upgraded from version 1 relearns them). */
  relearnUntil: number;
}
