import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCorpus, readProfiles, type CorpusFile, type CostMatrix } from './corpus.reader.js';
import { scoreAllProfiles } from './corpus.scoring.js';
import { nabProfiles } from './corpus.writer.js';
import { mapekScorer, runDetector, type ScorerFactory } from './detection.runner.js';
import { EwmaBaselineDetector } from './ewma-baseline.detector.js';
import { prepareCorpus } from './nab.scorer.js';
import { generateServiceCorpus } from './service-corpus.generator.js';

// Whole corpora, not subsets: detection is about a second per corpus, scoring less. Not timed.
const timeoutMs = 120_000;

const repoRoot = resolve(import.meta.dirname, '../../..');
const nabCandidates = [process.env['NAB_DIR'], resolve(repoRoot, '../shared/nab'), '/work/shared/nab'].filter(
  (dir): dir is string => dir !== undefined,
);
const nabDir = nabCandidates.find((dir) => existsSync(join(dir, 'labels', 'combined_windows.json'))) ?? nabCandidates[0] ?? '';

const standardScore = (files: readonly CorpusFile[], profiles: Readonly<Record<string, CostMatrix>>, scorer: ScorerFactory): number => {
  const { scores } = runDetector(files, scorer);
  return scoreAllProfiles(prepareCorpus(files), scores, profiles)['standard']?.normalised ?? NaN;
};

const ewma: ScorerFactory = (context) => new EwmaBaselineDetector(undefined, context.warmupSamples);

describe('detection quality of the one detectorConfig (NAB standard profile, exact threshold sweep)', () => {
  it(
    'scores at least 70 on the generated service-metrics corpus, well above the EWMA z-score baseline',
    () => {
      const files = generateServiceCorpus().files;
      const mapek = standardScore(files, nabProfiles, mapekScorer());
      expect(mapek).toBeGreaterThanOrEqual(70);
      expect(mapek).toBeGreaterThan(standardScore(files, nabProfiles, ewma) + 20);
    },
    timeoutMs,
  );

  it(
    `scores at least 75 on NAB v1.1 (${nabDir}; set NAB_DIR to its folder)`,
    () => {
      if (!existsSync(join(nabDir, 'labels', 'combined_windows.json')))
        throw new Error(`NAB corpus not found in ${nabCandidates.join(', ')}`);
      const files = readCorpus(nabDir);
      expect(standardScore(files, readProfiles(nabDir), mapekScorer())).toBeGreaterThanOrEqual(75);
    },
    timeoutMs,
  );
});
