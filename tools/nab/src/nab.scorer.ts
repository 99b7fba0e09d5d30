import type { CorpusFile, CostMatrix } from './corpus.reader.js';
import { scaledSigmoid } from './scaled-sigmoid.js';

/** NAB's probationary period: 15% of a file's rows, capped at 15% of 5000 (750) rows. */
export const probationaryLength = (rowCount: number, probationPercent = 0.15): number =>
  Math.min(Math.floor(probationPercent * rowCount), probationPercent * 5000);

const probationaryRow = -2;
const maxTruePositive = scaledSigmoid(-1);
const outsideWindow = -1;

/**
 * A data file prepared for scoring: for each row, the label window it falls in (a corpus-wide
 * window id, −1 outside every window, −2 in the probationary period) and its unweighted score
 * if it were a detection (scaled sigmoid of its position in, or after, a window).
 */
export interface PreparedFile {
  readonly key: string;
  readonly windowOfRow: Int32Array;
  readonly unweighted: Float64Array;
}

/** Every file prepared, plus the window counts that fix the null and perfect scores. */
export interface PreparedCorpus {
  readonly files: readonly PreparedFile[];
  /** All label windows; the perfect detector earns `tpWeight` for each. */
  readonly windowCount: number;
  /** Windows with at least one row after the probationary period (the ones that can be missed). */
  readonly scoredWindowCount: number;
}

/**
 * Assigns rows to windows as NAB does: a window opens on the first row whose timestamp equals its
 * start, its right edge is the first row anywhere in the file with its end timestamp, and it closes
 * after the row whose timestamp equals its end (the end row is inside the window).
 */
export const prepareFile = (file: CorpusFile, firstWindowId: number): PreparedFile => {
  const { timestamps } = file;
  const rowCount = timestamps.length;
  const windowOfRow = new Int32Array(rowCount);
  const unweighted = new Float64Array(rowCount);
  const probation = probationaryLength(rowCount);
  let nextWindow = 0;
  let current: readonly [string, string] | undefined;
  let currentId = -1;
  let rightIndex = -1;
  let width = 0;
  let previousRightIndex = -1;
  let previousWidth = 0;
  for (let i = 0; i < rowCount; i++) {
    const time = timestamps[i];
    const upcoming = file.windows[nextWindow];
    if (upcoming !== undefined && time === upcoming[0]) {
      current = upcoming;
      currentId = firstWindowId + nextWindow;
      nextWindow++;
      const endIndex = timestamps.indexOf(upcoming[1]);
      // A label ending past the data (never in NAB) closes with the file.
      rightIndex = endIndex < 0 ? rowCount - 1 : endIndex;
      width = rightIndex - i + 1;
    }
    if (current !== undefined) {
      // Normalised so that a detection on the window's first row earns exactly 1.
      unweighted[i] = scaledSigmoid(-(rightIndex - i + 1) / width) / maxTruePositive;
      windowOfRow[i] = currentId;
    } else {
      unweighted[i] = previousRightIndex < 0 ? -1 : scaledSigmoid(Math.abs(previousRightIndex - i) / (previousWidth - 1));
      windowOfRow[i] = outsideWindow;
    }
    if (i < probation) windowOfRow[i] = probationaryRow;
    if (current !== undefined && time === current[1]) {
      previousRightIndex = i;
      previousWidth = width;
      current = undefined;
    }
  }
  return { key: file.key, windowOfRow, unweighted };
};

/** Prepares the whole corpus with corpus-wide window ids. */
export const prepareCorpus = (files: readonly CorpusFile[]): PreparedCorpus => {
  let windowCount = 0;
  const prepared = files.map((file) => {
    const result = prepareFile(file, windowCount);
    windowCount += file.windows.length;
    return result;
  });
  const scored = new Set<number>();
  for (const file of prepared) for (const id of file.windowOfRow) if (id >= 0) scored.add(id);
  return { files: prepared, windowCount, scoredWindowCount: scored.size };
};

/** A corpus score for one profile. */
export interface CorpusScore {
  /** Detections are rows with `anomaly_score >= threshold`. */
  readonly threshold: number;
  readonly raw: number;
  /** 100 × (raw − null) / (perfect − null). */
  readonly normalised: number;
}

const nullScore = (corpus: PreparedCorpus, cost: CostMatrix): number => -cost.fnWeight * corpus.scoredWindowCount;

