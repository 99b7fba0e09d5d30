import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCorpus, readProfiles } from './corpus.reader.js';
import { nabProfiles, writeCorpus } from './corpus.writer.js';
import { labelWindowRows } from './label-windows.js';
import { probationaryLength } from './nab.scorer.js';
import { AnomalyKind, defaultCorpusSeed, generateServiceCorpus, serviceCorpusPlan } from './service-corpus.generator.js';

const digest = (corpus: ReturnType<typeof generateServiceCorpus>): string => {
  const hash = createHash('sha256');
  for (const file of corpus.files) {
    hash.update(file.key);
    hash.update(Buffer.from(file.values.buffer));
    hash.update(JSON.stringify(file.windows));
  }
  return hash.digest('hex');
};

describe('service-metrics corpus generator', () => {
  const corpus = generateServiceCorpus();

  it('is deterministic: the same seed gives the same files, values and windows', () => {
    expect(digest(generateServiceCorpus(defaultCorpusSeed))).toBe(digest(corpus));
    expect(digest(generateServiceCorpus(defaultCorpusSeed + 1))).not.toBe(digest(corpus));
  });

  it('holds every kind of anomaly, several sampling intervals and lengths, and files without anomalies', () => {
    const kinds = new Set(Object.values(corpus.anomalies).flatMap((anomalies) => anomalies.map((anomaly) => anomaly.kind)));
    expect([...kinds].sort()).toEqual(Object.values(AnomalyKind).sort());
    const intervals = new Set(corpus.files.map((file) => (file.epochMs[1] ?? 0) - (file.epochMs[0] ?? 0)));
    expect(intervals.size).toBeGreaterThanOrEqual(5);
    const lengths = corpus.files.map((file) => file.values.length);
    expect(Math.max(...lengths) / Math.min(...lengths)).toBeGreaterThan(4);
    expect(corpus.files.filter((file) => file.windows.length === 0).length).toBeGreaterThanOrEqual(5);
    expect(corpus.files).toHaveLength(serviceCorpusPlan.length);
  });

  it('labels each anomaly at its onset, after the probationary period, with the windows NAB would compute', () => {
    for (const file of corpus.files) {
      const anomalies = corpus.anomalies[file.key] ?? [];
      for (const anomaly of anomalies) expect(anomaly.row).toBeGreaterThan(probationaryLength(file.values.length));
      const rows = labelWindowRows(
        file.values.length,
        anomalies.map((anomaly) => anomaly.row),
      );
      // No window was merged or dropped: one window per anomaly.
      expect(rows).toHaveLength(anomalies.length);
      expect(file.windows).toEqual(rows.map(([first, last]) => [file.timestamps[first], file.timestamps[last]]));
    }
  });

  it('makes a flatline an exact repeat of the last value and an error burst an order of magnitude above normal', () => {
    for (const file of corpus.files) {
      for (const anomaly of corpus.anomalies[file.key] ?? []) {
        const before = file.values[anomaly.row - 1] ?? NaN;
        if (anomaly.kind === AnomalyKind.flatline) {
          for (let k = 0; k < anomaly.duration; k++) expect(file.values[anomaly.row + k]).toBe(before);
        }
        if (anomaly.kind === AnomalyKind.errorBurst) {
          const normal = [...file.values.slice(anomaly.row - 200, anomaly.row)].sort((a, b) => a - b)[100] ?? NaN;
          expect(file.values[anomaly.row] ?? 0).toBeGreaterThan(4 * normal);
        }
      }
    }
  });

  it('writes NAB’s layout, which the NAB reader reads back as the same corpus', () => {
    const dir = mkdtempSync(join(tmpdir(), 'service-corpus-'));
    try {
      const small = generateServiceCorpus(7, serviceCorpusPlan.slice(0, 3));
      writeCorpus(dir, small);
      expect(existsSync(join(dir, 'labels', 'combined_labels.json'))).toBe(true);
      const read = readCorpus(dir);
      expect(read.map((file) => file.key)).toEqual(small.files.map((file) => file.key));
      read.forEach((file, f) => {
        expect(Array.from(file.values)).toEqual(Array.from(small.files[f]?.values ?? []));
        expect(file.windows).toEqual(small.files[f]?.windows);
        expect(Array.from(file.epochMs)).toEqual(Array.from(small.files[f]?.epochMs ?? []));
      });
      expect(readProfiles(dir)).toMatchObject(nabProfiles);
      const windows = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, string[][]>;
      expect(
        Object.values(windows)
          .flat(2)
          .every((timestamp) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000$/.test(timestamp)),
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
