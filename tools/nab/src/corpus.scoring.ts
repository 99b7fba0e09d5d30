import type { CostMatrix } from './corpus.reader.js';
import { buildSweepTable, sweepThreshold, type CorpusScore, type PreparedCorpus } from './nab.scorer.js';

/** Swept scores of one detector's output for every profile, keyed by profile name. */
export const scoreAllProfiles = (
  corpus: PreparedCorpus,
  scores: readonly Float64Array[],
  profiles: Readonly<Record<string, CostMatrix>>,
): Record<string, CorpusScore> => {
  const table = buildSweepTable(corpus, scores);
  return Object.fromEntries(Object.entries(profiles).map(([name, cost]) => [name, sweepThreshold(corpus, table, cost)]));
};

/** One line per profile: normalised score, raw score and threshold. */
export const formatScores = (scores: Readonly<Record<string, CorpusScore>>): string =>
  Object.entries(scores)
    .map(
      ([profile, score]) =>
        `${profile.padEnd(20)} ${score.normalised.toFixed(2).padStart(7)}  (raw ${score.raw.toFixed(3)}, threshold ${score.threshold.toPrecision(6)})`,
    )
    .join('\n');
