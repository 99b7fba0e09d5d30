import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamingDetector, detectorConfig, type DetectorConfig } from '@mapek/anomaly';
import type { CorpusFile } from './corpus.reader.js';
import { probationaryLength } from './nab.scorer.js';

/** Scores one series' samples, in order, each once. */
export interface SampleScorer {
  score(value: number, epochMs: number): number;
}

/** What NAB lets a detector know about a file before it starts: its range and the probationary length. */
export interface FileContext {
  readonly min: number;
  readonly max: number;
  readonly warmupSamples: number;
}

/** Makes a fresh scorer for each file. */
export type ScorerFactory = (context: FileContext) => SampleScorer;

/** The mapek streaming detector with one configuration for every file (the shared `detectorConfig` unless told). */
export const mapekScorer =
  (config: DetectorConfig = detectorConfig): ScorerFactory =>
  (context) =>
    new StreamingDetector(config, context);

/** Output of one detection pass over the corpus. */
export interface DetectionRun {
  readonly scores: Float64Array[];
  readonly samples: number;
  /** Wall time of the detection itself (excluding I/O). */
  readonly seconds: number;
}

const valueRange = (values: Float64Array): { min: number; max: number } => {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
};

/**
 * Streams every file through a fresh detector (the mapek detector unless told), one parameter set
 * for all, in row order. The file's min and max are given up front (allowed by NAB's rules);
 * nothing else is looked ahead.
 */
export const runDetector = (files: readonly CorpusFile[], scorer: ScorerFactory = mapekScorer()): DetectionRun => {
  const ranges = files.map((file) => valueRange(file.values));
  const started = process.hrtime.bigint();
  const scores = files.map((file, f) => {
    const detector = scorer({
      ...(ranges[f] ?? { min: 0, max: 1 }),
      // NAB's own detectors learn during the probationary period; it depends only on the row count.
      warmupSamples: probationaryLength(file.values.length),
    });
    const out = new Float64Array(file.values.length);
    for (let i = 0; i < out.length; i++) out[i] = detector.score(file.values[i] ?? 0, file.epochMs[i] ?? 0);
    return out;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const samples = files.reduce((sum, file) => sum + file.values.length, 0);
  return { scores, samples, seconds };
};

/** Writes `<out>/<detector>/<category>/<detector>_<name>.csv` with `timestamp,value,anomaly_score` in row order. */
export const writeResults = (outDir: string, files: readonly CorpusFile[], scores: readonly Float64Array[], detector = 'mapek'): void => {
  files.forEach((file, f) => {
    const dir = join(outDir, detector, file.category);
    mkdirSync(dir, { recursive: true });
    const fileScores = scores[f] ?? new Float64Array(0);
    const lines = ['timestamp,value,anomaly_score'];
    for (let i = 0; i < file.values.length; i++) {
      lines.push(`${file.timestamps[i] ?? ''},${file.values[i] ?? 0},${fileScores[i] ?? 0}`);
    }
    writeFileSync(join(dir, `${detector}_${file.name}.csv`), `${lines.join('\n')}\n`);
  });
};
