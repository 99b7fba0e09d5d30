import { describe, expect, it } from '@jest/globals';
import { InvalidAnomalyConfigError, InvalidDetectorStateError } from './anomaly.errors.js';
import { defaultDetectorConfig, nabDetectorConfig } from './detector.config.js';
import type { DetectorState } from './detector.state.js';
import { StreamingDetector } from './streaming.detector.js';

const minute = 60_000;
/** A daily-ish sine with deterministic noise and a spike at sample 1500. */
const series = (length: number): number[] => {
  let seed = 42;
  const noise = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648 - 0.5;
  };
  return Array.from({ length }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 2 * noise() + (i === 1500 ? 60 : 0));
};

/** The same sine with a burst of four high samples every 450 samples (levels seen before after the first). */
const spiky = (length: number): number[] =>
  series(length).map((value, i) => (i !== 1500 && i % 450 >= 200 && i % 450 < 204 ? value + 90 + (i % 7) : value));

describe('StreamingDetector', () => {
  it('scores every sample into [0, 1]', () => {
    const detector = new StreamingDetector(defaultDetectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    for (const [i, value] of series(2000).entries()) {
      const score = detector.score(value, i * 5 * minute);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('gives a spike a higher score than any ordinary sample after warm-up', () => {
    const detector = new StreamingDetector(defaultDetectorConfig, { min: 30, max: 120, warmupSamples: 300 });
    const scores = series(2000).map((value, i) => detector.score(value, i * 5 * minute));
    const ordinary = Math.max(...scores.slice(300, 1500));
    expect(scores[1500]).toBe(1);
    expect(ordinary).toBeLessThan(1);
  });

  it('gives identical scores after a JSON serialize and restore mid-stream as an uninterrupted run', () => {
    const values = series(3000);
    const uninterrupted = new StreamingDetector(defaultDetectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const expected = values.map((value, i) => uninterrupted.score(value, i * 5 * minute));

    let detector = new StreamingDetector(defaultDetectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const actual: number[] = [];
    values.forEach((value, i) => {
      if (i === 1234 || i === 1499 || i === 2500) {
        const checkpoint = JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState;
        detector = StreamingDetector.restore(defaultDetectorConfig, checkpoint);
      }
      actual.push(detector.score(value, i * 5 * minute));
    });
    expect(actual).toEqual(expected);
  });

  it('gives identical scores after a restore mid-stream with alarm-rate adaptation on', () => {
    const values = spiky(4000);
    const uninterrupted = new StreamingDetector(nabDetectorConfig, { min: 0, max: 200, warmupSamples: 300 });
    const expected = values.map((value, i) => uninterrupted.score(value, i * 5 * minute));
    expect(uninterrupted.snapshot().alarmRate).toBeGreaterThan(0);

    let detector = new StreamingDetector(nabDetectorConfig, { min: 0, max: 200, warmupSamples: 300 });
    const actual: number[] = [];
    values.forEach((value, i) => {
      if (i % 701 === 0) {
        const checkpoint = JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState;
        detector = StreamingDetector.restore(nabDetectorConfig, checkpoint);
      }
      actual.push(detector.score(value, i * 5 * minute));
    });
    expect(actual).toEqual(expected);
  });

  it('restores a checkpoint taken before alarm-rate adaptation existed, with no alarms counted', () => {
    const detector = new StreamingDetector(nabDetectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    series(500).forEach((value, i) => detector.score(value, i * 5 * minute));
    const legacy: Partial<DetectorState> = detector.snapshot();
    delete legacy.alarmRate;
    const resumed = StreamingDetector.restore(nabDetectorConfig, legacy as DetectorState);
    expect(resumed.snapshot().alarmRate).toBe(0);
    expect(resumed.score(50, 500 * 5 * minute)).toBeGreaterThanOrEqual(0);
  });

  it('with alarm-rate adaptation, raises no more alarms on a series of recurring bursts than without', () => {
    const alarms = (config: typeof defaultDetectorConfig): number => {
      const detector = new StreamingDetector(config, { min: 0, max: 200, warmupSamples: 300 });
      return spiky(6000).filter((value, i) => detector.score(value, i * 5 * minute) >= config.alarmLevel).length;
    };
    const plain = alarms(defaultDetectorConfig);
    const adapted = alarms(nabDetectorConfig);
    expect(plain).toBeGreaterThan(1);
    expect(adapted).toBeLessThan(plain);
  });

  it('skips non-finite samples without disturbing later scores', () => {
    const clean = new StreamingDetector(defaultDetectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const noisy = new StreamingDetector(defaultDetectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const values = series(1000);
    values.forEach((value, i) => {
      if (i % 100 === 0) expect(noisy.score(Number.NaN, i * 5 * minute)).toBe(0);
      expect(noisy.score(value, i * 5 * minute)).toBe(clean.score(value, i * 5 * minute));
    });
  });

  it('learns its range when none is given', () => {
    const detector = new StreamingDetector(defaultDetectorConfig, { warmupSamples: 10 });
    const scores = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1000].map((value, i) => detector.score(value, i * minute));
    expect(scores.at(-1)).toBe(1);
  });

  it('refuses a checkpoint taken with a different configuration', () => {
    const state = new StreamingDetector(defaultDetectorConfig).snapshot();
    expect(() => StreamingDetector.restore({ ...defaultDetectorConfig, histogramBins: defaultDetectorConfig.histogramBins + 1 }, state)).toThrow(
      InvalidDetectorStateError,
    );
  });

  it('rejects an invalid configuration with a named error', () => {
    expect(() => new StreamingDetector({ ...defaultDetectorConfig, medianWindow: 0 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...nabDetectorConfig, alarmRatePenalty: -1 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...nabDetectorConfig, alarmRateMemory: 0 })).toThrow(InvalidAnomalyConfigError);
  });
});
