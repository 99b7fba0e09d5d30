import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamingDetector, nabDetectorConfig, type DetectorConfig } from '@mapek/anomaly';
import type { CorpusFile } from './corpus.reader.js';
import { probationaryLength } from './nab.scorer.js';

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
 * Streams every file through a fresh detector, one parameter set for all, in row order. The
 * file's min and max are given up front (allowed by NAB's rules); nothing else is looked ahead.
 */
export const runDetector = (files: readonly CorpusFile[], config: DetectorConfig = nabDetectorConfig): DetectionRun => {
  const ranges = files.map((file) => valueRange(file.values));
  const started = process.hrtime.bigint();
  const scores = files.map((file, f) => {
    const detector = new StreamingDetector(config, {
      ...ranges[f],
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

/** Writes `<out>/mapek/<category>/mapek_<name>.csv` with `timestamp,value,anomaly_score` in row order. */
export const writeResults = (outDir: string, files: readonly CorpusFile[], scores: readonly Float64Array[]): void => {
  files.forEach((file, f) => {
    const dir = join(outDir, 'mapek', file.category);
    mkdirSync(dir, { recursive: true });
    const fileScores = scores[f] ?? new Float64Array(0);
    const lines = ['timestamp,value,anomaly_score'];
    for (let i = 0; i < file.values.length; i++) {
      lines.push(`${file.timestamps[i] ?? ''},${file.values[i] ?? 0},${fileScores[i] ?? 0}`);
    }
    writeFileSync(join(dir, `mapek_${file.name}.csv`), `${lines.join('\n')}\n`);
  });
};
