/**
 * An ascending run of `length` numbers at `start` in a larger buffer (a detector keeps all its
 * arrays in one buffer; a view per array would cost more than the array).
 */

/** Index (from `start`) of the first of the run's numbers not less than `value` (binary search). */
export const lowerBound = (values: Float64Array, start: number, length: number, value: number): number => {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[start + mid] ?? 0) < value) low = mid + 1;
    else high = mid;
  }
  return low;
};

/** Inserts `value` into the run in place, keeping it sorted; the caller makes room for one more and counts it. */
export const insertSorted = (values: Float64Array, start: number, length: number, value: number): void => {
  const at = start + lowerBound(values, start, length, value);
  values.copyWithin(at + 1, at, start + length);
  values[at] = value;
};

/** Removes one occurrence of `value` from the run in place; false when it holds none (the length is then unchanged). */
export const removeSorted = (values: Float64Array, start: number, length: number, value: number): boolean => {
  const at = start + lowerBound(values, start, length, value);
  if (at >= start + length || values[at] !== value) return false;
  values.copyWithin(at, at + 1, start + length);
  return true;
};

/** Median of the run (NaN when empty). */
export const sortedMedian = (values: Float64Array, start: number, length: number): number => {
  if (length === 0) return Number.NaN;
  const mid = start + (length >>> 1);
  return length % 2 === 1 ? (values[mid] ?? 0) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
};
