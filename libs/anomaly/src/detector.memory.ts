import type { DetectorConfig } from './detector.config.js';
import type { DetectorState } from './detector.state.js';

/**
 * Where each array of a detector's state sits in its buffer: the 8-byte numbers first, then the
 * counts (4-byte unsigned integers). Offsets are in elements of each part. One layout per
 * configuration.
 */
export interface DetectorLayout {
  readonly shiftedHistogram: number;
  readonly seasonMean: number;
  readonly shiftOffsets: number;
  /** `medianWindow` places each: the ring buffer and the same values sorted. */
  readonly window: number;
  readonly sorted: number;
  readonly shortHistory: number;
  readonly numbers: number;
  readonly histogram: number;
  readonly transitions: number;
  readonly seasonCount: number;
  readonly counts: number;
}

const layouts = new WeakMap<DetectorConfig, DetectorLayout>();

const layoutOf = (config: DetectorConfig): DetectorLayout => {
  let layout = layouts.get(config);
  if (layout) return layout;
  const shiftedHistogram = 0;
  const seasonMean = shiftedHistogram + config.histogramBins + 1;
  const shiftOffsets = seasonMean + config.seasonSlots;
  const window = shiftOffsets + config.seasonSlots;
  const sorted = window + config.medianWindow;
  const shortHistory = sorted + config.medianWindow;
  const numbers = shortHistory + config.likelihoodShortWindow;
  const histogram = 0;
  const transitions = histogram + config.histogramBins;
  const seasonCount = transitions + config.transitionBins * config.transitionBins;
  const counts = seasonCount + config.seasonSlots;
  layout = {
    shiftedHistogram,
    seasonMean,
    shiftOffsets,
    window,
    sorted,
    shortHistory,
    numbers,
    histogram,
    transitions,
    seasonCount,
    counts,
  };
  layouts.set(config, layout);
  return layout;
};

/** JSON of a number as `JSON.stringify` writes it (null when not finite). */
const jsonNumber = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

/** JSON of `length` numbers from `start`, as `JSON.stringify` writes an array of them. */
const jsonNumbers = (values: Float64Array | Uint32Array, start: number, length: number): string => {
  const run = values.subarray(start, start + length);
  const text = run.join(',');
  // `join` writes NaN and ±Infinity as such, JSON as null: never in a detector's state, but exact all the same.
  return /[NI]/.test(text) ? JSON.stringify(Array.from(run)) : `[${text}]`;
};

/**
 * A detector's state while it runs: the fields of {@link DetectorState} on an object of one fixed
 * shape, its arrays in one buffer of 8-byte numbers and 4-byte counts (histogram, transition and
 * per-slot counts are whole numbers below 2^32: at one sample a second, 136 years). A series costs
 * about half what plain arrays and a state object built from JSON did, and a restored detector
 * scores as fast as a fresh one. {@link DetectorState} stays the checkpoint form.
 */
export class DetectorMemory {
  count = 0;
  rangeMin = 0;
  rangeMax = 1;
  rangeKnown = false;
  seenMin = 0;
  seenMax = 0;
  ewmaMean = 0;
  ewmaVariance = 0;
  windowLength = 0;
  windowHead = 0;
  sortedLength = 0;
  madScale = 0;
  previousCoarseBin = -1;
  seasonScale = 0;
  shortLength = 0;
  shortHead = 0;
  averagesSeen = 0;
  averageMean = 0;
  averageVariance = 0;
  restLeft = 0;
  alarmRate = 0;
  warmupSamples = 0;
  relearnUntil = 0;
  runValue = 0;
  runLength = 0;
  longestRun = 0;
  runsCompleted = 0;
  runAlarmed = false;
  shiftLevel = 0;
  shiftScale = 0;
  shiftUp = 0;
  shiftDown = 0;
  readonly layout: DetectorLayout;
  /** shiftedHistogram, seasonMean, shiftOffsets, window, sorted, shortHistory (see {@link DetectorLayout}). */
  readonly numbers: Float64Array;
  /** histogram, transitions, seasonCount. */
  readonly counts: Uint32Array;

