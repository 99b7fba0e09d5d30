// The figures every benchmark reports: nearest-rank quantiles, the mean, a p50/p95/p99/max line,
// number formatting, and histogram sums read from Prometheus text. Pure: no stack, no I/O.

/** The finite values, ascending (a missing figure, NaN or undefined, is left out). */
export function ascending(values) {
  return values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
}

/** Nearest-rank quantile `q` (0..1) of the finite values; NaN when there are none. */
export function quantile(values, q) {
  const sorted = ascending(values);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A number with `digits` decimals and thousands separators, or `n/a`. */
export const fmt = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

export function summary(values, unit = 'ms') {
  const finite = ascending(values);
  if (finite.length === 0) return 'n/a';
  return `p50 ${fmt(quantile(finite, 0.5))} ${unit}, p95 ${fmt(quantile(finite, 0.95))} ${unit}, p99 ${fmt(quantile(finite, 0.99))} ${unit}, max ${fmt(finite.at(-1))} ${unit} (n=${finite.length})`;
}

/** Sum and count of one histogram over every series whose labels contain all of `labels` (`key="value"`). */
export function histogramSum(text, name, labels = []) {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!labels.every((label) => line.includes(label))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_sum{`)) sum += value;
    else if (line.startsWith(`${name}_count{`)) count += value;
  }
  return { sum, count };
}
