/** Logistic function. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * NAB's scaled sigmoid: +0.987 at a window's first row, ~0 at its last row, and tending to −1 for
 * rows far after a window (clamped to −1 beyond three window widths).
 */
export const scaledSigmoid = (relativePosition: number): number => (relativePosition > 3 ? -1 : 2 * sigmoid(-5 * relativePosition) - 1);