  private constructor(config: DetectorConfig) {
    this.layout = layoutOf(config);
    const buffer = new ArrayBuffer(this.layout.numbers * 8 + this.layout.counts * 4);
    this.numbers = new Float64Array(buffer, 0, this.layout.numbers);
    this.counts = new Uint32Array(buffer, this.layout.numbers * 8, this.layout.counts);
  }

  /** A detector that has seen nothing (arrays all zero). */
  static fresh(
    config: DetectorConfig,
    fields: { rangeMin: number; rangeMax: number; rangeKnown: boolean; warmupSamples: number },
  ): DetectorMemory {
    const memory = new DetectorMemory(config);
    memory.rangeMin = fields.rangeMin;
    memory.rangeMax = fields.rangeMax;
    memory.rangeKnown = fields.rangeKnown;
    memory.warmupSamples = fields.warmupSamples;
    return memory;
  }

  /**
   * From a version 2 checkpoint whose array lengths fit `config` (the caller checks them). A
   * checkpoint from before alarm-rate adaptation has no alarm count: it starts at zero.
   */
  static fromState(config: DetectorConfig, state: DetectorState): DetectorMemory {
    const memory = new DetectorMemory(config);
    const { numbers, counts, layout } = memory;
    memory.count = state.count;
    memory.rangeMin = state.rangeMin;
    memory.rangeMax = state.rangeMax;
    memory.rangeKnown = state.rangeKnown;
    memory.seenMin = state.seenMin;
    memory.seenMax = state.seenMax;
    memory.ewmaMean = state.ewmaMean;
    memory.ewmaVariance = state.ewmaVariance;
    numbers.set(state.window, layout.window);
    memory.windowLength = state.window.length;
    memory.windowHead = state.windowHead;
    // The sorted copy holds exactly the window's values; one that does not is rebuilt from the window.
    const sorted = state.sorted.length === state.window.length ? state.sorted : [...state.window].sort((a, b) => a - b);
    numbers.set(sorted, layout.sorted);
    memory.sortedLength = sorted.length;
    memory.madScale = state.madScale;
    counts.set(state.histogram, layout.histogram);
    counts.set(state.transitions, layout.transitions);
    memory.previousCoarseBin = state.previousCoarseBin;
    numbers.set(state.seasonMean, layout.seasonMean);
    counts.set(state.seasonCount, layout.seasonCount);
    memory.seasonScale = state.seasonScale;
    numbers.set(state.shortHistory, layout.shortHistory);
    memory.shortLength = state.shortHistory.length;
    memory.shortHead = state.shortHead;
    memory.averagesSeen = state.averagesSeen;
    memory.averageMean = state.averageMean;
    memory.averageVariance = state.averageVariance;
    memory.restLeft = state.restLeft;
    memory.alarmRate = typeof state.alarmRate === 'number' ? state.alarmRate : 0;
    memory.warmupSamples = state.warmupSamples;
    memory.relearnUntil = state.relearnUntil;
    memory.runValue = state.runValue;
    memory.runLength = state.runLength;
    memory.longestRun = state.longestRun;
    memory.runsCompleted = state.runsCompleted;
    memory.runAlarmed = state.runAlarmed;
    memory.shiftLevel = state.shiftLevel;
    numbers.set(state.shiftOffsets, layout.shiftOffsets);
    memory.shiftScale = state.shiftScale;
    memory.shiftUp = state.shiftUp;
    memory.shiftDown = state.shiftDown;
    numbers.set(state.shiftedHistogram, layout.shiftedHistogram);
    return memory;
  }

