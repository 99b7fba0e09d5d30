import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusFile } from './corpus.reader.js';
import { readResultScores } from './corpus.reader.js';
import { runDetector, writeResults } from './detection.runner.js';

const file = (): CorpusFile => {
  const rows = 400;
  const base = Date.UTC(2020, 0, 1);
  // Repeated and out-of-order timestamps, as in machine_temperature_system_failure.csv.
  const epochMs = Float64Array.from({ length: rows }, (_, i) => base + (i === 200 ? 150 : i) * 300_000);
  return {
    key: 'synthetic/series.csv',
    category: 'synthetic',
    name: 'series',
    timestamps: Array.from(epochMs, (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')),
    epochMs,
    values: Float64Array.from({ length: rows }, (_, i) => Math.sin(i / 10) + (i === 300 ? 5 : 0)),
    windows: [],
  };
};

describe('detection runner', () => {
  it('writes mapek_<file>.csv in NAB layout, in the data file row order, and reads back the same scores', () => {
    const out = mkdtempSync(join(tmpdir(), 'nab-'));
    try {
      const files = [file()];
      const run = runDetector(files);
      writeResults(out, files, run.scores);
      const path = join(out, 'mapek', 'synthetic', 'mapek_series.csv');
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('timestamp,value,anomaly_score');
      expect(lines).toHaveLength(401);
      expect(lines[201]?.split(',')[0]).toBe(files[0]?.timestamps[200]);
      expect(Array.from(readResultScores(out, 'mapek', files[0] as CorpusFile))).toEqual(Array.from(run.scores[0] ?? []));
      expect(run.samples).toBe(400);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('gives every file a fresh detector, so the same file scores the same wherever it comes in the corpus', () => {
    const run = runDetector([file(), file()]);
    expect(Array.from(run.scores[1] ?? [])).toEqual(Array.from(run.scores[0] ?? []));
  });
});
