import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCorpus, readProfiles, readResultScores, type CorpusFile } from './corpus.reader.js';
import { scoreAllProfiles } from './corpus.scoring.js';
import { prepareCorpus, probationaryLength, scoreAtThreshold } from './nab.scorer.js';
import { scaledSigmoid } from './scaled-sigmoid.js';

const standard = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };

const syntheticFile = (rows: number, window: readonly [number, number]): CorpusFile => {
  const timestamps = Array.from({ length: rows }, (_, i) =>
    new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString().slice(0, 19).replace('T', ' '),
  );
  return {
    key: 'synthetic/file.csv',
    category: 'synthetic',
    name: 'file',
    timestamps,
    epochMs: new Float64Array(rows),
    values: new Float64Array(rows),
    windows: [[timestamps[window[0]] ?? '', timestamps[window[1]] ?? '']],
  };
};

describe('NAB scoring rules', () => {
  it('uses a probationary period of 15% of the rows, at most 750', () => {
    expect(probationaryLength(1000)).toBe(150);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(22695)).toBe(750);
  });

  it('weighs positions with the scaled sigmoid: +0.987 at a window start, 0 at its end, −1 far after', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.5)).toBe(-1);
  });

  it('gives a detection on the first row of a window the full true-positive weight and counts only the first detection', () => {
    const file = syntheticFile(2000, [1000, 1099]);
    const corpus = prepareCorpus([file]);
    const scores = new Float64Array(2000);
    scores[1000] = 1;
    scores[1050] = 1;
    const result = scoreAtThreshold(corpus, [scores], standard, 0.5);
    expect(result.raw).toBeCloseTo(1, 12);
    expect(result.normalised).toBeCloseTo(100, 10);
  });

  it('charges a missed window −A_FN and a distant false positive −A_FP, ignoring the probationary period', () => {
    const file = syntheticFile(2000, [1000, 1099]);
    const corpus = prepareCorpus([file]);
    const scores = new Float64Array(2000);
    scores[10] = 1; // probationary: ignored
    scores[1900] = 1; // 801 rows after a 100-row window: full false-positive cost
    expect(scoreAtThreshold(corpus, [scores], standard, 0.5).raw).toBeCloseTo(-1 - 0.11, 12);
  });
});

const repoRoot = resolve(import.meta.dirname, '../../..');
// NAB_DIR, else the benchmark beside the clone (../shared/nab) or at the workplace's fixed place.
const nabCandidates = [process.env['NAB_DIR'], resolve(repoRoot, '../shared/nab'), '/work/shared/nab'].filter(
  (dir): dir is string => dir !== undefined,
);
const nabDir = nabCandidates.find((dir) => existsSync(join(dir, 'results', 'final_results.json'))) ?? nabCandidates[0] ?? '';

describe(`reproducing NAB's published scores from ${nabDir}`, () => {
  it('finds the NAB corpus (set NAB_DIR to its folder)', () => {
    expect(existsSync(join(nabDir, 'results', 'final_results.json'))).toBe(true);
  });

  const detectors = ['null', 'numenta', 'windowedGaussian', 'contextOSE'];
  const load = (): {
    files: CorpusFile[];
    corpus: ReturnType<typeof prepareCorpus>;
    profiles: ReturnType<typeof readProfiles>;
    published: Record<string, Record<string, number>>;
    thresholds: Record<string, Record<string, { threshold: number }>>;
  } => {
    const files = readCorpus(nabDir);
    return {
      files,
      corpus: prepareCorpus(files),
      profiles: readProfiles(nabDir),
      published: JSON.parse(readFileSync(join(nabDir, 'results', 'final_results.json'), 'utf8')) as Record<string, Record<string, number>>,
      thresholds: JSON.parse(readFileSync(join(nabDir, 'config', 'thresholds.json'), 'utf8')) as Record<
        string,
        Record<string, { threshold: number }>
      >,
    };
  };
  const data = existsSync(join(nabDir, 'results', 'final_results.json')) ? load() : undefined;

  it.each(detectors)('the threshold sweep scores %s within 0.1 of final_results.json for every profile', (detector) => {
    if (data === undefined) throw new Error(`NAB corpus not found in ${nabCandidates.join(', ')}`);
    const scores = data.files.map((file) => readResultScores(join(nabDir, 'results'), detector, file));
    const swept = scoreAllProfiles(data.corpus, scores, data.profiles);
    for (const profile of Object.keys(data.profiles)) {
      expect(Math.abs((swept[profile]?.normalised ?? NaN) - (data.published[detector]?.[profile] ?? NaN))).toBeLessThan(0.1);
      // The exact sweep can only match or beat the published threshold.
      const threshold = data.thresholds[detector]?.[profile]?.threshold ?? NaN;
      const atPublished = scoreAtThreshold(data.corpus, scores, data.profiles[profile] ?? standard, threshold);
      expect(atPublished.normalised).toBeCloseTo(data.published[detector]?.[profile] ?? NaN, 8);
      expect(swept[profile]?.raw ?? NaN).toBeGreaterThanOrEqual(atPublished.raw - 1e-9);
    }
  });
});
