import { describe, expect, it } from '@jest/globals';
import { InvalidAnomalyConfigError, InvalidDetectorStateError } from './anomaly.errors.js';
import { detectorConfig, type DetectorConfig } from './detector.config.js';
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
    const detector = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    for (const [i, value] of series(2000).entries()) {
      const score = detector.score(value, i * 5 * minute);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('gives a spike a higher score than any ordinary sample after warm-up', () => {
    const detector = new StreamingDetector(detectorConfig, { min: 30, max: 120, warmupSamples: 300 });
    const scores = series(2000).map((value, i) => detector.score(value, i * 5 * minute));
    const ordinary = Math.max(...scores.slice(300, 1500));
    expect(scores[1500]).toBe(1);
    expect(ordinary).toBeLessThan(1);
  });

  it('gives identical scores after a JSON serialize and restore mid-stream as an uninterrupted run', () => {
    const values = series(3000);
    const uninterrupted = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const expected = values.map((value, i) => uninterrupted.score(value, i * 5 * minute));

    let detector = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const actual: number[] = [];
    values.forEach((value, i) => {
      if (i === 1234 || i === 1499 || i === 2500) {
        const checkpoint = JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState;
        detector = StreamingDetector.restore(detectorConfig, checkpoint);
      }
      actual.push(detector.score(value, i * 5 * minute));
    });
    expect(actual).toEqual(expected);
  });

  it('writes the same checkpoint text from snapshotJson as from JSON.stringify of a snapshot, and resumes from it', () => {
    const values = series(2000);
    const uninterrupted = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const expected = values.map((value, i) => uninterrupted.score(value, i * 5 * minute));
    let detector = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const actual = values.map((value, i) => {
      if (i === 777 || i === 1500) {
        const text = detector.snapshotJson();
        expect(text).toBe(JSON.stringify(detector.snapshot()));
        detector = StreamingDetector.restore(detectorConfig, JSON.parse(text) as DetectorState);
      }
      return detector.score(value, i * 5 * minute);
    });
    expect(actual).toEqual(expected);
  });

  it('gives identical scores after a restore mid-stream with alarm-rate adaptation on', () => {
    const values = spiky(4000);
    const uninterrupted = new StreamingDetector(detectorConfig, { min: 0, max: 200, warmupSamples: 300 });
    const expected = values.map((value, i) => uninterrupted.score(value, i * 5 * minute));
    expect(uninterrupted.snapshot().alarmRate).toBeGreaterThan(0);

    let detector = new StreamingDetector(detectorConfig, { min: 0, max: 200, warmupSamples: 300 });
    const actual: number[] = [];
    values.forEach((value, i) => {
      if (i % 701 === 0) {
        const checkpoint = JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState;
        detector = StreamingDetector.restore(detectorConfig, checkpoint);
      }
      actual.push(detector.score(value, i * 5 * minute));
    });
    expect(actual).toEqual(expected);
  });

  it('restores a version 1 checkpoint (before flatline and level-shift detection) with both starting fresh', () => {
    const detector = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    series(500).forEach((value, i) => detector.score(value, i * 5 * minute));
    const current = detector.snapshot();
    const version1: Record<string, unknown> = { ...current, version: 1 };
    for (const key of [
      'runValue',
      'runLength',
      'longestRun',
      'runsCompleted',
      'runAlarmed',
      'shiftLevel',
      'shiftOffsets',
      'shiftScale',
      'shiftUp',
      'shiftDown',
      'shiftedHistogram',
      'relearnUntil',
    ]) {
      delete version1[key];
    }
    const resumed = StreamingDetector.restore(detectorConfig, version1 as unknown as DetectorState).snapshot();
    expect(resumed.version).toBe(2);
    expect(resumed.runLength).toBe(0);
    expect(resumed.shiftOffsets).toHaveLength(detectorConfig.seasonSlots);
    expect(resumed.shiftedHistogram).toHaveLength(detectorConfig.histogramBins + 1);
    // The shifted grid is rebuilt from the first one, so every sample seen is still counted once.
    expect(resumed.shiftedHistogram.reduce((sum, count) => sum + count, 0)).toBeCloseTo(
      current.histogram.reduce((sum, count) => sum + count, 0),
      9,
    );
    expect(resumed.relearnUntil).toBe(current.count + 300);
    expect(resumed.count).toBe(current.count);
    expect(JSON.parse(JSON.stringify(resumed))).toEqual(resumed);
  });

  it('restores a checkpoint taken before alarm-rate adaptation existed, with no alarms counted', () => {
    const detector = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    series(500).forEach((value, i) => detector.score(value, i * 5 * minute));
    const legacy: Partial<DetectorState> = detector.snapshot();
    delete legacy.alarmRate;
    const resumed = StreamingDetector.restore(detectorConfig, legacy as DetectorState);
    expect(resumed.snapshot().alarmRate).toBe(0);
    expect(resumed.score(50, 500 * 5 * minute)).toBeGreaterThanOrEqual(0);
  });

  it('with alarm-rate adaptation, scores each further burst of a series that keeps alarming lower than without', () => {
    // Level-shift alarms are direct and never damped: leave them out to see the likelihood alarms.
    const likelihoodOnly: DetectorConfig = { ...detectorConfig, shiftThreshold: 0 };
    /** The highest score of each burst after the first few (bursts start every 450 samples at 200). */
    const burstScores = (config: DetectorConfig): number[] => {
      const detector = new StreamingDetector(config, { min: 0, max: 200, warmupSamples: 300 });
      const scores = spiky(6000).map((value, i) => detector.score(value, i * 5 * minute));
      return Array.from({ length: 9 }, (_, k) => Math.max(...scores.slice(450 * (k + 4) + 200, 450 * (k + 4) + 210)));
    };
    const plain = burstScores({ ...likelihoodOnly, alarmRatePenalty: 0 });
    const adapted = burstScores(likelihoodOnly);
    expect(Math.min(...plain)).toBeGreaterThanOrEqual(detectorConfig.alarmLevel);
    adapted.forEach((score, k) => expect(score).toBeLessThan(plain[k] ?? 0));
  });

  it('skips non-finite samples without disturbing later scores', () => {
    const clean = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const noisy = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const values = series(1000);
    values.forEach((value, i) => {
      if (i % 100 === 0) expect(noisy.score(Number.NaN, i * 5 * minute)).toBe(0);
      expect(noisy.score(value, i * 5 * minute)).toBe(clean.score(value, i * 5 * minute));
    });
  });

  it('learns its range when none is given', () => {
    const detector = new StreamingDetector(detectorConfig, { warmupSamples: 10 });
    const scores = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1000].map((value, i) => detector.score(value, i * minute));
    expect(scores.at(-1)).toBe(1);
  });

  it('restores a checkpoint whose sorted copy does not hold its window with the copy rebuilt from the window', () => {
    const values = series(600);
    const uninterrupted = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    const expected = values.map((value, i) => uninterrupted.score(value, i * 5 * minute));
    const first = new StreamingDetector(detectorConfig, { min: 0, max: 120, warmupSamples: 300 });
    values.slice(0, 400).forEach((value, i) => first.score(value, i * 5 * minute));
    const damaged: DetectorState = { ...first.snapshot(), sorted: [1, 2, 3] };
    const resumed = StreamingDetector.restore(detectorConfig, damaged);
    expect(resumed.snapshot().sorted).toEqual([...damaged.window].sort((a, b) => a - b));
    expect(values.slice(400).map((value, i) => resumed.score(value, (i + 400) * 5 * minute))).toEqual(expected.slice(400));
  });

  it('refuses a checkpoint taken with a different configuration', () => {
    const state = new StreamingDetector(detectorConfig).snapshot();
    expect(() => StreamingDetector.restore({ ...detectorConfig, histogramBins: detectorConfig.histogramBins + 1 }, state)).toThrow(
      InvalidDetectorStateError,
    );
  });

  it('flags a flatline: a series that keeps changing, then repeats its last value, once per run', () => {
    const values = series(2000);
    const stuckAt = 1200;
    const alarms = (config: DetectorConfig): number[] => {
      const detector = new StreamingDetector(config, { min: 0, max: 120, warmupSamples: 300 });
      return values
        .map((value, i) => detector.score(i >= stuckAt ? (values[stuckAt - 1] ?? 0) : value, i * 5 * minute))
        .flatMap((score, i) => (i >= stuckAt && score >= config.alarmLevel ? [i] : []));
    };
    const [first] = alarms(detectorConfig);
    expect(first).toBeGreaterThanOrEqual(stuckAt);
    expect((first ?? Infinity) - stuckAt).toBeLessThan(10);
    // The flatline stage alarms once per run however long it lasts (the level-shift stage may alarm
    // later, as a frozen value drifts away from what this time of day brings).
    expect(alarms({ ...detectorConfig, shiftThreshold: 0 })).toEqual([first]);
  });

  it('does not call a series that was always flat, or one resting at its floor, a flatline', () => {
    const flat = new StreamingDetector(detectorConfig, { min: 0, max: 10, warmupSamples: 100 });
    expect(Math.max(...Array.from({ length: 1000 }, (_, i) => flat.score(5, i * minute)))).toBeLessThan(detectorConfig.alarmLevel);
    // A count that is often zero: a long run of zeros is quiet, not stuck.
    const counts = new StreamingDetector(detectorConfig, { min: 0, max: 20, warmupSamples: 300 });
    const quietFrom = 1000;
    const scores = Array.from({ length: 1400 }, (_, i) => counts.score(i >= quietFrom ? 0 : (i * 7) % 5, i * minute));
    expect(Math.max(...scores.slice(quietFrom))).toBeLessThan(detectorConfig.alarmLevel);
  });

  it('flags a level shift that stays within the levels seen, which the same detector without the shift stage misses', () => {
    // A noisy daily cycle; then, at noon of day 6, the level drops by a third: every value stays
    // within the range of the night-time lows, so only the shift against this time of day shows it.
    const noisy = series(3000);
    const dropAt = 1800;
    const values = noisy.map((value, i) => (i >= dropAt ? value - 10 : value));
    const alarmAfterDrop = (config: DetectorConfig): number => {
      const detector = new StreamingDetector(config, { min: 0, max: 120, warmupSamples: 600 });
      const scores = values.map((value, i) => detector.score(value, i * 5 * minute));
      return scores.findIndex((score, i) => i >= dropAt && score >= config.alarmLevel);
    };
    const withShift = alarmAfterDrop(detectorConfig);
    expect(withShift).toBeGreaterThanOrEqual(dropAt);
    expect(withShift - dropAt).toBeLessThan(60);
    const without = alarmAfterDrop({ ...detectorConfig, shiftThreshold: 0 });
    expect(without === -1 || without > withShift).toBe(true);
  });

  it('rejects an invalid configuration with a named error', () => {
    expect(() => new StreamingDetector({ ...detectorConfig, medianWindow: 0 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...detectorConfig, alarmRatePenalty: -1 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...detectorConfig, alarmRateMemory: 0 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...detectorConfig, flatlineMinRun: 1 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...detectorConfig, shiftAlpha: 0 })).toThrow(InvalidAnomalyConfigError);
    expect(() => new StreamingDetector({ ...detectorConfig, shiftThreshold: -1 })).toThrow(InvalidAnomalyConfigError);
  });
});
