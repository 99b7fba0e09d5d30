import type { SampleScorer } from './detection.runner.js';

/** Smoothing factor of the baseline's EWMA mean and variance (weight of the newest sample). */
export const defaultEwmaAlpha = 0.05;

/**
 * The plain baseline: an EWMA mean and variance, and the z-score of each sample against them
 * before it is learned. The score is `z / (1 + z)`, monotone in z, so the scorer's threshold sweep
 * is a sweep of the z threshold. Nothing else: no seasonality, no robust statistics, no alarm
 * suppression. Silent during the warm-up, like the mapek detector.
 */
export class EwmaBaselineDetector implements SampleScorer {
  private count = 0;
  private mean = 0;
  private variance = 0;

  constructor(
    private readonly alpha: number = defaultEwmaAlpha,
    private readonly warmupSamples = 0,
  ) {}

  score(value: number): number {
    if (!Number.isFinite(value)) return 0;
    if (this.count === 0) this.mean = value;
    const deviation = Math.abs(value - this.mean);
    const std = Math.sqrt(this.variance);
    const z = std > 0 ? deviation / std : deviation > 0 ? Infinity : 0;
    const diff = value - this.mean;
    this.mean += this.alpha * diff;
    this.variance = (1 - this.alpha) * (this.variance + this.alpha * diff * diff);
    this.count++;
    if (this.count <= this.warmupSamples) return 0;
    return z === Infinity ? 1 : z / (1 + z);
  }
}