  /** The checkpoint form, a copy (plain arrays). */
  toState(): DetectorState {
    const { numbers, counts, layout } = this;
    const list = (values: Float64Array | Uint32Array, start: number, length: number): number[] =>
      Array.from(values.subarray(start, start + length));
    return {
      count: this.count,
      rangeMin: this.rangeMin,
      rangeMax: this.rangeMax,
      rangeKnown: this.rangeKnown,
      seenMin: this.seenMin,
      seenMax: this.seenMax,
      ewmaMean: this.ewmaMean,
      ewmaVariance: this.ewmaVariance,
      window: list(numbers, layout.window, this.windowLength),
      windowHead: this.windowHead,
      sorted: list(numbers, layout.sorted, this.sortedLength),
      madScale: this.madScale,
      histogram: list(counts, layout.histogram, layout.transitions - layout.histogram),
      transitions: list(counts, layout.transitions, layout.seasonCount - layout.transitions),
      previousCoarseBin: this.previousCoarseBin,
      seasonMean: list(numbers, layout.seasonMean, layout.shiftOffsets - layout.seasonMean),
      seasonCount: list(counts, layout.seasonCount, layout.counts - layout.seasonCount),
      seasonScale: this.seasonScale,
      shortHistory: list(numbers, layout.shortHistory, this.shortLength),
      shortHead: this.shortHead,
      averagesSeen: this.averagesSeen,
      averageMean: this.averageMean,
      averageVariance: this.averageVariance,
      restLeft: this.restLeft,
      alarmRate: this.alarmRate,
      warmupSamples: this.warmupSamples,
      version: 2,
      relearnUntil: this.relearnUntil,
      runValue: this.runValue,
      runLength: this.runLength,
      longestRun: this.longestRun,
      runsCompleted: this.runsCompleted,
      runAlarmed: this.runAlarmed,
      shiftLevel: this.shiftLevel,
      shiftOffsets: list(numbers, layout.shiftOffsets, layout.window - layout.shiftOffsets),
      shiftScale: this.shiftScale,
      shiftUp: this.shiftUp,
      shiftDown: this.shiftDown,
      shiftedHistogram: list(numbers, layout.shiftedHistogram, layout.seasonMean - layout.shiftedHistogram),
    };
  }

  /** `JSON.stringify(this.toState())`, written without building the copy. */
  toJson(): string {
    const { numbers, counts, layout } = this;
    const n = jsonNumber;
    return (
      `{"count":${n(this.count)},"rangeMin":${n(this.rangeMin)},"rangeMax":${n(this.rangeMax)},"rangeKnown":${this.rangeKnown},` +
      `"seenMin":${n(this.seenMin)},"seenMax":${n(this.seenMax)},"ewmaMean":${n(this.ewmaMean)},"ewmaVariance":${n(this.ewmaVariance)},` +
      `"window":${jsonNumbers(numbers, layout.window, this.windowLength)},"windowHead":${n(this.windowHead)},` +
      `"sorted":${jsonNumbers(numbers, layout.sorted, this.sortedLength)},"madScale":${n(this.madScale)},` +
      `"histogram":${jsonNumbers(counts, layout.histogram, layout.transitions - layout.histogram)},` +
      `"transitions":${jsonNumbers(counts, layout.transitions, layout.seasonCount - layout.transitions)},` +
      `"previousCoarseBin":${n(this.previousCoarseBin)},` +
      `"seasonMean":${jsonNumbers(numbers, layout.seasonMean, layout.shiftOffsets - layout.seasonMean)},` +
      `"seasonCount":${jsonNumbers(counts, layout.seasonCount, layout.counts - layout.seasonCount)},"seasonScale":${n(this.seasonScale)},` +
      `"shortHistory":${jsonNumbers(numbers, layout.shortHistory, this.shortLength)},"shortHead":${n(this.shortHead)},` +
      `"averagesSeen":${n(this.averagesSeen)},"averageMean":${n(this.averageMean)},"averageVariance":${n(this.averageVariance)},` +
      `"restLeft":${n(this.restLeft)},"alarmRate":${n(this.alarmRate)},"warmupSamples":${n(this.warmupSamples)},"version":2,` +
      `"relearnUntil":${n(this.relearnUntil)},"runValue":${n(this.runValue)},"runLength":${n(this.runLength)},` +
      `"longestRun":${n(this.longestRun)},"runsCompleted":${n(this.runsCompleted)},"runAlarmed":${this.runAlarmed},` +
      `"shiftLevel":${n(this.shiftLevel)},"shiftOffsets":${jsonNumbers(numbers, layout.shiftOffsets, layout.window - layout.shiftOffsets)},` +
      `"shiftScale":${n(this.shiftScale)},"shiftUp":${n(this.shiftUp)},"shiftDown":${n(this.shiftDown)},` +
      `"shiftedHistogram":${jsonNumbers(numbers, layout.shiftedHistogram, layout.seasonMean - layout.shiftedHistogram)}}`
    );
  }
}
