import { probationaryLength } from './nab.scorer.js';

/** Share of a file's rows that its anomaly windows cover together (NAB's `windowSize`). */
export const windowShare = 0.1;

/**
 * Anomaly windows as NAB's label combiner computes them from labelled anomaly rows: each window is
 * `floor(0.1 × rows / anomalies)` rows long, centred on its anomaly (`row ± floor(length / 2)`,
 * clipped to the file); a first window that starts inside the probationary period is dropped, and
 * overlapping windows are merged. Returns `[firstRow, lastRow]` pairs (both inside).
 */
export const labelWindowRows = (rowCount: number, anomalyRows: readonly number[]): Array<[number, number]> => {
  if (anomalyRows.length === 0) return [];
  const length = Math.floor((windowShare * rowCount) / anomalyRows.length);
  const half = Math.floor(length / 2);
  const windows = [...anomalyRows]
    .sort((a, b) => a - b)
    .map((row): [number, number] => [Math.max(row - half, 0), Math.min(row + half, rowCount - 1)]);
  const first = windows[0];
  if (first !== undefined && first[0] < probationaryLength(rowCount)) windows.shift();
  const merged: Array<[number, number]> = [];
  for (const window of windows) {
    const last = merged.at(-1);
    if (last !== undefined && window[0] <= last[1]) last[1] = Math.max(last[1], window[1]);
    else merged.push(window);
  }
  return merged;
};

/** NAB's label timestamp format: `YYYY-MM-DD HH:MM:SS.ffffff`. */
export const labelTimestamp = (timestamp: string): string => `${timestamp}.000000`;