const normalise = (corpus: PreparedCorpus, cost: CostMatrix, raw: number): number => {
  const baseline = nullScore(corpus, cost);
  const perfect = cost.tpWeight * corpus.windowCount;
  return (100 * (raw - baseline)) / (perfect - baseline);
};

/** Raw and normalised score of one threshold (NAB's scorer with a fixed threshold). */
export const scoreAtThreshold = (
  corpus: PreparedCorpus,
  scores: readonly Float64Array[],
  cost: CostMatrix,
  threshold: number,
): CorpusScore => {
  const best = new Map<number, number>();
  let falsePositives = 0;
  corpus.files.forEach((file, f) => {
    const fileScores = scores[f] ?? new Float64Array(0);
    for (let i = 0; i < file.windowOfRow.length; i++) {
      const windowId = file.windowOfRow[i] ?? probationaryRow;
      if (windowId === probationaryRow || (fileScores[i] ?? 0) < threshold) continue;
      const value = file.unweighted[i] ?? 0;
      if (windowId === outsideWindow) falsePositives += value * cost.fpWeight;
      else best.set(windowId, Math.max(best.get(windowId) ?? -Infinity, value * cost.tpWeight));
    }
  });
  const detected = [...best.values()].reduce((sum, value) => sum + value, 0);
  const raw = detected - cost.fnWeight * (corpus.scoredWindowCount - best.size) + falsePositives;
  return { threshold, raw, normalised: normalise(corpus, cost, raw) };
};

/** Scores and contributions of every non-probationary row of the corpus, sorted by score, highest first. */
export interface SweepTable {
  readonly scores: Float64Array;
  readonly windowIds: Int32Array;
  readonly unweighted: Float64Array;
}

/** Builds the sorted table a threshold sweep walks; build once, sweep every profile. */
export const buildSweepTable = (corpus: PreparedCorpus, scores: readonly Float64Array[]): SweepTable => {
  let total = 0;
  for (const file of corpus.files) for (const id of file.windowOfRow) if (id !== probationaryRow) total++;
  const rowScores = new Float64Array(total);
  const rowWindows = new Int32Array(total);
  const rowUnweighted = new Float64Array(total);
  let n = 0;
  corpus.files.forEach((file, f) => {
    const fileScores = scores[f] ?? new Float64Array(0);
    for (let i = 0; i < file.windowOfRow.length; i++) {
      const id = file.windowOfRow[i] ?? probationaryRow;
      if (id === probationaryRow) continue;
      rowScores[n] = fileScores[i] ?? 0;
      rowWindows[n] = id;
      rowUnweighted[n] = file.unweighted[i] ?? 0;
      n++;
    }
  });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => (rowScores[b] ?? 0) - (rowScores[a] ?? 0));
  return {
    scores: Float64Array.from(order, (i) => rowScores[i] ?? 0),
    windowIds: Int32Array.from(order, (i) => rowWindows[i] ?? 0),
    unweighted: Float64Array.from(order, (i) => rowUnweighted[i] ?? 0),
  };
};

/**
 * The best threshold for one profile by an exact sweep: lower the threshold through every distinct
 * score, keeping for each window only its best (earliest) detection and adding every false positive.
 */
export const sweepThreshold = (corpus: PreparedCorpus, table: SweepTable, cost: CostMatrix): CorpusScore => {
  const windowBest = new Float64Array(corpus.windowCount).fill(-cost.fnWeight);
  let raw = nullScore(corpus, cost);
  let bestRaw = raw;
  let bestThreshold = Infinity;
  const count = table.scores.length;
  for (let i = 0; i < count;) {
    const threshold = table.scores[i] ?? 0;
    while (i < count && table.scores[i] === threshold) {
      const id = table.windowIds[i] ?? outsideWindow;
      const value = table.unweighted[i] ?? 0;
      if (id === outsideWindow) {
        raw += value * cost.fpWeight;
      } else {
        const weighted = value * cost.tpWeight;
        const previous = windowBest[id] ?? 0;
        if (weighted > previous) {
          raw += weighted - previous;
          windowBest[id] = weighted;
        }
      }
      i++;
    }
    if (raw > bestRaw) {
      bestRaw = raw;
      bestThreshold = threshold;
    }
  }
  return { threshold: bestThreshold, raw: bestRaw, normalised: normalise(corpus, cost, bestRaw) };
};
