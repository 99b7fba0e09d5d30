/** Index of the first element of `sorted` not less than `value` (binary search). */
export const lowerBound = (sorted: readonly number[], value: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) < value) low = mid + 1;
    else high = mid;
  }
  return low;
};

/** Inserts `value` into an ascending array in place, keeping it sorted. */
export const insertSorted = (sorted: number[], value: number): void => {
  sorted.splice(lowerBound(sorted, value), 0, value);
};

/** Removes one occurrence of `value` from an ascending array in place. */
export const removeSorted = (sorted: number[], value: number): void => {
  const index = lowerBound(sorted, value);
  if (sorted[index] === value) sorted.splice(index, 1);
};

/** Median of an ascending array (NaN when empty). */
export const sortedMedian = (sorted: readonly number[]): number => {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >>> 1;
  return n % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
